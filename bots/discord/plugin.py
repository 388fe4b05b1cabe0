"""Registration with the composition root (hub/app/extensions.py). Imports lazily: nothing heavy at import."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from bots.extras import background_or_idle, router_or_notice

if TYPE_CHECKING:
    from fastapi import APIRouter

    from hub.app.container import Container


def router(container: Container) -> APIRouter:
    def load() -> APIRouter:
        from bots.discord.interactions import make_router

        return make_router(container)

    return router_or_notice(load, "/discord/interactions", "Discord")


def background(container: Container) -> contextlib.AbstractAsyncContextManager[None]:
    def load() -> contextlib.AbstractAsyncContextManager[None]:
        from bots.discord.client import gateway_bot

        return gateway_bot(container)

    configured = container.settings.discord_token is not None
    return background_or_idle(load, configured=configured, setting="TRADEHUB_DISCORD_TOKEN", platform="Discord")
