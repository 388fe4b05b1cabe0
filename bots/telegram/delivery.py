"""Sending to the Bot API with retries: 429 waits ``retry_after``, 5xx and network errors back off.

Only the Bot API call is repeated, never the hub command behind it: the command already ran when a
reply is being delivered. Requests the server refused for good (400, 403, 401) are not retried.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bots.telegram.config import TelegramConfig
from bots.telegram.render import MAX_CAPTION, PARSE_MODE, TelegramMessage

log = structlog.get_logger(__name__)
T = TypeVar("T")


class DeliveryFailed(Exception):
    """The Bot API kept failing after every retry (or asked to wait longer than we allow)."""


async def with_retries(call: Callable[[], Awaitable[T]], config: TelegramConfig, *, method: str) -> T:
    """Run one Bot API call, retrying flood-control (429) and transient (5xx, network) failures."""
    backoff = config.backoff_s
    for attempt in range(1, config.send_attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            wait = _retry_after_s(error)
            if wait > config.max_retry_after_s:
                raise DeliveryFailed(f"{method}: flood control asks to wait {wait:.0f}s") from error
        except BadRequest:
            raise  # our request is wrong; sending it again cannot help
        except NetworkError:  # 5xx answers, timeouts, refused connections
            wait, backoff = backoff, min(backoff * 2, config.max_backoff_s)
        if attempt == config.send_attempts:
            break
        log.warning("telegram call failed, retrying", method=method, attempt=attempt, wait_s=round(wait, 3))
        await asyncio.sleep(wait)
    raise DeliveryFailed(f"{method}: still failing after {config.send_attempts} attempts")


def _retry_after_s(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int form becomes a timedelta; accept both
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = error.retry_after
    return retry_after.total_seconds() if isinstance(retry_after, dt.timedelta) else float(retry_after)


class Sender:
    """The adapter's outgoing calls, each one retried by :func:`with_retries`."""

    def __init__(self, bot: Bot, config: TelegramConfig) -> None:
        self.bot = bot
        self.config = config

    async def send(self, chat_id: int, message: TelegramMessage, *, reply_to: int | None = None) -> Message:
        """Send a rendered reply: a photo (with the text as caption when it fits) or a text message."""
        reply_parameters = None
        if reply_to is not None:
            reply_parameters = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        if message.image is not None:
            caption_fits = len(message.text) <= MAX_CAPTION
            image = message.image
            photo = await with_retries(
                lambda: self.bot.send_photo(
                    chat_id,
                    photo=image,
                    caption=message.text if caption_fits else None,
                    parse_mode=PARSE_MODE,
                    reply_markup=message.keyboard if caption_fits else None,
                    reply_parameters=reply_parameters,
                ),
                self.config,
                method="sendPhoto",
            )
            if caption_fits:
                return photo
            reply_parameters = None
        return await with_retries(
            lambda: self.bot.send_message(
                chat_id,
                message.text,
                parse_mode=PARSE_MODE,
                reply_markup=message.keyboard,
                reply_parameters=reply_parameters,
            ),
            self.config,
            method="sendMessage",
        )

    async def edit(self, chat_id: int, message_id: int, text: str, *, keyboard: InlineKeyboardMarkup | None) -> None:
        """Replace a message's text (and keyboard; ``None`` removes it)."""
        await with_retries(
            lambda: self.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, parse_mode=PARSE_MODE, reply_markup=keyboard
            ),
            self.config,
            method="editMessageText",
        )

    async def answer_button(self, query_id: str, text: str | None = None, *, alert: bool = False) -> None:
        """Stop the button's spinner, with a toast (or an alert box) saying what happened."""
        await with_retries(
            lambda: self.bot.answer_callback_query(query_id, text=text, show_alert=alert),
            self.config,
            method="answerCallbackQuery",
        )
