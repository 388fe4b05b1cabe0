"""A tradehub with a master key, its venue account service, and a trader to own the accounts."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from engine.clock import FakeClock
from engine.venues.accounts import ExchangeAccountSpec, VenueAccounts
from engine.venues.plugin import accounts
from hub.app.container import Container, build
from hub.principals import Role
from tests.conftest import make_settings
from tests.fakes.exchange_conftest import TEST_CREDENTIALS, ExchangeCase
from tests.kit.hubdriver import HubDriver

MASTER_KEY = Fernet.generate_key().decode()


@pytest.fixture
def keyed_container(tmp_path: Path, clock: FakeClock, template_db: Path) -> Iterator[Container]:
    """The app with ``TRADEHUB_MASTER_KEY`` set, on a copy of the migrated database."""
    settings = make_settings(tmp_path, master_key=MASTER_KEY)
    shutil.copy(template_db, settings.home / "tradehub.db")
    built = build(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
async def venue_accounts(keyed_container: Container) -> AsyncIterator[VenueAccounts]:
    """The venue account service of ``keyed_container``; closes every connected venue afterwards."""
    service = accounts(keyed_container.db, keyed_container.services.venues, keyed_container.clock,
                       keyed_container.settings)  # fmt: skip
    yield service
    await service.close()


@pytest.fixture
def trader(keyed_container: Container) -> HubDriver:
    """``alice``, a trader with a funded paper account, driving the hub of ``keyed_container``."""
    return HubDriver(keyed_container, keyed_container.add_user("alice", role=Role.TRADER))


def exchange_spec(case: ExchangeCase, name: str = "binance-main") -> ExchangeAccountSpec:
    """The fake exchange's account, as a user would add it (``api_url`` points at the fake)."""
    credentials = TEST_CREDENTIALS[case.exchange_id]
    return ExchangeAccountSpec(
        name, case.exchange_id, credentials.api_key, credentials.secret, credentials.password, api_url=case.fake.url
    )
