"""Block Kit buttons over HTTP mode: Confirm / Cancel on hub confirmations, and the generic run button."""

from __future__ import annotations

from typing import Any

from engine.clock import FakeClock
from hub.app.container import Container
from hub.principals import Principal
from tests.bots.slack.conftest import ADMIN, OTHER, TRADER, TRADING_CHANNEL, SlackHttp, texts
from tests.fakes.slack import FakeSlack

LARGE_BUY = "buy 0.1 BTC/USDT"  # about 4,600 USDT: above the 1,000 USDT confirmation threshold


async def prompt_in_channel(slack: SlackHttp, fake: FakeSlack, text: str, *, user: str = TRADER) -> dict[str, Any]:
    """Mention the bot with ``text`` and return the posted message that carries Confirm / Cancel."""
    before = len(fake.requests("chat.postMessage"))
    await slack.post(fake.event_callback(fake.app_mention_event(text, user=user, channel=TRADING_CHANNEL)))
    posted = await fake.wait_for(
        "chat.postMessage", predicate=lambda entry: len(fake.requests("chat.postMessage")) > before, timeout=30
    )
    return posted.response["message"]


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Button label -> action_id of the message's actions block."""
    actions = next(block for block in message["blocks"] if block["type"] == "actions")
    return {element["text"]["text"]: element["action_id"] for element in actions["elements"]}


async def press(slack: SlackHttp, fake: FakeSlack, message: dict[str, Any], label: str, *, user: str = TRADER) -> None:
    action_id = buttons(message)[label]
    payload = fake.block_action(
        action_id, action_id.rsplit(":", 1)[1], user_id=user, channel_id=TRADING_CHANNEL, message=message
    )
    response = await slack.post(payload)
    assert response.status_code == 200


async def test_confirm_button_runs_the_order_once_for_its_owner_only(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    prompt = await prompt_in_channel(slack, fake_slack, LARGE_BUY)
    assert set(buttons(prompt)) == {"Confirm", "Cancel"}
    assert buttons(prompt)["Confirm"].startswith("tradehub:confirm:")
    assert container.services.oms.orders(alice.user_id) == []

    await press(slack, fake_slack, prompt, "Confirm", user=OTHER)
    refusal = await fake_slack.wait_for("chat.postEphemeral", timeout=30)
    assert refusal.body["user"] == OTHER and container.services.oms.orders(alice.user_id) == []

    await press(slack, fake_slack, prompt, "Confirm")
    updated = await fake_slack.wait_for("chat.update", timeout=30)
    assert updated.body["ts"] == prompt["ts"] and "filled" in updated.body["text"]
    assert f"Confirmed by <@{TRADER}>" in str(updated.body["blocks"])
    assert not any(block["type"] == "actions" for block in updated.body["blocks"])  # the buttons are gone

    await press(slack, fake_slack, prompt, "Confirm")  # a second press of the same button
    second = await fake_slack.wait_for(
        "chat.postEphemeral", predicate=lambda entry: entry.body["user"] == TRADER, timeout=30
    )
    assert "already" in second.body["text"]
    assert len(container.services.oms.orders(alice.user_id)) == 1
    assert len(fake_slack.requests("chat.update")) == 1


async def test_cancel_button_discards_the_order_and_a_later_confirm_is_refused(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    prompt = await prompt_in_channel(slack, fake_slack, LARGE_BUY)

    await press(slack, fake_slack, prompt, "Cancel")
    updated = await fake_slack.wait_for("chat.update", timeout=30)
    await press(slack, fake_slack, prompt, "Confirm")
    refused = await fake_slack.wait_for("chat.postEphemeral", timeout=30)

    assert "will not run" in updated.body["text"] and f"Canceled by <@{TRADER}>" in str(updated.body["blocks"])
    assert "already declined" in refused.body["text"]
    assert container.services.oms.orders(alice.user_id) == []


async def test_a_stale_confirmation_is_refused(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal, clock: FakeClock
) -> None:
    prompt = await prompt_in_channel(slack, fake_slack, LARGE_BUY)
    clock.advance(6 * 60 * 1000)  # confirmations live five minutes

    await press(slack, fake_slack, prompt, "Confirm")

    refused = await fake_slack.wait_for("chat.postEphemeral", timeout=30)
    assert "expired" in refused.body["text"]
    assert container.services.oms.orders(alice.user_id) == []
    assert texts(fake_slack, "chat.update") == []


async def test_confirming_a_prompt_sent_through_a_response_url_replaces_it_there(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    reply = await slack.slash(LARGE_BUY, channel=TRADING_CHANNEL)
    message = {"type": "message", "ts": "1700000000.000100", "text": reply["text"], "blocks": reply["blocks"]}
    action_id = buttons(message)["Confirm"]
    payload = fake_slack.block_action(
        action_id, action_id.rsplit(":", 1)[1], channel_id=TRADING_CHANNEL, message=message, is_ephemeral=True
    )

    await slack.post(payload)

    number = payload["response_url"].rsplit("/", 1)[1]
    replaced = await fake_slack.wait_for(
        "response_url", predicate=lambda entry: entry.path.endswith(f"/{number}"), timeout=30
    )
    assert replaced.body["replace_original"] is True and "filled" in replaced.body["text"]
    assert len(container.services.oms.orders(alice.user_id)) == 1


async def test_run_button_on_a_team_alert_runs_its_command_as_the_presser(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container
) -> None:
    from bots.slack.post import post_blocks

    alert_blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Drawdown 12%* on the team book"}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "tradehub:run",
                    "text": {"type": "plain_text", "text": "Kill"},
                    "value": "kill",
                    "style": "danger",
                },
            ],
        },
    ]
    ts = await post_blocks(container.settings, TRADING_CHANNEL, "Drawdown 12%", alert_blocks)
    alert = next(entry for entry in fake_slack.requests("chat.postMessage") if entry.response["ts"] == ts)

    payload = fake_slack.block_action(
        "tradehub:run", "kill", user_id=ADMIN, channel_id=TRADING_CHANNEL, message=alert.response["message"]
    )
    await slack.post(payload)
    prompt = await fake_slack.wait_for(
        "chat.postMessage", predicate=lambda entry: entry.body.get("thread_ts") == ts, timeout=30
    )
    await press(slack, fake_slack, prompt.response["message"], "Confirm", user=ADMIN)
    updated = await fake_slack.wait_for("chat.update", timeout=30)

    assert "Halt all trading" in prompt.body["text"] and buttons(prompt.response["message"])
    assert container.services.oms.kill_switch_on()
    assert f"Confirmed by <@{ADMIN}>" in str(updated.body["blocks"])
