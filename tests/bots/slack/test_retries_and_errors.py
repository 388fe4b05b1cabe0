"""Exactly once under Slack retries, and Web API rate limits / server errors handled with backoff."""

from __future__ import annotations

import asyncio

import pytest

from hub.app import extensions
from hub.app.api import create_app
from hub.app.container import Container
from hub.principals import Principal
from tests.bots.slack.conftest import TRADING_CHANNEL, SlackHttp, texts
from tests.conftest import LiveServer
from tests.fakes.slack import FakeSlack


async def test_a_retried_event_runs_its_command_once_even_on_a_fresh_app(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    payload = fake_slack.event_callback(fake_slack.app_mention_event("buy 0.01 BTC/USDT", channel=TRADING_CHANNEL))
    await slack.post(payload)
    first = await fake_slack.wait_for("chat.postMessage", timeout=30)

    retried = await slack.post(payload, retry_num=1)  # Slack resends the same event_id
    assert retried.status_code == 200
    # Another replica (a fresh app and bolt instance on the same database) receives the next retry.
    assert any(router.__module__ == "bots.slack.plugin" for router in extensions.ROUTERS)
    with LiveServer(create_app(container, start_background=False)) as replica:
        other = SlackHttp(replica.url, fake_slack)
        try:
            assert (await other.post(payload, retry_num=2)).status_code == 200
        finally:
            await other.client.aclose()
        again = await fake_slack.wait_for(
            "chat.postMessage", predicate=lambda entry: len(fake_slack.requests("chat.postMessage")) == 2, timeout=30
        )

    await asyncio.sleep(0.3)
    orders = container.services.oms.orders(alice.user_id)
    assert len(orders) == 1
    assert (
        len(texts(fake_slack, "chat.postMessage")) == 2
    )  # first answer + the replica's; the same app dropped its retry
    assert again.body["text"] == first.body["text"]  # the replica answered with the stored reply
    assert orders[0].id in first.body["text"]


async def test_rate_limited_post_is_retried_after_retry_after_and_posted_once(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)

    await slack.post(
        fake_slack.event_callback(fake_slack.app_mention_event("buy 0.01 BTC/USDT", channel=TRADING_CHANNEL))
    )
    delivered = await fake_slack.wait_for("chat.postMessage", predicate=lambda entry: entry.status == 200, timeout=30)

    attempts = fake_slack.requests("chat.postMessage")
    assert [attempt.status for attempt in attempts] == [429, 200]
    assert delivered.at - attempts[0].at >= 1.0  # Retry-After honoured
    assert len(texts(fake_slack, "chat.postMessage")) == 1
    assert len(container.services.oms.orders(alice.user_id)) == 1


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retried_with_backoff_without_running_twice(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal, status: int
) -> None:
    fake_slack.fail_next("chat.postMessage", status=status, times=2)

    await slack.post(
        fake_slack.event_callback(fake_slack.app_mention_event("buy 0.01 BTC/USDT", channel=TRADING_CHANNEL))
    )
    await fake_slack.wait_for("chat.postMessage", predicate=lambda entry: entry.status == 200, timeout=30)

    assert [attempt.status for attempt in fake_slack.requests("chat.postMessage")] == [status, status, 200]
    assert len(container.services.oms.orders(alice.user_id)) == 1


async def test_rate_limited_update_after_a_confirm_press_still_lands_once(
    slack: SlackHttp, fake_slack: FakeSlack, container: Container, alice: Principal
) -> None:
    from tests.bots.slack.test_buttons import LARGE_BUY, press, prompt_in_channel

    prompt = await prompt_in_channel(slack, fake_slack, LARGE_BUY)
    fake_slack.fail_next("chat.update", status=429, retry_after=1)

    await press(slack, fake_slack, prompt, "Confirm")
    await fake_slack.wait_for("chat.update", predicate=lambda entry: entry.status == 200, timeout=30)

    assert [attempt.status for attempt in fake_slack.requests("chat.update")] == [429, 200]
    assert len(container.services.oms.orders(alice.user_id)) == 1
