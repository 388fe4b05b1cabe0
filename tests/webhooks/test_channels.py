"""Notification channels rendered natively and posted to the platform fakes through the delivery path."""

from __future__ import annotations

import json

from engine.events import Event
from engine.storage import repository as repo
from hub.app.container import Container
from hub.principals import Principal
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram
from tests.kit.hubdriver import HubDriver
from tests.webhooks.receiver import Receiver
from webhooks.channels import ChannelConfig, escape_markdown_v2, kind_of, render_discord
from webhooks.config import WebhookSettings
from webhooks.service import WebhookService, build_service


def service(container: Container, channels: ChannelConfig) -> WebhookService:
    settings = WebhookSettings(retry_schedule="0,5", jitter=0, timeout_s=10)
    home = container.settings.home
    db, clock = container.db, container.clock
    return build_service(db, clock, home=home, master_key=None, settings=settings, channels=channels)


def emit(container: Container, user: Principal, event_id: str, data: dict) -> None:
    with container.db.begin() as conn:
        repo.add_events(conn, [Event(event_id, "order.filled", container.clock.now_ms(), data, user.user_id)])


FILL = {"symbol": "BTC/USDT", "side": "buy", "quantity": "0.01", "price": "42000.5", "order_id": "o-1"}


async def test_slack_channel_gets_block_kit_through_the_bot_token(hub: HubDriver, fake_slack: FakeSlack) -> None:
    svc = service(hub.container, ChannelConfig(slack_api_url=fake_slack.api_url, slack_bot_token=fake_slack.bot_token))
    endpoint, _ = svc.store.create(hub.user, "slack:C0123456789", ["order.filled"])
    assert endpoint.kind == "slack"
    emit(hub.container, hub.user, "evt_s1", FILL)
    result = await svc.deliverer.deliver(svc.relay.run_once().delivery_ids)
    assert result.recorded.delivered == 1
    (posted,) = fake_slack.requests("chat.postMessage")
    blocks = posted.body["blocks"] if isinstance(posted.body["blocks"], list) else json.loads(posted.body["blocks"])
    assert posted.body["channel"] == "C0123456789"
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "order.filled"}}
    assert {"type": "mrkdwn", "text": "*price*\n42000.5"} in blocks[1]["fields"]


async def test_a_slack_error_answer_is_a_failed_delivery(hub: HubDriver, fake_slack: FakeSlack) -> None:
    svc = service(hub.container, ChannelConfig(slack_api_url=fake_slack.api_url, slack_bot_token="xoxb-wrong"))
    endpoint, _ = svc.store.create(hub.user, "slack:C0123456789", ["order.filled"])
    emit(hub.container, hub.user, "evt_s2", FILL)
    result = await svc.deliverer.deliver(svc.relay.run_once().delivery_ids)
    assert result.recorded.delivered == 0 and len(result.recorded.retries) == 1
    (delivery,) = svc.store.deliveries(hub.user, endpoint.id)
    assert delivery["attempts"][0]["error"].startswith("slack: ")


async def test_telegram_chat_gets_markdown_v2(hub: HubDriver, fake_telegram: FakeTelegram) -> None:
    config = ChannelConfig(telegram_api_url=fake_telegram.api_root, telegram_token=fake_telegram.token)
    svc = service(hub.container, config)
    svc.store.create(hub.user, "telegram:-1001234567890", ["order.*"])
    emit(hub.container, hub.user, "evt_t1", {**FILL, "note": "fills (partial) - 50%!"})
    result = await svc.deliverer.deliver(svc.relay.run_once().delivery_ids)
    assert result.recorded.delivered == 1, result.outcomes
    (sent,) = fake_telegram.sent_messages(-1001234567890)
    lines = sent["text"].split("\n")  # the fake refuses MarkdownV2 with unescaped entities (HTTP 400)
    assert lines[0] == "*order\\.filled*"
    assert lines[-1] == "note: `fills \\(partial\\) \\- 50%\\!`"


async def test_discord_channel_webhook_gets_an_embed(hub: HubDriver, receiver: Receiver) -> None:
    assert kind_of("https://discord.com/api/webhooks/123/abc") == "discord"
    body = render_discord({"type": "order.rejected", "timestamp": "2022-01-01T00:00:00.000Z", "data": FILL})
    (embed,) = body["embeds"]
    assert embed["title"] == "order.rejected" and embed["color"] == 0xE74C3C
    assert {"name": "symbol", "value": "BTC/USDT", "inline": True} in embed["fields"]
    assert body["allowed_mentions"] == {"parse": []}


def test_channel_targets_are_validated(hub: HubDriver) -> None:
    svc = service(hub.container, ChannelConfig())
    import pytest

    from engine.errors import UserInputError

    for bad in ("slack:#general", "telegram:not a chat"):
        with pytest.raises(UserInputError):
            svc.store.create(hub.user, bad, ["order.*"])
    assert escape_markdown_v2("a_b*c.d") == "a\\_b\\*c\\.d"


async def test_the_owner_hears_in_chat_when_an_endpoint_is_disabled(
    hub: HubDriver, fake_telegram: FakeTelegram, receiver: Receiver
) -> None:
    config = ChannelConfig(telegram_api_url=fake_telegram.api_root, telegram_token=fake_telegram.token)
    svc = service(hub.container, config)
    svc.store.create(hub.user, f"{receiver.url}/gone/x", ["order.filled"])
    svc.store.create(hub.user, "telegram:4242", ["webhook.disabled"])  # the owner's private chat with the bot
    emit(hub.container, hub.user, "evt_g1", FILL)
    await svc.deliverer.deliver(svc.relay.run_once().delivery_ids)  # answered 410: disabled
    result = await svc.deliverer.deliver(svc.relay.run_once().delivery_ids)
    assert result.recorded.delivered == 1, result.outcomes
    (sent,) = fake_telegram.sent_messages(4242)
    assert sent["text"].startswith("*webhook\\.disabled*") and "410 Gone" in sent["text"]
