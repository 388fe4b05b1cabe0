"""Webhook mode through the real app under uvicorn: POST /telegram/webhook -> the same PTB handlers."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from telegram import Bot

from hub.app.container import Container
from hub.app.settings import Settings
from tests.bots.telegram.conftest import ALICE, Chat, link, order_count
from tests.conftest import LiveServer, make_settings
from tests.fakes.telegram import FakeTelegram

SECRET = "webhook-secret-0123456789"


@pytest.fixture
def settings(tmp_path: Path, fake_telegram: FakeTelegram) -> Settings:
    return make_settings(
        tmp_path,
        telegram_token=fake_telegram.token,
        telegram_api_url=fake_telegram.api_root,
        telegram_webhook_secret=SECRET,
    )


@pytest.fixture
def server(container: Container) -> Iterator[LiveServer]:
    from hub.app.api import create_app

    link(container, "alice", ALICE)
    with LiveServer(create_app(container)) as live:  # background services on: polling must stay off
        yield live


@pytest.fixture
async def hook(server: LiveServer, fake_telegram: FakeTelegram) -> AsyncIterator[str]:
    """The operator's ``setWebhook`` with the secret, as done once when deploying."""
    url = f"{server.url}/telegram/webhook"
    async with Bot(fake_telegram.token, base_url=fake_telegram.base_url) as operator:
        await operator.set_webhook(url, secret_token=SECRET)
    yield url


async def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status, await response.json()


async def test_update_runs_the_command_and_replies(
    hook: str, fake_telegram: FakeTelegram, container: Container
) -> None:
    update = fake_telegram.message_update("/buy 0.01 BTC/USDT", user_id=ALICE)
    status = await fake_telegram.deliver_webhook(update)

    assert status == 200  # processed before the answer: the reply is already at the Bot API
    reply = fake_telegram.requests("sendMessage")[-1].body
    assert reply["chat_id"] == ALICE and "buy 0.01 BTC/USDT on paper: filled" in reply["text"]
    assert order_count(container) == 1


async def test_commands_are_registered_and_polling_is_off(hook: str, fake_telegram: FakeTelegram) -> None:
    names = [c["command"] for c in fake_telegram.commands['{"type": "default"}|']]

    assert names[:3] == ["buy", "sell", "cancel"] and "trade" in names and "kill" in names
    assert fake_telegram.requests("getUpdates") == []


async def test_redelivered_update_runs_once(hook: str, fake_telegram: FakeTelegram, container: Container) -> None:
    update = fake_telegram.message_update("/buy 0.01 BTC/USDT", user_id=ALICE)
    statuses = [await fake_telegram.deliver_webhook(update) for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert order_count(container) == 1
    with container.db.connect() as conn:
        audit = conn.execute(text("SELECT frontend, idempotency_key, replayed FROM audit_log ORDER BY id")).all()
    key = f"telegram:{update['update_id']}"
    assert [tuple(row) for row in audit] == [("telegram", key, False), ("telegram", key, True), ("telegram", key, True)]


@pytest.mark.parametrize("secret", [None, "wrong-secret", SECRET + "x"])
async def test_missing_or_wrong_secret_is_401_and_nothing_runs(
    hook: str, fake_telegram: FakeTelegram, container: Container, secret: str | None
) -> None:
    update = fake_telegram.message_update("/buy 0.01 BTC/USDT", user_id=ALICE)
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    status, body = await _post(hook, json.dumps(update).encode(), headers)

    assert status == 401 and body["error"]["code"] == "unauthenticated"  # type: ignore[index]
    assert order_count(container) == 0 and fake_telegram.requests("sendMessage") == []


@pytest.mark.parametrize(
    ("raw", "status", "problem"),
    [
        (b"{not json", 400, "invalid JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (b'{"message": {"text": "/buy 0.01 BTC/USDT"}}', 400, "update_id"),
        (b'{"update_id": -5}', 400, "update_id"),
        (b'{"update_id": 9, "message": {"message_id": "x", "text": "/buy 1 BTC"}}', 400, "not a Telegram Update"),
        (b'{"update_id": 9, "pad": "' + b"x" * 70_000 + b'"}', 413, "bytes"),
    ],
)
async def test_malformed_or_oversized_bodies_are_4xx_and_nothing_runs(
    hook: str, fake_telegram: FakeTelegram, container: Container, raw: bytes, status: int, problem: str
) -> None:
    got, body = await _post(hook, raw, fake_telegram.webhook_headers())

    assert got == status and problem in body["error"]["message"]  # type: ignore[index]
    assert order_count(container) == 0 and fake_telegram.requests("sendMessage") == []


async def test_confirmation_buttons_work_through_the_webhook(
    hook: str, fake_telegram: FakeTelegram, container: Container
) -> None:
    await fake_telegram.deliver_webhook(fake_telegram.message_update("/buy 0.1 BTC/USDT", user_id=ALICE))
    asked = fake_telegram.requests("sendMessage")[-1]
    confirm = asked.body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    press = fake_telegram.callback_query_update(confirm, message=asked.response["result"], user_id=ALICE)

    assert [await fake_telegram.deliver_webhook(press) for _ in range(2)] == [200, 200]
    assert order_count(container) == 1
    assert "filled" in fake_telegram.requests("editMessageText")[0].body["text"]


@contextlib.contextmanager
def _served_polling_only(
    tmp_path: Path, fake: FakeTelegram, template_db: Path
) -> Iterator[tuple[Container, LiveServer]]:
    """The whole app, served with a token but no webhook secret (polling mode)."""
    from hub.app.api import create_app
    from hub.app.container import build

    shutil.copy(template_db, tmp_path / "tradehub.db")
    container = build(make_settings(tmp_path, telegram_token=fake.token, telegram_api_url=fake.api_root))
    link(container, "alice", ALICE)
    try:
        with LiveServer(create_app(container)) as live:
            yield container, live
    finally:
        container.close()


async def test_without_the_secret_the_endpoint_is_off_and_the_served_app_polls(
    tmp_path: Path, fake_telegram: FakeTelegram, template_db: Path
) -> None:
    with _served_polling_only(tmp_path, fake_telegram, template_db) as (_container, live):
        update = fake_telegram.message_update("/buy 0.01 BTC/USDT", user_id=ALICE)
        status, _ = await _post(f"{live.url}/telegram/webhook", json.dumps(update).encode(), {})
        sent_before = fake_telegram.requests("sendMessage")
        reply = await Chat(fake_telegram).say("/price BTC")

    assert status == 404 and sent_before == []
    assert reply["text"].startswith("BTC/USDT") and fake_telegram.requests("getUpdates")
