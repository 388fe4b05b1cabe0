"""Exactly once and platform errors: redelivered updates, 429 with retry_after and 5xx from the Bot API."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time

import pytest

from bots.telegram.config import TelegramConfig
from bots.telegram.runtime import polling
from hub.app.container import Container
from tests.bots.telegram.conftest import ALICE, Chat, fast, link, order_count
from tests.fakes.telegram import FakeTelegram

# PTB itself warns about the int form of RetryAfter.retry_after while building the 429 exception.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture(autouse=True)
def alice(container: Container) -> None:
    link(container, "alice", ALICE)


async def test_an_update_redelivered_in_the_same_batch_runs_once(
    bot: Chat, fake_telegram: FakeTelegram, container: Container
) -> None:
    update = fake_telegram.message_update("/buy 0.01 BTC/USDT", user_id=ALICE)
    fake_telegram.push_update(update)
    fake_telegram.push_update(update)
    await bot.wait("sendMessage", lambda r: True, since=0)
    await bot.say("/price BTC")  # processed after both copies: they are done

    assert order_count(container) == 1


async def test_an_update_redelivered_after_a_restart_runs_once(
    fake_telegram: FakeTelegram, container: Container
) -> None:
    config = fast(TelegramConfig.from_settings(container.settings))
    chat = Chat(fake_telegram)
    update = fake_telegram.message_update("/buy 0.01 BTC/USDT", user_id=ALICE)
    for _ in range(2):  # the process died before confirming the update; Telegram hands it out again
        started = time.monotonic()
        async with polling(container, config):
            fake_telegram.push_update(update)
            await chat.next_send(ALICE, since=started)

    assert order_count(container) == 1
    first, second = (r.body["text"] for r in chat.sent_to(ALICE))  # the same answer, from the stored reply
    assert first == second


async def test_flood_control_429_is_waited_out_and_the_command_runs_once(
    bot: Chat, fake_telegram: FakeTelegram, container: Container
) -> None:
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
    started = time.monotonic()
    reply = await bot.say("/buy 0.01 BTC/USDT")

    assert "filled" in reply["text"] and time.monotonic() - started >= 1.0
    assert [r.status for r in fake_telegram.requests("sendMessage")] == [429, 200]
    assert order_count(container) == 1


async def test_server_errors_are_retried_with_backoff_and_the_command_runs_once(
    bot: Chat, fake_telegram: FakeTelegram, container: Container
) -> None:
    fake_telegram.fail_next("sendMessage", status=502)
    fake_telegram.fail_next("sendMessage", status=500)
    fake_telegram.fail_next("sendMessage", status=503)
    reply = await bot.say("/buy 0.01 BTC/USDT")

    sends = fake_telegram.requests("sendMessage")
    assert "filled" in reply["text"] and [r.status for r in sends] == [502, 500, 503, 200]
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(sends)]
    assert gaps[1] > gaps[0] * 1.5  # the backoff grows
    assert order_count(container) == 1


async def test_a_bot_api_that_stays_down_loses_the_reply_not_the_bot(
    bot: Chat, fake_telegram: FakeTelegram, container: Container
) -> None:
    fake_telegram.fail_next("sendMessage", status=500, times=5)
    fake_telegram.push_message("/buy 0.01 BTC/USDT", user_id=ALICE)
    await bot.wait("sendMessage", lambda r: len(fake_telegram.requests("sendMessage")) >= 5, since=0)
    after = await bot.say("/price BTC")

    assert after["text"].startswith("BTC/USDT")
    assert order_count(container) == 1 and len(fake_telegram.requests("sendMessage")) == 6


async def test_button_answers_and_edits_are_retried_too(
    bot: Chat, fake_telegram: FakeTelegram, container: Container
) -> None:
    asked = await bot.say("/buy 0.1 BTC/USDT")
    message = next(r.response["result"] for r in fake_telegram.requests("sendMessage") if r.body is asked)
    fake_telegram.fail_next("answerCallbackQuery", status=502)
    fake_telegram.fail_next("editMessageText", status=429, retry_after=1)
    await bot.press(asked["reply_markup"]["inline_keyboard"][0][0]["callback_data"], message=message)
    edited = await bot.wait("editMessageText", lambda r: r.status == 200, since=0)

    assert [r.status for r in fake_telegram.requests("answerCallbackQuery")] == [502, 200]
    assert "filled" in edited.body["text"] and order_count(container) == 1


async def test_a_bot_api_down_at_start_delays_the_bot_but_not_the_hub(
    fake_telegram: FakeTelegram, container: Container
) -> None:
    fake_telegram.fail_next("getMe", status=502, times=2)
    fake_telegram.fail_next("deleteWebhook", status=500)
    async with polling(container, fast(TelegramConfig.from_settings(container.settings))):
        contacted_before_serving = fake_telegram.requests()
        reply = await Chat(fake_telegram).say("/price BTC")

    assert contacted_before_serving == []  # the server's start does not wait for Telegram
    assert reply["text"].startswith("BTC/USDT")
    assert [r.status for r in fake_telegram.requests("getMe")] == [502, 502, 200]


async def test_a_rejected_token_leaves_the_bot_off_and_the_hub_up(
    fake_telegram: FakeTelegram, container: Container
) -> None:
    config = dataclasses.replace(fast(TelegramConfig.from_settings(container.settings)), token="999:WRONG")
    async with polling(container, config):
        await Chat(fake_telegram).wait("getMe", lambda r: True, since=0)
        await asyncio.sleep(0.3)

    assert [r.status for r in fake_telegram.requests("getMe")] == [401]
    assert fake_telegram.requests("getUpdates") == []
