"""Slack HTTP mode end to end: Slack's signed POST -> the real app (bolt) -> gateway -> hub -> Slack fake."""

from __future__ import annotations

import asyncio
import threading
import time
from decimal import Decimal
from typing import Any

import pytest

from hub.app.container import Container
from hub.dispatch import Context, Services
from hub.handlers import HANDLERS
from hub.principals import Principal
from hub.reply import Reply
from tests.bots.slack.conftest import DM, QUIET_CHANNEL, STRANGER, TRADER, TRADING_CHANNEL, SlackHttp, texts
from tests.fakes.slack import FakeSlack, block_kit_problems


def blocks_text(message: dict) -> str:
    """Everything a reader sees in a Block Kit message."""
    parts = [str(message.get("text", ""))]
    for block in message.get("blocks") or []:
        parts.append(str(block.get("text", {}).get("text", "")))
        parts += [str(field["text"]) for field in block.get("fields", [])]
        parts += [str(element.get("text", "")) for element in block.get("elements", []) if block["type"] == "context"]
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("help", "Commands"),
        ("", "Commands"),  # a bare /trade shows the usage
        ("price BTC/USDT", "BTC/USDT"),
        ("balance", "USDT (paper)"),
        ("portfolio", "Equity"),
        ("pnl week", "P&L (week)"),
        ("orders", "No orders"),
        ("fills", "No fills"),
        ("strategies", "No strategies"),
        ("risk", "Kill switch: off"),
        ("alerts", "No alerts"),
        ("buy 0.01 BTCUSDT @ 1000", "buy 0.01 BTC/USDT @ 1000 on paper: open"),
        ("cancel all", "No open orders to cancel"),
        ("dca $10 BTC/USDT every 1d", "Started dca strategy"),
        ("grid BTC/USDT 30000-50000 10 quantity=0.001", "Started grid strategy"),
        ("backtest dca BTC/USDT amount=100", "Backtest dca BTC/USDT"),
        ("leaders", "lead"),
        ("follow nobody", "no leader named nobody"),
        ("webhooks", "No webhook endpoints"),
        ("kill", "needs the admin role"),
        ("frobnicate", "unknown command `frobnicate`"),
    ],
)
async def test_slash_command_runs_the_grammar_and_answers_in_block_kit(
    slack: SlackHttp, command: str, expected: str
) -> None:
    reply = await slack.slash(command)

    assert expected in blocks_text(reply)
    assert block_kit_problems(reply["blocks"]) == []
    assert reply["blocks"][0]["type"] == "section" and reply["blocks"][-1]["type"] == "context"


async def test_slash_buy_fills_once_and_is_audited_with_the_slack_front_end(
    slack: SlackHttp, container: Container, alice: Principal
) -> None:
    reply = await slack.slash("buy 0.01 BTC/USDT", channel=TRADING_CHANNEL)

    assert "buy 0.01 BTC/USDT on paper: filled" in reply["text"]
    assert reply["response_type"] == "in_channel"
    orders = container.services.oms.orders(alice.user_id)
    assert [(order.side.value, order.quantity) for order in orders] == [("buy", Decimal("0.01"))]
    history = await container.hub.handle(alice, "fills", frontend="test", idempotency_key="check-fills")
    assert "buy 0.01 BTC/USDT" in history.text


async def test_slash_command_is_acknowledged_before_the_command_finishes(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container
) -> None:
    # The command is held until the acknowledgement has arrived: an app that answered only after running
    # the command would hang here (and fail on the client's timeout), however fast or slow the machine.
    entered, release = threading.Event(), threading.Event()
    trade = HANDLERS["trade"]

    async def held(services: Services, context: Context, command: Any) -> Reply:
        entered.set()
        while not release.is_set():
            await asyncio.sleep(0.01)
        return await trade(services, context, command)

    container.hub.register("trade", held)
    payload = fake_slack.slash_command("sell 0.5 BTC/USDT")  # refused by the hub: nothing held
    try:
        response = await slack.post(payload)
        assert response.status_code == 200 and response.text == ""
        assert fake_slack.requests("response_url") == []  # acknowledged while the command is still running
    finally:
        release.set()
    reply = await fake_slack.journal.wait_for("response_url", timeout=30)
    assert entered.is_set() and "insufficient" in reply.body["text"].lower()


