"""A tradehub with a master key, its venue account service, and a trader to own the accounts."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.fernet import Fernet

from engine.clock import FakeClock
from engine.venues.accounts import ExchangeAccountSpec, VenueAccounts, WalletSpec
from engine.venues.credentials import CredentialBox
from engine.venues.dex import TokenConfig
from engine.venues.dex.keystore import encrypt
from engine.venues.plugin import accounts
from hub.app.container import Container, build
from hub.principals import Role
from tests.conftest import make_settings
from tests.fakes.exchange_conftest import TEST_CREDENTIALS, ExchangeCase
from tests.kit.hubdriver import HubDriver

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from tests.fakes.chain import LocalChain

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


@pytest.fixture
async def wallet_venue(
    request: pytest.FixtureRequest,
    deployed: tuple[LocalChain, LocalAccount],
    keyed_container: Container,
    trader: HubDriver,
) -> AsyncIterator[LocalChain]:
    """The module's funded wallet (its ``deployed`` fixture) added as the trader's wallet account named by the
    module's ``WALLET``, its RPC the in-process chain; the chain is rolled back to its state before the test."""
    chain, wallet = deployed
    snapshot = chain.tester.take_snapshot()
    service = wallet_accounts(keyed_container, chain)
    service.add_wallet(trader.user.user_id, wallet_spec(chain, wallet, request.module.WALLET))
    try:
        yield chain
    finally:
        await service.close()
        chain.tester.revert_to_snapshot(snapshot)


def wallet_accounts(container: Container, chain: LocalChain) -> VenueAccounts:
    """The venue account service of ``container`` with every wallet's RPC the in-process ``chain`` (the seam)."""
    return VenueAccounts(container.db, container.services.venues, CredentialBox(MASTER_KEY), container.clock,
                         web3_for=lambda _chain: chain.w3)  # fmt: skip


def wallet_spec(chain: LocalChain, wallet: LocalAccount, name: str) -> WalletSpec:
    """The funded ``wallet`` on the local chain, as a user would add it: every deployed token, password "pw"."""
    deployment = chain.deployment
    assert deployment is not None
    tokens = tuple(TokenConfig(symbol, contract.address, 18) for symbol, contract in deployment.tokens.items())
    return WalletSpec(
        name, "local", "http://127.0.0.1:8545", deployment.router.address, deployment.factory.address, tokens,
        encrypt(wallet.key, "pw", iterations=2), "pw", chain_id=131277322940537,
    )  # fmt: skip
