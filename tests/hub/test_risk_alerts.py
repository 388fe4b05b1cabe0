"""Risk alerts as users meet them: ``alerts``, ``alerts ack``, ``risk``, and the Slack message with its
buttons, posted with the real Slack client to the local Slack fake (and pressed through the Slack bot)."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from engine.clock import FakeClock
from engine.errors import GrammarError
from engine.riskmonitor import storage as t
from engine.riskmonitor.alerts import Alert, list_alerts
from engine.riskmonitor.plugin import background, loop_for, monitor_for
from hub import grammar
from hub.app.container import Container, build
from hub.app.settings import Settings
from tests.bots.slack.conftest import slack_app  # noqa: F401  (the real app with the Slack router)
from tests.conftest import LiveServer
from tests.engine.riskmonitor.desk import Desk, desk_settings, make_desk
from tests.fakes.slack import FakeSlack, http_body, signed_headers
from webhooks import storage as hooks
from webhooks.routes import service_for

CHANNEL = "C0RISK0001"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ALICE_SLACK = "U0ALICE"
#: Seconds a test waits for background work (a post, a pressed button) on a loaded 2-core CI box.
WAIT_S = 30


@pytest.fixture
def settings(tmp_path: Path, fake_slack: FakeSlack) -> Settings:
    return desk_settings(
        tmp_path,
        slack_bot_token=fake_slack.bot_token,
        slack_api_url=fake_slack.api_url,
        slack_signing_secret=SIGNING_SECRET,
    )


@pytest.fixture
def desk(container: Container) -> Desk:
    built = make_desk(container, monitor_for(container))
    built.set_rules(concentration="40%", slack_channel=CHANNEL)
    return built


async def breach(desk: Desk) -> Alert:
    await desk.run(desk.alice, "buy 0.1 BTC/USDT")
    [alert] = await desk.monitor.evaluate_all()
    return alert


def buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (element["text"]["text"], element["action_id"], element["value"])
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def test_alerts_lists_the_teams_alerts_with_their_numbers(desk: Desk) -> None:
    alert = await breach(desk)

    for_carol = await desk.container.hub.handle(desk.carol, "alerts", frontend="test")
    for_bob = await desk.container.hub.handle(desk.bob, "alerts", frontend="test")

    assert for_carol.ok and for_carol.text.splitlines()[0] == f"#{alert.id} [open] {alert.message}"
    assert for_carol.data["alerts"][0]["data"]["id"] == alert.id
    assert for_bob.text.splitlines()[0] == "No alerts."


async def test_alerts_ack_acknowledges_once_for_the_team_only(desk: Desk) -> None:
    alert = await breach(desk)
    hub = desk.container.hub

    by_viewer = await hub.handle(desk.carol, f"alerts ack {alert.id}", frontend="test")
    by_outsider = await hub.handle(desk.bob, f"alerts ack {alert.id}", frontend="test")
    acked = await hub.handle(desk.alice, f"alerts ack {alert.id}", frontend="test")
    again = await hub.handle(desk.alice, f"alerts ack {alert.id}", frontend="test")
    garbled = await hub.handle(desk.alice, "alerts ack first", frontend="test")
    listed = await hub.handle(desk.carol, "alerts", frontend="test")

    assert not by_viewer.ok and "trader role" in by_viewer.text
    assert not by_outsider.ok and by_outsider.error_code == "not_found"
    assert acked.ok and acked.text.startswith(f"Alert #{alert.id} acknowledged by alice.")
    assert "TradingView" not in acked.text  # an acknowledgement is not a listing
    assert not again.ok and "already acknowledged by alice" in again.text
    assert not garbled.ok and "whole number" in garbled.text
    assert listed.text.startswith(f"#{alert.id} [acknowledged by alice]")


async def test_risk_shows_the_team_rules_and_the_accounts_figures(desk: Desk) -> None:
    await desk.run(desk.alice, "buy 0.1 BTC/USDT")

    reply = await desk.container.hub.handle(desk.alice, "risk", frontend="test")

    assert reply.ok
    assert "Team desk monitor: desk: concentration 40%" in reply.text
    line = next(line for line in reply.text.splitlines() if "Largest position" in line)
    assert line.endswith("% of 40% - BREACHED")
    assert reply.data["monitor"]["rules"]["slack_channel"] == CHANNEL
    assert reply.data["monitor"]["measures"]["concentration_asset"] == "BTC"


async def test_alert_reaches_slack_with_acknowledge_pause_and_flatten_buttons(
    desk: Desk, fake_slack: FakeSlack
) -> None:
    alert = await breach(desk)
    poster = loop_for(desk.container).poster

    assert await poster.post_due() == 1
    assert await poster.post_due() == 0  # posted once

    [posted] = fake_slack.journal.requests("chat.postMessage")
    assert posted.body["channel"] == CHANNEL
    assert alert.message in posted.body["text"]
    assert buttons(posted.body["blocks"]) == [
        ("Acknowledge", "tradehub:run", f"alerts ack {alert.id}"),
        ("Pause strategies", "tradehub:run", "kill"),
        ("Flatten position", "tradehub:run", "sell 100% BTC/USDT"),
    ]
    for _label, _action, command in buttons(posted.body["blocks"]):
        grammar.parse(command)  # every button runs a real command
    [stored] = list_alerts(desk.container.db, team="desk", user_id=desk.alice.user_id)
    assert stored.slack_status == "posted"


async def test_slack_rate_limit_is_waited_out(desk: Desk, fake_slack: FakeSlack) -> None:
    await breach(desk)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)

    assert await loop_for(desk.container).poster.post_due() == 1

    statuses = [entry.status for entry in fake_slack.journal.requests("chat.postMessage")]
    assert statuses == [429, 200]


async def test_slack_outage_keeps_the_alert_and_posts_it_later(desk: Desk, fake_slack: FakeSlack) -> None:
    alert = await breach(desk)
    poster = loop_for(desk.container).poster
    fake_slack.fail_next("chat.postMessage", status=503, times=4)  # the first try and the client's 3 retries

    assert await poster.post_due() == 0
    assert await poster.post_due() == 0  # not due yet: no new request
    assert len(fake_slack.journal.requests("chat.postMessage")) == 4
    with desk.container.db.connect() as conn:
        row = conn.execute(select(t.alerts).where(t.alerts.c.id == alert.id)).one()
    assert (row.slack_status, row.slack_attempts) == ("pending", 1)

    clock = desk.container.clock
    assert isinstance(clock, FakeClock)
    clock.advance(31_000)
    assert await poster.post_due() == 1
    assert fake_slack.journal.requests("chat.postMessage")[-1].status == 200


async def test_a_channel_slack_refuses_is_not_retried(desk: Desk, fake_slack: FakeSlack) -> None:
    await breach(desk)
    fake_slack.fail_next("chat.postMessage", status=200, error="channel_not_found")
    poster = loop_for(desk.container).poster

    assert await poster.post_due() == 0
    clock = desk.container.clock
    assert isinstance(clock, FakeClock)
    clock.advance(3_600_000)
    assert await poster.post_due() == 0

    [stored] = list_alerts(desk.container.db, team="desk", user_id=desk.alice.user_id)
    assert stored.slack_status == "failed"
    assert len(fake_slack.journal.requests("chat.postMessage")) == 1


async def test_a_fill_fires_the_alert_and_posts_it_in_the_background(desk: Desk, fake_slack: FakeSlack) -> None:
    async with background(desk.container):
        reply = await desk.container.hub.handle(desk.alice, "buy 0.1 BTC/USDT", frontend="test")
        posted = await fake_slack.journal.wait_for("chat.postMessage", timeout=WAIT_S)

    assert reply.ok and "filled" in reply.text
    assert "Concentration" in posted.body["text"]
    assert [e.data["rule"] for e in desk.events] == ["concentration"]


async def test_pressing_acknowledge_in_slack_acknowledges_the_alert(
    desk: Desk, fake_slack: FakeSlack, request: pytest.FixtureRequest
) -> None:
    server: LiveServer = request.getfixturevalue("slack_app")
    desk.container.services.users.link("alice", "slack", f"{fake_slack.team_id}:{ALICE_SLACK}")
    desk.container.services.channels.allow("slack", CHANNEL)
    alert = await breach(desk)
    await loop_for(desk.container).poster.post_due()
    [posted] = fake_slack.journal.requests("chat.postMessage")
    label, action_id, value = buttons(posted.body["blocks"])[0]

    payload = fake_slack.block_action(
        action_id, value, user_id=ALICE_SLACK, channel_id=CHANNEL, message=posted.response["message"]
    )
    body, content_type = http_body(payload)
    headers = {"Content-Type": content_type, **signed_headers(body, signing_secret=SIGNING_SECRET)}
    async with httpx.AsyncClient(timeout=WAIT_S) as client:
        response = await client.post(f"{server.url}/slack/events", content=body, headers=headers)
    assert response.status_code == 200
    deadline = time.monotonic() + WAIT_S
    while True:
        [stored] = list_alerts(desk.container.db, team="desk", user_id=desk.alice.user_id)
        if stored.acknowledged or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)

    assert label == "Acknowledge"
    assert stored.acked_by == "alice" and stored.id == alert.id


@pytest.mark.parametrize(
    ("text", "problem"),
    [("alerts ack", "needs an alert number"), ("alerts clear", "unexpected `clear`"), ("alerts ack -1", "whole")],
)
def test_alerts_grammar(text: str, problem: str) -> None:
    assert grammar.parse("ALERTS Ack 12").describe() == "alerts ack 12"
    assert grammar.parse("alerts").describe() == "alerts"
    with pytest.raises(GrammarError) as refused:
        grammar.parse(text)
    assert problem in refused.value.message


async def test_a_hanging_slack_delays_neither_the_fill_nor_the_alert(
    tmp_path: Path, template_db: Path, clock: FakeClock
) -> None:
    accepted: list[asyncio.StreamWriter] = []
    given_up: list[asyncio.StreamWriter] = []  # connections the Slack client closed (its own timeout ran out)

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # hold the connection open and say nothing
        await reader.read()  # until the client hangs up
        given_up.append(writer)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    home = tmp_path / "hanging"
    home.mkdir()
    shutil.copy(template_db, home / "tradehub.db")
    container = build(
        desk_settings(home, slack_bot_token="xoxb-hanging", slack_api_url=f"http://127.0.0.1:{port}/api/"),
        clock=clock,
    )
    desk = make_desk(container, monitor_for(container))
    desk.set_rules(concentration="40%", slack_channel=CHANNEL)
    try:
        async with background(container):
            reply = await container.hub.handle(desk.alice, "buy 0.1 BTC/USDT", frontend="test")
            # Had the order waited for Slack, it would have been answered only once the Slack client gave up
            # (its own timeout): a closed connection here, a failed attempt on the alert's row.
            given_up_before_the_reply = list(given_up)
            with container.db.connect() as conn:
                failed_before_the_reply = conn.execute(
                    select(t.alerts.c.id).where((t.alerts.c.slack_attempts > 0) | t.alerts.c.slack_error.is_not(None))
                ).all()
            deadline = time.monotonic() + WAIT_S
            while not (desk.events and accepted) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        [stored] = list_alerts(container.db, team="desk", user_id=desk.alice.user_id)
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        container.close()

    assert reply.ok and given_up_before_the_reply == [] and failed_before_the_reply == []
    assert [e.data["rule"] for e in desk.events] == ["concentration"]
    assert accepted  # the post is under way
    assert stored.slack_status == "pending"


async def test_team_webhook_endpoints_receive_the_alert_and_other_teams_do_not(desk: Desk) -> None:
    service = service_for(desk.container)
    desk_hook, _ = service.store.create(desk.alice, "slack:C0DESK00001", ["risk.*"], team=True)
    other_hook, _ = service.store.create(desk.bob, "slack:C0OTHER0001", ["risk.*"], team=True)
    alert = await breach(desk)

    relayed = service.relay.run_once()

    assert [endpoint for endpoint, _ids in relayed.deliveries] == [desk_hook.id]
    assert other_hook.id != desk_hook.id
    with desk.container.db.connect() as conn:
        body = conn.execute(select(hooks.messages.c.body).where(hooks.messages.c.event_type == "risk.alert")).scalar()
    assert f'"alert_id":{alert.id}' in body and '"rule":"concentration"' in body
