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
        from bots.slack.routes import make_router

        return make_router(container)

    return router_or_notice(load, "/slack/events", "Slack")


def background(container: Container) -> contextlib.AbstractAsyncContextManager[None]:
    """Socket Mode while the server runs, when ``TRADEHUB_SLACK_APP_TOKEN`` and the bot token are set."""

    def load() -> contextlib.AbstractAsyncContextManager[None]:
        from bots.slack.socket_mode import socket_mode

        return socket_mode(container)

    configured = container.settings.slack_app_token is not None
    return background_or_idle(load, configured=configured, setting="TRADEHUB_SLACK_APP_TOKEN", platform="Slack")
