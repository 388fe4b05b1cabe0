"""Every grammar family end to end: a Telegram user -> the fake Bot API -> PTB polling -> hub -> reply."""

from __future__ import annotations

import time

import pytest

from engine.clock import FakeClock
from hub.app.container import Container
from hub.principals import Principal, Role
from tests.bots.telegram.conftest import ALICE, Chat, link
from tests.fakes.telegram import FakeTelegram


@pytest.fixture
def alice(container: Container) -> Principal:
    return link(container, "alice", ALICE, role=Role.ADMIN)


async def test_buy_fills_on_paper_and_replies_in_html(bot: Chat, container: Container, alice: Principal) -> None:
    reply = await bot.say("/buy 0.01 BTC/USDT")

    orders = container.services.oms.orders(alice.user_id)
    assert len(orders) == 1 and orders[0].status.value == "filled" and str(orders[0].quantity) == "0.01"
    assert reply["parse_mode"] == "HTML"
    assert f"{orders[0].id} buy 0.01 BTC/USDT on paper: filled" in reply["text"]
    assert reply["reply_parameters"]["message_id"] == 1  # threaded under the user's message


async def test_plain_text_trade_prefix_and_sell(bot: Chat, container: Container, alice: Principal) -> None:
    await bot.say("buy 0.02 BTC/USDT")
    sold = await bot.say("/trade sell 0.01 BTCUSDT")

    orders = container.services.oms.orders(alice.user_id)
    assert sorted((o.side.value, str(o.quantity)) for o in orders) == [("buy", "0.02"), ("sell", "0.01")]
    assert "sell 0.01 BTC/USDT on paper: filled" in sold["text"]


async def test_limit_order_listed_as_a_table_then_canceled(bot: Chat, container: Container, alice: Principal) -> None:
    await bot.say("/buy 0.001 BTC/USDT @ 30000")
    listing = await bot.say("/orders")
    order = container.services.oms.orders(alice.user_id)[0]
    canceled = await bot.say(f"/cancel {order.id}")

    assert listing["text"].startswith("<b>Orders</b>\n<pre>ID")
    assert order.id in listing["text"] and "30,000" not in listing["text"] and "30000" in listing["text"]
    assert "canceled" in canceled["text"]
    assert container.services.oms.order(alice.user_id, order.id).status.value == "canceled"


async def test_fills_balance_portfolio_and_pnl(bot: Chat, alice: Principal) -> None:
    await bot.say("buy 0.01 BTC/USDT")
    fills = await bot.say("fills")
    balance = await bot.say("/balance")
    portfolio = await bot.say("/portfolio")
    pnl = await bot.say("/pnl week")

    assert fills["text"].startswith("<b>Fills</b>\n<pre>SIDE") and "buy   0.01  BTC/USDT" in fills["text"]
    for text in (balance["text"], portfolio["text"]):
        assert text.startswith("<b>Equity ") and "<pre>ASSET" in text
        assert "BTC    paper  0.01" in text and "Realized P&amp;L" in text
    assert pnl["text"].startswith("P&amp;L (week):")


async def test_price_and_sentiment_chart_as_a_photo(bot: Chat, fake_telegram: FakeTelegram, alice: Principal) -> None:
    price = await bot.say("/price BTC")
    sentiment = await bot.say("/sentiment BTC")

    assert price["text"].startswith("BTC/USDT ") and price["text"].endswith(" on paper")
    photo = fake_telegram.requests("sendPhoto")[-1]
    assert sentiment is photo.body and photo.files["photo"].data.startswith(b"\x89PNG")
    assert photo.body["caption"].startswith("BTC sentiment") and photo.body["parse_mode"] == "HTML"


async def test_price_after_two_days_of_candles_comes_as_a_chart(
    bot: Chat, fake_telegram: FakeTelegram, clock: FakeClock, alice: Principal
) -> None:
    clock.advance(2 * 86_400_000)
    reply = await bot.say("/price BTC")

    photo = fake_telegram.requests("sendPhoto")[-1]
    assert reply is photo.body and photo.files["photo"].data.startswith(b"\x89PNG")
    assert photo.body["caption"].startswith("BTC/USDT ") and "% 24h)" in photo.body["caption"]
    assert photo.response["result"]["photo"][0]["width"] > 100


