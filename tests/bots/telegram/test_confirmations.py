"""Confirmation buttons: Confirm by the same user executes once; foreign, repeated and stale presses are refused."""

from __future__ import annotations

from typing import Any

import pytest

from hub.app.container import Container
from hub.principals import Principal
from tests.bots.telegram.conftest import ALICE, BOB, GROUP, STRANGER, Chat, link, order_count
from tests.fakes.telegram import FakeTelegram


@pytest.fixture
def alice(container: Container) -> Principal:
    link(container, "bob", BOB)
    return link(container, "alice", ALICE)


async def _ask(bot: Chat, fake: FakeTelegram) -> tuple[dict[str, Any], str, str]:
    """A large buy that needs confirming: (the keyboard message, confirm data, cancel data)."""
    body = await bot.say("/buy 0.1 BTC/USDT")
    message = next(r.response["result"] for r in fake.requests("sendMessage") if r.body is body)
    confirm, cancel = body["reply_markup"]["inline_keyboard"][0]
    return message, confirm["callback_data"], cancel["callback_data"]


async def test_large_order_asks_with_inline_buttons(bot: Chat, fake_telegram: FakeTelegram, alice: Principal) -> None:
    message, confirm, cancel = await _ask(bot, fake_telegram)

    assert message["text"].startswith("Confirm buy 0.1 BTC/USDT")
    assert confirm.startswith("tradehub:confirm:cf") and cancel == confirm.replace("confirm", "cancel")
    assert [b["text"] for b in message["reply_markup"]["inline_keyboard"][0]] == ["✅ Confirm", "✖️ Cancel"]


async def test_confirm_by_the_same_user_executes_once(
    bot: Chat, fake_telegram: FakeTelegram, container: Container, alice: Principal
) -> None:
    message, confirm, _ = await _ask(bot, fake_telegram)
    foreign = await bot.press(confirm, message=message, user_id=BOB)
    stranger = await bot.press(confirm, message=message, user_id=STRANGER)
    assert order_count(container) == 0

    answered = await bot.press(confirm, message=message)
    edited = await bot.wait("editMessageText", lambda r: r.body["message_id"] == message["message_id"], since=0)
    again = await bot.press(confirm, message=message)

    assert foreign.body["show_alert"] is True and stranger.body["show_alert"] is True
    assert "not linked" in stranger.body["text"]
    assert answered.body["text"] == "Confirmed"
    assert "Confirmed by Trader" in edited.body["text"] and "filled" in edited.body["text"]
    assert "reply_markup" not in edited.body  # the keyboard is gone
    assert again.body["show_alert"] is True
    orders = container.services.oms.orders(alice.user_id)
    assert len(orders) == 1 and str(orders[0].quantity) == "0.1"


async def test_cancel_discards_and_a_later_confirm_is_refused(
    bot: Chat, fake_telegram: FakeTelegram, container: Container, alice: Principal
) -> None:
    message, confirm, cancel = await _ask(bot, fake_telegram)
    canceled = await bot.press(cancel, message=message)
    edited = await bot.wait("editMessageText", lambda r: True, since=0)
    late = await bot.press(confirm, message=message)

    assert canceled.body["text"] == "Canceled" and "Canceled by Trader" in edited.body["text"]
    assert late.body["show_alert"] is True and order_count(container) == 0


async def test_an_unknown_button_is_answered_and_changes_nothing(
    bot: Chat, fake_telegram: FakeTelegram, container: Container, alice: Principal
) -> None:
    message, _, _ = await _ask(bot, fake_telegram)
    answered = await bot.press("something:else", message=message)

    assert answered.body["text"] == "This button is no longer active." and order_count(container) == 0


async def test_confirmation_in_an_allow_listed_group_is_for_the_asker_only(
    bot: Chat, fake_telegram: FakeTelegram, container: Container, alice: Principal
) -> None:
    container.services.channels.allow("telegram", str(GROUP))
    body = await bot.say("/buy 0.1 BTC/USDT", chat_id=GROUP)
    message = next(r.response["result"] for r in fake_telegram.requests("sendMessage") if r.body is body)
    confirm = body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    foreign = await bot.press(confirm, message=message, user_id=BOB)
    mine = await bot.press(confirm, message=message, user_id=ALICE)
    edited = await bot.wait("editMessageText", lambda r: r.body["chat_id"] == GROUP, since=0)

    assert foreign.body["show_alert"] is True and mine.body["text"] == "Confirmed"
    assert "Confirmed by Trader" in edited.body["text"] and "filled" in edited.body["text"]
    assert len(container.services.oms.orders(alice.user_id)) == 1 and order_count(container) == 1


async def test_a_confirmed_order_that_then_fails_settles_the_message_with_the_error(
    bot: Chat, fake_telegram: FakeTelegram, container: Container, alice: Principal
) -> None:
    message, confirm, _ = await _ask(bot, fake_telegram)
    for index in range(6):  # meanwhile, small buys elsewhere spend the cash the large one needs
        await container.hub.handle(alice, "buy 0.02 BTC/USDT", frontend="rest", idempotency_key=f"spend-{index}")

    pressed = await bot.press(confirm, message=message)
    edited = await bot.wait("editMessageText", lambda r: r.body["message_id"] == message["message_id"], since=0)

    assert pressed.body.get("show_alert") is not True and "insufficient USDT" in pressed.body["text"]
    assert "Confirmed by Trader" in edited.body["text"] and "⚠️ insufficient USDT" in edited.body["text"]
    assert "reply_markup" not in edited.body and order_count(container) == 6
