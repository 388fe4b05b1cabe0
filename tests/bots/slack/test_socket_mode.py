"""Socket Mode: bolt's Socket Mode client on the fake's websocket, acknowledging each envelope at once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bots.slack.adapter import SlackBot
from bots.slack.socket_mode import socket_mode
from hub.app.container import Container
from hub.dispatch import Context, Services
from hub.handlers import HANDLERS
from hub.principals import Principal
from hub.reply import Reply
from tests.bots.slack.conftest import ADMIN, DM, TRADING_CHANNEL, texts
from tests.fakes.slack import FakeSlack


@pytest.fixture
async def bot(container: Container, fake_slack: FakeSlack, alice: Principal) -> AsyncIterator[SlackBot]:
    async with socket_mode(container) as running:
        assert running is not None
        await fake_slack.wait_for("apps.connections.open")
        yield running


async def test_socket_mode_connects_with_the_app_token(bot: SlackBot, fake_slack: FakeSlack) -> None:
    opened = fake_slack.requests("apps.connections.open")[0]
    assert opened.headers["authorization"] == f"Bearer {fake_slack.app_token}"


async def test_slash_command_over_socket_mode_is_acknowledged_then_answered(
    bot: SlackBot, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    # The command is held until the ack has arrived: acknowledging only after the command ran would time out
    # here, whatever the machine's speed (no latency assertion needed).
    entered, release = threading.Event(), threading.Event()
    trade = HANDLERS["trade"]

    async def held(services: Services, context: Context, command: Any) -> Reply:
        entered.set()
        while not release.is_set():
            await asyncio.sleep(0.01)
        return await trade(services, context, command)

    container.hub.register("trade", held)
    envelope = fake_slack.push_slash_command("buy 0.01 BTC/USDT", channel_id=TRADING_CHANNEL)
    try:
        ack = await fake_slack.wait_for_ack(envelope)
        assert fake_slack.requests("response_url") == []  # acknowledged while the command is still running
    finally:
        release.set()
    reply = await fake_slack.wait_for("response_url", timeout=30)

    assert ack.body["envelope_id"] == envelope and entered.is_set()
    assert "filled" in reply.body["text"] and reply.body["response_type"] == "in_channel"
    assert len(container.services.oms.orders(alice.user_id)) == 1


async def test_direct_message_over_socket_mode(bot: SlackBot, fake_slack: FakeSlack) -> None:
    envelope = fake_slack.push_message_event("portfolio", channel=DM)

    await fake_slack.wait_for_ack(envelope)
    posted = await fake_slack.wait_for("chat.postMessage", timeout=30)
    assert posted.body["channel"] == DM and "Equity" in posted.body["text"]


async def test_redelivered_event_runs_once(
    bot: SlackBot, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    event = fake_slack.app_mention_event("buy 0.01 BTC/USDT", channel=TRADING_CHANNEL)
    first = fake_slack.push_event(event, event_id="Ev0SAME")
    await fake_slack.wait_for("chat.postMessage", timeout=30)

    again = fake_slack.push_event(event, event_id="Ev0SAME", retry_attempt=1, retry_reason="timeout")
    await fake_slack.wait_for_ack(first)
    await fake_slack.wait_for_ack(again)
    await asyncio.sleep(0.5)  # the listener runs after the ack: give a second run the time to show up

    assert len(container.services.oms.orders(alice.user_id)) == 1
    assert len(texts(fake_slack, "chat.postMessage")) == 1


async def test_confirmation_buttons_over_socket_mode(
    bot: SlackBot, fake_slack: FakeSlack, container: Container
) -> None:
    fake_slack.push_app_mention("kill", user=ADMIN, channel=TRADING_CHANNEL)
    prompt = await fake_slack.wait_for("chat.postMessage", timeout=30)
    confirm = next(
        element["action_id"]
        for block in prompt.body["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["text"]["text"] == "Confirm"
    )

    press = fake_slack.push_block_action(
        confirm,
        confirm.rsplit(":", 1)[1],
        user_id=ADMIN,
        channel_id=TRADING_CHANNEL,
        message=prompt.response["message"],
    )
    await fake_slack.wait_for_ack(press)
    updated = await fake_slack.wait_for("chat.update", timeout=30)

    assert container.services.oms.kill_switch_on()
    assert updated.body["ts"] == prompt.response["ts"]


async def test_socket_mode_is_off_without_the_app_token(container: Container, fake_slack: FakeSlack) -> None:
    from dataclasses import replace

    from bots.slack.config import SlackConfig

    config = replace(SlackConfig.from_settings(container.settings), app_token=None)
    async with socket_mode(container, config) as running:
        assert running is None
    assert fake_slack.requests("apps.connections.open") == []


async def test_the_server_runs_socket_mode_as_a_background_service(
    container: Container, fake_slack: FakeSlack, alice: Principal
) -> None:
    from hub.app.api import create_app
    from tests.conftest import LiveServer

    with LiveServer(create_app(container)):
        await fake_slack.wait_for("apps.connections.open", timeout=30)
        envelope = fake_slack.push_message_event("price BTC/USDT", channel=DM)
        await fake_slack.wait_for_ack(envelope)
        posted = await fake_slack.wait_for("chat.postMessage", timeout=30)

    assert posted.body["channel"] == DM and "BTC/USDT" in posted.body["text"]


async def test_reconnects_when_slack_rotates_the_connection(bot: SlackBot, fake_slack: FakeSlack) -> None:
    fake_slack.request_reconnect()
    await fake_slack.wait_for(
        "apps.connections.open", predicate=lambda _: len(fake_slack.requests("apps.connections.open")) == 2, timeout=30
    )

    envelope = fake_slack.push_message_event("price BTC/USDT", channel=DM)

    await fake_slack.wait_for_ack(envelope, timeout=30)
    posted = await fake_slack.wait_for("chat.postMessage", timeout=30)
    assert "BTC/USDT" in posted.body["text"]
