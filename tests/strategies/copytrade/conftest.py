"""Fixtures for copy trading: the hub's copy-trading service with its commands registered, a leader
``lea`` who opted in, and a helper that adds funded followers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.app.container import Container
from hub.app.settings import Settings
from hub.principals import Principal
from strategies.copytrade import CopyTradeService, service_for
from strategies.copytrade.chat import make_handlers
from tests.conftest import make_settings
from tests.kit.hubdriver import HubDriver
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, receiver: Receiver) -> Settings:
    """Discord's API is the local receiver (``/ok/...`` answers 200 and records the request)."""
    return make_settings(tmp_path, discord_api_url=f"{receiver.url}/ok/discord/api/v10")


@pytest.fixture
def copy(container: Container) -> CopyTradeService:
    service = service_for(container)
    for family, handler in make_handlers(service).items():  # the same registration extensions.HANDLERS does
        container.hub.register(family, handler)
    return service


@pytest.fixture
async def lea(hub: HubDriver, copy: CopyTradeService) -> Principal:
    leader = hub.add_user("lea")
    reply = await hub.push("lead on", as_user=leader)
    assert reply.ok, reply.text
    return leader