async def test_mention_in_an_allow_listed_channel_trades_and_answers_there(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    event = fake_slack.app_mention_event("buy 0.01 BTC/USDT", channel=TRADING_CHANNEL)

    response = await slack.post(fake_slack.event_callback(event))
    posted = await fake_slack.wait_for("chat.postMessage", timeout=30)

    assert response.status_code == 200
    assert posted.body["channel"] == TRADING_CHANNEL and "filled" in posted.body["text"]
    assert len(container.services.oms.orders(alice.user_id)) == 1


async def test_direct_message_answers_in_the_dm(slack: SlackHttp, fake_slack: FakeSlack) -> None:
    await slack.post(fake_slack.event_callback(fake_slack.message_event("price ETH/USDT", channel=DM)))

    posted = await fake_slack.wait_for("chat.postMessage", timeout=30)
    assert posted.body["channel"] == DM and "ETH/USDT" in posted.body["text"]


async def test_balance_asked_in_a_shared_channel_is_answered_only_to_the_asker(
    slack: SlackHttp, fake_slack: FakeSlack
) -> None:
    await slack.post(fake_slack.event_callback(fake_slack.app_mention_event("balance", channel=TRADING_CHANNEL)))

    private = await fake_slack.wait_for("chat.postEphemeral", timeout=30)
    assert private.body["user"] == TRADER and "USDT (paper)" in private.body["text"]
    assert texts(fake_slack, "chat.postMessage") == []


async def test_trading_in_a_channel_that_is_not_allow_listed_is_refused(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    await slack.post(
        fake_slack.event_callback(fake_slack.app_mention_event("buy 0.01 BTC/USDT", channel=QUIET_CHANNEL))
    )

    posted = await fake_slack.wait_for("chat.postMessage", timeout=30)
    assert "not allowed in this channel" in posted.body["text"]
    assert container.services.oms.orders(alice.user_id) == []


async def test_unlinked_user_is_told_how_to_link_and_nothing_runs(
    slack: SlackHttp, container: Container, alice: Principal
) -> None:
    refused = await slack.slash("buy 0.01 BTC/USDT", user=STRANGER, channel=TRADING_CHANNEL)
    code = await slack.slash("link", user=STRANGER, channel=TRADING_CHANNEL)

    assert "not linked" in refused["text"] and "`link`" in refused["text"]
    assert code["response_type"] == "ephemeral" and "tradehub link YOUR_NAME --code" in code["text"]
    assert container.services.oms.orders(alice.user_id) == []


async def test_chart_replies_are_uploaded_as_files(slack: SlackHttp, fake_slack: FakeSlack) -> None:
    reply = await slack.slash("sentiment BTC")

    completed = await fake_slack.wait_for("files.completeUploadExternal", timeout=30)
    assert "BTC sentiment" in reply["text"]
    file_id = completed.body["files"][0]["id"]
    assert fake_slack.uploaded[file_id].startswith(b"\x89PNG")
    assert completed.body["channel_id"] == DM


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
async def test_bad_signature_is_refused_with_401_and_nothing_runs(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal, secret: str
) -> None:
    payload = fake_slack.event_callback(fake_slack.app_mention_event("buy 0.01 BTC/USDT", channel=TRADING_CHANNEL))

    response = await slack.post(payload, secret=secret)

    assert response.status_code == 401
    await slack.slash("help")  # a valid request afterwards is answered: the bad one left nothing queued
    assert texts(fake_slack, "chat.postMessage") == []
    assert container.services.oms.orders(alice.user_id) == []


async def test_stale_timestamp_is_refused_with_401_and_nothing_runs(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    payload = fake_slack.slash_command("buy 0.01 BTC/USDT", channel_id=TRADING_CHANNEL)
    six_minutes_ago = int(time.time()) - 6 * 60

    response = await slack.post(payload, timestamp=six_minutes_ago)

    assert response.status_code == 401
    await slack.slash("help")
    assert len(fake_slack.requests("response_url")) == 1
    assert container.services.oms.orders(alice.user_id) == []


async def test_request_url_verification_challenge_is_answered(slack: SlackHttp) -> None:
    challenge = {
        "token": "fake-verification-token",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }

    response = await slack.post(challenge)

    assert response.status_code == 200
    assert response.json() == {"challenge": challenge["challenge"]}


async def test_slash_command_in_a_dm_is_answered_to_the_invoker_only(slack: SlackHttp) -> None:
    reply = await slack.slash("balance", channel=DM)

    assert reply["response_type"] == "ephemeral" and "USDT (paper)" in reply["text"]
