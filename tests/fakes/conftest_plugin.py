"""Pytest fixtures serving the platform fakes on 127.0.0.1; list in tests/conftest.py via ``pytest_plugins``.

Each fixture starts a fresh fake per test (a few milliseconds) and stops it afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A Bot API server; point PTB's ``base_url``/``base_file_url`` at ``fake_telegram.base_url``/``base_file_url``."""
    fake = FakeTelegram().start()
    try:
        yield fake
    finally:
        fake.stop()
    _assert_fake_healthy(fake.server_errors)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """Slack Web API + Socket Mode; ``AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)``."""
    fake = FakeSlack().start()
    try:
        yield fake
    finally:
        fake.stop()
    _assert_fake_healthy(fake.server_errors)


@pytest.fixture
def fake_discord() -> Iterator[FakeDiscord]:
    """Discord REST (``fake_discord.api_base``) and gateway (``fake_discord.gateway_url``)."""
    fake = FakeDiscord().start()
    try:
        yield fake
    finally:
        fake.stop()
    _assert_fake_healthy(fake.server_errors)


@pytest.fixture
def discord_on_fake(fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> FakeDiscord:
    """``fake_discord`` with discord.py's REST base and default gateway pointed at it for this test."""
    import discord.gateway  # imported here so suites without Discord tests do not load discord.py
    import discord.http
    import yarl

    monkeypatch.setattr(discord.http.Route, "BASE", fake_discord.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake_discord.gateway_url))
    return fake_discord


def _assert_fake_healthy(errors: list[str]) -> None:
    if errors:
        pytest.fail("the platform fake crashed while serving the client:\n" + "\n".join(errors))
