"""A tradehub whose Telegram bot (real python-telegram-bot) talks to the Bot API fake on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bots.telegram.config import TelegramConfig
from bots.telegram.runtime import polling
from hub.app.container import Container
from hub.app.settings import Settings
from hub.principals import Principal, Role
from tests.conftest import make_settings
from tests.fakes._server import RecordedRequest
from tests.fakes.telegram import FakeTelegram

ALICE = 1001  # a linked trader (her private chat has the same id)
BOB = 1002  # a linked trader
STRANGER = 1003  # never linked
GROUP = -1001234567890
SENDS = ("sendMessage", "sendPhoto", "editMessageText")


@pytest.fixture
def settings(tmp_path: Path, fake_telegram: FakeTelegram) -> Settings:
    return make_settings(tmp_path, telegram_token=fake_telegram.token, telegram_api_url=fake_telegram.api_root)


def fast(config: TelegramConfig) -> TelegramConfig:
    """Short long-polls (quick shutdown) and short backoffs, otherwise the production settings."""
    return dataclasses.replace(config, poll_timeout_s=1, backoff_s=0.05)


def order_count(container: Container) -> int:
    """Orders of every user: what "nothing ran" is checked against."""
    with container.db.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM orders")).scalar_one())


def link(container: Container, name: str, telegram_id: int, *, role: Role = Role.TRADER) -> Principal:
    container.add_user(name, role=role)
    return container.services.users.link(name, "telegram", str(telegram_id))


class Chat:
    """Talk to the running bot through the fake as a Telegram user would, and read what it sent back."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake

    async def say(
        self, text: str, *, user_id: int = ALICE, chat_id: int | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Send ``text``; return the body of the bot's reply to that message (threaded under it)."""
        started = time.monotonic()
        update = self.fake.push_message(text, user_id=user_id, chat_id=chat_id, **kwargs)
        message_id = update["message"]["message_id"]
        target = chat_id if chat_id is not None else user_id
        found = await self.wait(
            ("sendMessage", "sendPhoto"),
            lambda r: (
                r.body.get("chat_id") == target
                and r.status == 200
                and (r.body.get("reply_parameters") or {}).get("message_id") == message_id
            ),
            since=started,
        )
        return found.body

    async def press(self, data: str, *, message: dict[str, Any], user_id: int = ALICE) -> RecordedRequest:
        """Press an inline button on ``message`` (a sent message's result); return the answerCallbackQuery."""
        started = time.monotonic()
        update = self.fake.push_callback_query(data, message=message, user_id=user_id)
        query_id = update["callback_query"]["id"]
        return await self.wait(
            "answerCallbackQuery", lambda r: r.body.get("callback_query_id") == query_id, since=started
        )

    async def next_send(self, chat_id: int, *, since: float, timeout: float = 30.0) -> RecordedRequest:
        return await self.wait(
            SENDS, lambda r: r.body.get("chat_id") == chat_id and r.status == 200, since=since, timeout=timeout
        )

    async def wait(
        self, names: str | tuple[str, ...], predicate: Any, *, since: float, timeout: float = 30.0
    ) -> RecordedRequest:
        wanted = (names,) if isinstance(names, str) else names
        deadline = time.monotonic() + timeout
        while True:
            for entry in self.fake.requests():
                if entry.at >= since and entry.name in wanted and predicate(entry):
                    return entry
            if time.monotonic() > deadline:
                raise AssertionError(f"no {wanted} within {timeout}s; saw {self.fake.journal.names()}")
            await asyncio.sleep(0.005)

    def sent_to(self, chat_id: int) -> list[RecordedRequest]:
        return [r for r in self.fake.requests() if r.name in SENDS and r.body.get("chat_id") == chat_id]


@pytest.fixture
async def bot(container: Container, fake_telegram: FakeTelegram) -> AsyncIterator[Chat]:
    """The bot long-polling the fake for the duration of the test."""
    async with polling(container, fast(TelegramConfig.from_settings(container.settings))):
        yield Chat(fake_telegram)
