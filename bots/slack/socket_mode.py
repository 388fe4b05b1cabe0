"""Socket Mode: the bot without a public URL, as a background service of ``tradehub serve``."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import structlog

from bots.slack.config import SlackConfig

if TYPE_CHECKING:
    from bots.slack.adapter import SlackBot
    from hub.app.container import Container

log = structlog.get_logger(__name__)


@contextlib.asynccontextmanager
async def socket_mode(container: Container, config: SlackConfig | None = None) -> AsyncIterator[SlackBot | None]:
    """Connect to Slack's Socket Mode websocket while the context is open; a no-op without both tokens.

    Yields the running bot (``None`` when Socket Mode is not configured).
    """
    config = config or SlackConfig.from_settings(container.settings)
    if not config.socket_mode:
        yield None
        return
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bots.slack.adapter import SlackBot

    bot = SlackBot(container, config)
    # The handler calls apps.connections.open with the app-level token through the bot's own client.
    handler = AsyncSocketModeHandler(bot.app, app_token=config.app_token)
    await handler.connect_async()
    log.info("slack socket mode connected")
    try:
        yield bot
    finally:
        await handler.close_async()
        await bot.close()
        log.info("slack socket mode closed")
