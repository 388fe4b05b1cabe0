"""A DEX wallet added as a venue account: `buy 1 TKA/USDT on base-wallet` swaps on a local Uniswap V2 chain."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from eth_account.signers.local import LocalAccount

from engine.venues.accounts import VenueAccounts, WalletSpec
from engine.venues.credentials import CredentialBox
from engine.venues.dex import TokenConfig
from engine.venues.dex.keystore import encrypt
from hub.app.container import Container
from tests.engine.venues.conftest import MASTER_KEY
from tests.fakes.chain import INSTALL_HINT, LocalChain, artifacts_dir
from tests.kit.hubdriver import HubDriver


async def _deploy(chain: LocalChain) -> LocalAccount:
    await chain.setup_uniswap(("TKA", "USDT"))
    await chain.add_liquidity("TKA", "USDT", Decimal(1000), Decimal(2000))
    return await chain.new_wallet(native=Decimal(10), tokens={"TKA": Decimal(5), "USDT": Decimal(100)})


@pytest.fixture(scope="module")
def deployed() -> tuple[LocalChain, LocalAccount]:
    if artifacts_dir() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(INSTALL_HINT)
        pytest.skip(f"the DEX tests need the Uniswap V2 build artifacts from npm: {INSTALL_HINT}")
    chain = LocalChain()
    return chain, asyncio.run(_deploy(chain))


@pytest.fixture
async def wallet_venue(
    deployed: tuple[LocalChain, LocalAccount], keyed_container: Container, trader: HubDriver
) -> AsyncIterator[LocalChain]:
    """The funded wallet added as ``base-wallet`` (its RPC is the in-process chain, injected at the seam)."""
    chain, wallet = deployed
    snapshot = chain.tester.take_snapshot()
    service = VenueAccounts(
        keyed_container.db, keyed_container.services.venues, CredentialBox(MASTER_KEY), keyed_container.clock,
        web3_for=lambda _chain: chain.w3,
    )  # fmt: skip
    deployment = chain.deployment
    assert deployment is not None
    tokens = tuple(TokenConfig(symbol, contract.address, 18) for symbol, contract in deployment.tokens.items())
    service.add_wallet(
        trader.user.user_id,
        WalletSpec(
            "base-wallet", "local", "http://127.0.0.1:8545", deployment.router.address, deployment.factory.address,
            tokens, encrypt(wallet.key, "pw", iterations=2), "pw", chain_id=131277322940537,
        ),
    )  # fmt: skip
    try:
        yield chain
    finally:
        await service.close()
        chain.tester.revert_to_snapshot(snapshot)


async def test_buy_on_a_wallet_swaps_on_chain_and_books_the_fill(wallet_venue: LocalChain, trader: HubDriver) -> None:
    reply = await trader.push("buy 1 TKA/USDT on base-wallet")

    assert reply.ok, reply.text
    order = reply.data["order"]
    assert (order["status"], Decimal(order["filled_quantity"])) == ("filled", Decimal(1))
    assert Decimal("2") < Decimal(order["average_fill_price"]) < Decimal("2.02")  # 0.3% fee and the price impact
    balance = await trader.push("balance on base-wallet")
    totals = {h["asset"]: Decimal(h["total"]) for h in balance.data["holdings"]}
    assert totals["TKA"] == Decimal(6)
    assert totals["USDT"] == Decimal(100) - Decimal(order["average_fill_price"])
    assert totals["ETH"] < Decimal(10)  # gas was paid


async def test_portfolio_values_wallet_tokens_from_the_pool_in_usd(wallet_venue: LocalChain, trader: HubDriver) -> None:
    reply = await trader.push("portfolio on base-wallet")

    assert reply.ok, reply.text
    values = {h["asset"]: h["value"] for h in reply.data["holdings"]}
    assert Decimal(values["TKA"]) == Decimal(5) * 2  # 1000 TKA / 2000 USDT pool mid price
    assert Decimal(values["USDT"]) == Decimal(100)
    assert values["ETH"] is None  # no ETH/USDT pool configured: shown, not valued


async def test_selling_more_than_the_wallet_holds_is_refused_before_any_transaction(
    wallet_venue: LocalChain, trader: HubDriver
) -> None:
    before = await wallet_venue.w3.eth.block_number

    reply = await trader.push("sell 6 TKA/USDT on base-wallet")

    assert not reply.ok and reply.error_code == "insufficient_balance"
    assert await wallet_venue.w3.eth.block_number == before
