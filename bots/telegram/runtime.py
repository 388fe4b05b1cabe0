"""Build and run the python-telegram-bot ``Application``: long polling, or webhook processing.

One ``Application`` per container and mode, pointed at ``TRADEHUB_TELEGRAM_API_URL``. Polling is a
background service (``hub/app/extensions.py`` ``BACKGROUND``) that runs only when a token is set and no
webhook secret is; webhook mode initialises the same kind of Application for ``POST /telegram/webhook``
and feeds it each verified update, so both paths run the same handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import structlog
from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, ApplicationBuilder

from bots.gateway import gateway_for
from bots.telegram.adapter import TelegramAdapter
from bots.telegram.commands import bot_commands
from bots.telegram.config import TelegramConfig
from bots.telegram.delivery import with_retries

if TYPE_CHECKING:
    from hub.app.container import Container

log = structlog.get_logger(__name__)
MAX_START_BACKOFF_S = 60.0
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
TelegramApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(container: Container, config: TelegramConfig, *, polling: bool) -> TelegramApplication:
    """The PTB Application with our handlers installed; nothing is contacted until it is initialised."""
    if config.token is None:
        raise ValueError("TRADEHUB_TELEGRAM_TOKEN is not set")
    builder = ApplicationBuilder().token(config.token).base_url(config.base_url).base_file_url(config.base_file_url)
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    TelegramAdapter(gateway_for(container), config).install(application)
    return application


async def register_commands(application: TelegramApplication, config: TelegramConfig) -> None:
    """Publish the command menu (``setMyCommands``); a failure is logged and the bot keeps running."""
    commands = bot_commands()
    try:
        await with_retries(lambda: application.bot.set_my_commands(commands), config, method="setMyCommands")
    except Exception as error:  # the menu is a convenience; commands work without it
        log.warning("telegram setMyCommands failed", error=type(error).__name__)


@contextlib.asynccontextmanager
async def polling(container: Container, config: TelegramConfig | None = None) -> AsyncIterator[None]:
    """Long polling for the server's lifetime; does nothing without a token or in webhook mode.

    An unreachable Bot API at start does not keep the server from starting: the bot keeps trying
    in the background (a rejected token is logged and the bot stays off).
    """
    config = config or TelegramConfig.from_settings(container.settings)
    if not config.polling:
        yield
        return
    application = build_application(container, config, polling=True)
    runner = asyncio.create_task(_start_polling(application, config), name="telegram-polling")
    try:
        yield
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


async def _start_polling(application: TelegramApplication, config: TelegramConfig) -> None:
    """Connect (getMe), publish the menu and start polling; retry while the Bot API is unreachable."""
    backoff = config.backoff_s
    try:
        while True:
            try:
                await application.initialize()  # getMe
                break
            except (NetworkError, RetryAfter) as error:
                log.warning("telegram Bot API unreachable, retrying", error=type(error).__name__, wait_s=backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_START_BACKOFF_S)
        await register_commands(application, config)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            timeout=dt.timedelta(seconds=config.poll_timeout_s),
            allowed_updates=ALLOWED_UPDATES,
            bootstrap_retries=-1,  # deleteWebhook at start: keep trying through 5xx and timeouts
        )
        log.info("telegram bot polling", bot=application.bot.username)
    except InvalidToken:
        log.error("telegram rejected TRADEHUB_TELEGRAM_TOKEN; the Telegram bot stays off")
    except Exception as error:  # a Bot API server that answers nonsense: report it and keep the hub up
        log.error("telegram bot failed to start; it stays off", error=type(error).__name__)


@contextlib.asynccontextmanager
async def webhook_application(container: Container, config: TelegramConfig) -> AsyncIterator[TelegramApplication]:
    """An initialised Application (no updater) that webhook deliveries are fed into."""
    application = build_application(container, config, polling=False)
    async with application:
        await register_commands(application, config)
        log.info("telegram bot ready for webhooks", bot=application.bot.username)
        yield application
