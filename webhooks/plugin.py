"""Registration with the composition root (hub/app/extensions.py). Imports lazily: nothing heavy at import."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import APIRouter
    from sqlalchemy import MetaData

    from hub.app.container import Container
    from hub.dispatch import Handler


def metadata() -> MetaData:
    from webhooks.storage import metadata as tables

    return tables


def router(container: Container) -> APIRouter:
    from webhooks.routes import make_router

    return make_router(container)


def cli() -> tuple[str, Any]:
    from webhooks.cli import app

    return "webhooks", app


def handlers(container: Container) -> dict[str, Handler]:
    from webhooks.chat import make_handler

    return {"webhooks": make_handler(container)}
