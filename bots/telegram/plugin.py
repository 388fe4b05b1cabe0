"""Registration with the composition root (hub/app/extensions.py). Imports lazily: PTB loads only when used."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from bots.extras import background_or_idle, router_or_notice

if TYPE_CHECKING:
    from fastapi import APIRouter

    from hub.app.container import Container


def router(container: Container) -> APIRouter:
    """``POST /telegram/webhook`` (answers 404 unless the token and the webhook secret are set)."""
    def load() -> APIRouter:
        from bots.telegram.routes import make_router

        return make_router(container)

    return router_or_notice(load, "/telegram/webhook", "Telegram")


def background(container: Container) -> AbstractAsyncContextManager[None]:
    """Long polling while the server runs, when a token is set and webhook mode is not."""
    def load() -> AbstractAsyncContextManager[None]:
        from bots.telegram.runtime import polling

        return polling(container)

    configured = container.settings.telegram_token is not None
    return background_or_idle(load, configured=configured, setting="TRADEHUB_TELEGRAM_TOKEN", platform="Telegram")
