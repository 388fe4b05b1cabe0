"""HTTP mode: ``POST /slack/events`` for slash commands, Events API callbacks and interactivity.

Bolt verifies the ``X-Slack-Signature`` HMAC with the signing secret and refuses requests whose
``X-Slack-Request-Timestamp`` is more than five minutes away (401, nothing runs), then acknowledges at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from bots.slack.config import SlackConfig

if TYPE_CHECKING:
    from hub.app.container import Container

EVENTS_PATH = "/slack/events"


def make_router(container: Container, config: SlackConfig | None = None) -> APIRouter:
    """The Slack request URL; answers 404 when the bot token or signing secret is not configured."""
    config = config or SlackConfig.from_settings(container.settings)
    handler = None
    bot = None
    if config.http_mode:  # bolt is imported only by deployments that use Slack
        from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

        from bots.slack.adapter import SlackBot

        bot = SlackBot(container, config)
        handler = AsyncSlackRequestHandler(bot.app)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if bot is not None:
                await bot.close()

    router = APIRouter(tags=["slack"], lifespan=lifespan)

    @router.post(EVENTS_PATH, summary="Slack request URL (slash command, events, interactivity)")
    async def slack_events(request: Request) -> Response:
        if handler is None:
            error = {"code": "slack_not_configured", "message": "set TRADEHUB_SLACK_BOT_TOKEN and _SIGNING_SECRET"}
            return JSONResponse({"error": error}, status_code=404)
        return await handler.handle(request)

    return router
