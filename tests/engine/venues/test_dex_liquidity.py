"""LP positions in a V2 pair on the local chain: share of reserves, value, impermanent loss."""

from __future__ import annotations

import asyncio
import os
from decimal import Decimal

import pytest

from engine.errors import UnknownSymbol
from engine.venues.dex import ChainConfig, TokenConfig
from engine.venues.dex.liquidity import impermanent_loss, liquidity_position
from tests.fakes.chain import INSTALL_HINT, LocalChain, artifacts_dir


def test_impermanent_loss_of_a_constant_product_pool() -> None:
    assert impermanent_loss(Decimal(2), Decimal(2)) == 0
    assert impermanent_loss(Decimal(1), Decimal(4)) == Decimal("-0.2")  # 2*2/5 - 1
    assert impermanent_loss(Decimal(4), Decimal(1)) == Decimal("-0.2")  # symmetric in the ratio


@pytest.fixture(scope="module")
def pool() -> tuple[LocalChain, ChainConfig]:
    if artifacts_dir() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(INSTALL_HINT)
        pytest.skip(f"the DEX tests need the Uniswap V2 build artifacts from npm: {INSTALL_HINT}")
    chain = LocalChain()

    async def deploy() -> ChainConfig:
        deployment = await chain.setup_uniswap(("TKA", "TKB", "TKC"))
        await chain.add_liquidity("TKA", "TKB", Decimal(1000), Decimal(2000))
        tokens = tuple(TokenConfig(symbol, contract.address, 18) for symbol, contract in deployment.tokens.items())
        return ChainConfig("local", 131277322940537, "http://127.0.0.1:8545", deployment.router.address,
                           deployment.factory.address, tokens)  # fmt: skip

    return chain, asyncio.run(deploy())


async def test_the_liquidity_provider_owns_the_pool_less_the_locked_minimum(pool) -> None:
    chain, config = pool

    position = await liquidity_position(chain.w3, config, "TKA/TKB", chain.deployer, entry_price=Decimal(2))

    assert Decimal("0.999999") < position.share < 1  # V2 locks 1000 units of liquidity forever
    assert position.price == Decimal(2)
    assert Decimal("3999.99") < position.value <= Decimal(4000)
    assert position.impermanent_loss == 0


async def test_a_price_move_shows_impermanent_loss_against_holding(pool) -> None:
    chain, config = pool
    snapshot = chain.tester.take_snapshot()
    try:
        await chain.swap_as_deployer("TKB", "TKA", Decimal(2000))  # TKA gets dearer: about 4x
        stranger = await liquidity_position(chain.w3, config, "TKA/TKB", "0x" + "99" * 20)
        position = await liquidity_position(chain.w3, config, "TKA/TKB", chain.deployer, entry_price=Decimal(2))
    finally:
        chain.tester.revert_to_snapshot(snapshot)

    assert stranger.share == 0 and stranger.value == 0
    assert position.price > Decimal("7.9")
    assert position.impermanent_loss is not None
    assert position.impermanent_loss == impermanent_loss(Decimal(2), position.price) < Decimal("-0.05")


async def test_a_pair_without_a_pool_is_refused(pool) -> None:
    chain, config = pool

    with pytest.raises(UnknownSymbol, match="No TKA/TKC pool"):
        await liquidity_position(chain.w3, config, "TKA/TKC", chain.deployer)
