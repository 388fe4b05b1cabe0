"""Registration with the composition root (hub/app/extensions.py). Imports lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from hub.app.container import Container
    from hub.dispatch import Handler


def metadata() -> MetaData:
    from strategies.live.storage import metadata as tables

    return tables


def handlers(container: Container) -> dict[str, Handler]:
    from hub.handlers.strategies import make_handlers

    return make_handlers(container)
