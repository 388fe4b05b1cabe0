"""Slack adapter fixtures: settings pointing at the Slack fake, linked users, the real app over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.app.container import Container
from hub.app.settings import Settings
from hub.principals import Principal, Role
from tests.conftest import LiveServer, make_settings
from tests.fakes.slack import FakeSlack, http_body, signed_headers

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0TEAM"
TRADER = "U0TRADER"  # alice, a linked trader
OTHER = "U0OTHER"  # bob, another linked trader
ADMIN = "U0ADMIN"  # root, a linked admin
STRANGER = "U0STRANGER"  # not linked to anyone
TRADING_CHANNEL = "C0TEAM"  # allow-listed for trading
QUIET_CHANNEL = "C0LOBBY"  # a group channel that is not allow-listed
DM = "D0DM"


@pytest.fixture
def settings(tmp_path: Path, fake_slack: FakeSlack) -> Settings:
    return make_settings(
        tmp_path,
        slack_bot_token=fake_slack.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_app_token=fake_slack.app_token,
        slack_api_url=fake_slack.api_url,
    )


@pytest.fixture
def alice(container: Container) -> Principal:
    principal = container.add_user("alice", role=Role.TRADER)
    container.services.users.link("alice", "slack", f"{TEAM}:{TRADER}")
    bob = container.add_user("bob", role=Role.TRADER)
    container.services.users.link(bob.name, "slack", f"{TEAM}:{OTHER}")
    container.add_user("root", role=Role.ADMIN)
    container.services.users.link("root", "slack", f"{TEAM}:{ADMIN}")
    container.services.channels.allow("slack", TRADING_CHANNEL)
    return principal


class SlackHttp:
    """Slack's side of HTTP mode: signed POSTs to the app's request URL."""

    def __init__(self, url: str, fake: FakeSlack) -> None:
        self.url = f"{url}/slack/events"
        self.fake = fake
        self.client = httpx.AsyncClient(timeout=30)

    async def post(
        self,
        payload: dict[str, Any],
        *,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
        retry_num: int | None = None,
    ) -> httpx.Response:
        body, content_type = http_body(payload)
        headers = {"Content-Type": content_type, **signed_headers(body, signing_secret=secret, timestamp=timestamp)}
        if retry_num is not None:
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.client.post(self.url, content=body, headers=headers)

    async def slash(self, text: str, *, user: str = TRADER, channel: str = DM) -> dict[str, Any]:
        """Run ``/trade text`` and return the message the app posted to the command's ``response_url``."""
        payload = self.fake.slash_command(text, user_id=user, channel_id=channel)
        response = await self.post(payload)
        assert response.status_code == 200, response.text
        number = payload["response_url"].rsplit("/", 1)[1]
        reply = await self.fake.journal.wait_for(
            "response_url", predicate=lambda entry: entry.path.endswith(f"/{number}"), timeout=30
        )
        return reply.body


@pytest.fixture
def slack_app(container: Container) -> Iterator[LiveServer]:
    """The real tradehub app (``create_app``: the Slack router comes from hub/app/extensions.py) under uvicorn."""
    from hub.app.api import create_app

    with LiveServer(create_app(container, start_background=False)) as server:
        yield server


@pytest.fixture
async def slack(slack_app: LiveServer, fake_slack: FakeSlack, alice: Principal) -> AsyncIterator[SlackHttp]:
    driver = SlackHttp(slack_app.url, fake_slack)
    try:
        yield driver
    finally:
        await driver.client.aclose()


def texts(fake: FakeSlack, method: str, channel: str | None = None) -> list[str]:
    """The ``text`` of every successful ``method`` call (optionally only those to ``channel``)."""
    return [
        str(entry.body.get("text", ""))
        for entry in fake.requests(method)
        if entry.status == 200 and (channel is None or entry.body.get("channel") == channel)
    ]