async def test_strategies_dca_and_stop(bot: Chat, container: Container, alice: Principal) -> None:
    started = await bot.say("/dca $10 BTC/USDT every 1h")
    listing = await bot.say("/strategies")
    strategy_id = started["text"].split("strategy ")[1].split()[0]
    stopped = await bot.say(f"/stop {strategy_id}")

    assert "Started dca strategy" in started["text"] and f"<code>stop {strategy_id}</code>" in started["text"]
    assert f"{strategy_id} dca BTC/USDT [running]" in listing["text"]
    assert strategy_id in stopped["text"] and "stopped" in stopped["text"].lower()


async def test_help_start_and_per_command_help(bot: Chat, alice: Principal) -> None:
    start = await bot.say("/start")
    one = await bot.say("/help buy")

    assert start["text"].startswith("<b>Commands") and "<code>price SYMBOL</code>" in start["text"]
    assert "<code>buy|sell QTY SYMBOL [@ PRICE]" in one["text"] and "Place a market order" in one["text"]


async def test_risk_alerts_kill_switch_and_resume(bot: Chat, fake_telegram: FakeTelegram, alice: Principal) -> None:
    risk = await bot.say("/risk")
    alerts = await bot.say("/alerts")
    kill = await bot.say("/kill")
    press = await bot.press(
        kill["reply_markup"]["inline_keyboard"][0][0]["callback_data"], message=_sent(fake_telegram, kill)
    )
    halted = await bot.wait("editMessageText", lambda r: True, since=0)
    blocked = await bot.say("buy 0.01 BTC/USDT")
    resumed = await bot.say("/resume")

    assert risk["text"].startswith("Kill switch: off") and "No alerts." in alerts["text"]
    assert press.body["text"] == "Confirmed" and "Kill switch on by alice" in halted.body["text"]
    assert blocked["text"].startswith("⚠️") and "kill switch" in blocked["text"].lower()
    assert "trading resumed" in resumed["text"]


async def test_bad_input_gets_a_clear_error_and_nothing_runs(bot: Chat, container: Container, alice: Principal) -> None:
    reply = await bot.say("/buy lots BTC/USDT")

    assert reply["text"] == "⚠️ quantity <code>lots</code> is not a number"
    assert container.services.oms.orders(alice.user_id) == []


async def test_commands_for_another_bot_and_group_chatter_are_ignored(
    bot: Chat, fake_telegram: FakeTelegram, container: Container, alice: Principal
) -> None:
    container.services.channels.allow("telegram", "-100777")
    fake_telegram.push_message("/price@SomeOtherBot BTC", chat_id=-100777)
    fake_telegram.push_message("buy 0.01 BTC/USDT, anyone?", chat_id=-100777)
    mine = await bot.say("/price@tradehub_test_bot ETH", chat_id=-100777)
    mentioned = await bot.say("@tradehub_test_bot price BTC", chat_id=-100777)

    assert mine["text"].startswith("ETH/USDT") and mentioned["text"].startswith("BTC/USDT")
    assert len(bot.sent_to(-100777)) == 2 and container.services.oms.orders(alice.user_id) == []


async def test_markup_in_user_input_is_escaped_and_accepted_by_telegram(
    bot: Chat, fake_telegram: FakeTelegram, alice: Principal
) -> None:
    reply = await bot.say("/price <b>BTC&")

    assert "<code>&lt;b&gt;BTC&amp;</code>" in reply["text"]
    assert [r.status for r in fake_telegram.requests("sendMessage")] == [200]  # the fake parses HTML like Telegram


async def test_a_run_button_runs_its_command(bot: Chat, fake_telegram: FakeTelegram, alice: Principal) -> None:
    shown = await bot.say("/risk")
    started = time.monotonic()
    await bot.press("tradehub:run:price ETH", message=_sent(fake_telegram, shown))
    reply = await bot.next_send(ALICE, since=started)

    assert reply.body["text"].startswith("ETH/USDT")


def _sent(fake: FakeTelegram, body: dict[str, object]) -> dict[str, object]:
    """The Message the fake returned for a request body we got back from ``say``."""
    return next(r.response["result"] for r in fake.requests() if r.body is body)
