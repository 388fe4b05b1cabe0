"""A DEX swap's gas priced in the quote token on the local chain: estimate x EIP-1559 fee x WETH pool."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from eth_account.signers.local import LocalAccount

from engine.domain import ClientOrderId, OrderStatus, OrderType, Side
from engine.venues.base import OrderRequest
from engine.venues.dex import ChainConfig, DexVenue, DexVenueConfig, TokenConfig
from engine.venues.dex.adapter import SWAP_GAS_UNITS
from tests.fakes.chain import LocalChain, deploy_local_chain

PRIORITY_FEE = 2_000_000_000


async def _deploy(chain: LocalChain) -> LocalAccount:
    await chain.setup_uniswap(("TKA", "USDT", "WETH"))
    await chain.add_liquidity("TKA", "USDT", Decimal(1000), Decimal(2000))
    await chain.add_liquidity("WETH", "USDT", Decimal(10), Decimal(30000))  # ETH at 3000 USDT
    return await chain.new_wallet(native=Decimal(10), tokens={"TKA": Decimal(5), "USDT": Decimal(100)})


@pytest.fixture(scope="module")
def deployed() -> tuple[LocalChain, LocalAccount]:
    return deploy_local_chain(_deploy)


def _venue(chain: LocalChain, wallet: LocalAccount, symbols: tuple[str, ...]) -> DexVenue:
    deployment = chain.deployment
    assert deployment is not None
    tokens = tuple(TokenConfig(s, deployment.tokens[s].address, 18) for s in symbols)
    config = ChainConfig("local", 131277322940537, "http://127.0.0.1:8545", deployment.router.address,
                         deployment.factory.address, tokens)  # fmt: skip
    settings = DexVenueConfig(config, "", "", name="wallet", receipt_poll_s=0.01, priority_fee_wei=PRIORITY_FEE)
    return DexVenue(settings, chain.w3, wallet)


@pytest.fixture
def chain(deployed: tuple[LocalChain, LocalAccount]) -> Iterator[LocalChain]:
    local, _ = deployed
    snapshot = local.tester.take_snapshot()
    try:
        yield local
    finally:
        local.tester.revert_to_snapshot(snapshot)


async def _base_fee(chain: LocalChain) -> int:
    return int((await chain.w3.eth.get_block("latest"))["baseFeePerGas"])


async def test_before_any_approval_the_cost_is_the_approval_plus_a_typical_swap(deployed, chain: LocalChain) -> None:
    venue = _venue(chain, deployed[1], ("TKA", "USDT", "WETH"))
    swap = await venue.quote("TKA/USDT", Side.BUY, Decimal(1))

    cost = await venue.gas_cost(swap)

    approval = cost.gas_units - SWAP_GAS_UNITS
    assert 20_000 < approval < 80_000  # an ERC-20 approve, estimated by the node
    assert cost.fee_per_gas_wei == await _base_fee(chain) + PRIORITY_FEE
    assert (cost.native_symbol, cost.quote, cost.native_price) == ("ETH", "USDT", Decimal(3000))
    assert cost.native_amount == Decimal(cost.gas_units * cost.fee_per_gas_wei) / Decimal(10**18)
    assert cost.quote_amount == cost.native_amount * 3000


async def test_once_approved_the_node_estimates_the_swap_itself(deployed, chain: LocalChain) -> None:
    venue = _venue(chain, deployed[1], ("TKA", "USDT", "WETH"))
    first = OrderRequest(ClientOrderId("c1"), "TKA/USDT", Side.BUY, OrderType.MARKET, Decimal(1))
    assert (await venue.submit(first)).status is OrderStatus.FILLED  # approves the router for USDT
    swap = await venue.quote("TKA/USDT", Side.BUY, Decimal(1))

    cost = await venue.gas_cost(swap)

    assert 50_000 < cost.gas_units < SWAP_GAS_UNITS  # a V2 swap with warm storage, no approval
    assert cost.quote_amount is not None and cost.quote_amount > 0


async def test_without_a_wrapped_native_pool_the_gas_has_no_quote_price(deployed, chain: LocalChain) -> None:
    venue = _venue(chain, deployed[1], ("TKA", "USDT"))
    swap = await venue.quote("TKA/USDT", Side.SELL, Decimal(1))

    cost = await venue.gas_cost(swap)

    assert cost.native_amount > 0
    assert cost.native_price is None and cost.quote_amount is None
