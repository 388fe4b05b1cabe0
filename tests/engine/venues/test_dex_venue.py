"""DexVenue against Uniswap V2 deployed on an in-process chain: real quotes, approvals and swaps."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from eth_account.signers.local import LocalAccount

from engine.domain import ClientOrderId, OrderStatus, OrderType, Side
from engine.errors import InsufficientBalance, NotFound, OrderRejectedByVenue, UnknownSymbol
from engine.venues.base import OrderRequest, Venue
from engine.venues.dex import ChainConfig, DexVenue, DexVenueConfig, TokenConfig
from tests.fakes.chain import INSTALL_HINT, LocalChain, artifacts_dir

PRIORITY_FEE = 2_000_000_000


@dataclass
class DexCase:
    chain: LocalChain
    venue: DexVenue

    async def token_balance(self, symbol: str) -> Decimal:
        return (await self.venue.balances()).get(symbol, Decimal(0))

    async def nonce(self) -> int:
        return await self.chain.w3.eth.get_transaction_count(self.venue.address)


def _config(chain: LocalChain, **overrides: object) -> DexVenueConfig:
    deployment = chain.deployment
    assert deployment is not None
    tokens = tuple(TokenConfig(symbol, contract.address, 18) for symbol, contract in deployment.tokens.items())
    chain_config = ChainConfig(
        name="local", chain_id=131277322940537, rpc_url="http://127.0.0.1:8545",
        router=deployment.router.address, factory=deployment.factory.address, tokens=tokens,
    )  # fmt: skip
    settings: dict[str, object] = {"receipt_poll_s": 0.01, "priority_fee_wei": PRIORITY_FEE}
    settings.update(overrides)
    return DexVenueConfig(chain_config, keystore_json="", keystore_password="", **settings)  # type: ignore[arg-type]


async def _deploy(chain: LocalChain) -> LocalAccount:
    await chain.setup_uniswap(("TKA", "TKB"))
    await chain.add_liquidity("TKA", "TKB", Decimal(1000), Decimal(2000))
    return await chain.new_wallet(native=Decimal(10), tokens={"TKA": Decimal(50), "TKB": Decimal(100)})


@pytest.fixture(scope="module")
def deployed() -> tuple[LocalChain, LocalAccount]:
    """One chain per module with V2, two tokens, a 1000 TKA / 2000 TKB pool and a funded wallet."""
    if artifacts_dir() is None:
        if os.environ.get("CI") == "true":  # CI installs them (scripts/test): their absence is a failure
            pytest.fail(INSTALL_HINT)
        pytest.skip(f"the DEX tests need the Uniswap V2 build artifacts from npm: {INSTALL_HINT}")
    chain = LocalChain()
    wallet = asyncio.run(_deploy(chain))  # the in-process provider is not bound to an event loop
    return chain, wallet


@pytest.fixture
def make_dex(deployed: tuple[LocalChain, LocalAccount]) -> Iterator[Callable[..., DexCase]]:
    """Venues on the module's chain; every test starts from the same snapshot."""
    chain, wallet = deployed
    snapshot = chain.tester.take_snapshot()
    try:
        yield lambda **overrides: DexCase(chain, DexVenue(_config(chain, **overrides), chain.w3, wallet))
    finally:
        chain.tester.enable_auto_mine_transactions()
        chain.tester.revert_to_snapshot(snapshot)


@pytest.fixture
def dex(make_dex: Callable[..., DexCase]) -> DexCase:
    return make_dex()


def sell(client_id: str, quantity: str, limit: str | None = None) -> OrderRequest:
    order_type = OrderType.LIMIT if limit else OrderType.MARKET
    return OrderRequest(
        ClientOrderId(client_id), "TKA/TKB", Side.SELL, order_type, Decimal(quantity), Decimal(limit) if limit else None
    )


def buy(client_id: str, quantity: str) -> OrderRequest:
    return OrderRequest(ClientOrderId(client_id), "TKA/TKB", Side.BUY, OrderType.MARKET, Decimal(quantity))


def v2_amount_out(amount_in: Decimal, reserve_in: Decimal, reserve_out: Decimal) -> Decimal:
    with_fee = amount_in * 997
    return with_fee * reserve_out / (reserve_in * 1000 + with_fee)


async def test_venue_protocol_price_and_quote_follow_the_pool(dex: DexCase) -> None:
    assert isinstance(dex.venue, Venue)

    price = await dex.venue.last_price("TKA/TKB")
    swap_quote = await dex.venue.quote("TKA/TKB", Side.SELL, Decimal(1))

    assert price == Decimal(2)
    expected = v2_amount_out(Decimal(1), Decimal(1000), Decimal(2000))
    assert abs(swap_quote.price - expected) < Decimal("1e-17")
    assert swap_quote.min_amount_out == pytest.approx(swap_quote.amount_out * 0.995, rel=1e-9)
    with pytest.raises(UnknownSymbol):
        await dex.venue.last_price("TKA/XYZ")


async def test_sell_approves_once_swaps_and_reports_the_effective_price_and_gas(dex: DexCase) -> None:
    swap_quote = await dex.venue.quote("TKA/TKB", Side.SELL, Decimal(1))

    first = await dex.venue.submit(sell("sell-1", "1"))
    second = await dex.venue.submit(sell("sell-2", "1"))

    assert first.status is OrderStatus.FILLED and second.status is OrderStatus.FILLED
    fill = first.fills[0]
    assert fill.quantity == Decimal(1)
    assert fill.price == swap_quote.price  # nobody traded in between: the quote is what settled
    assert fill.fee > 0 and fill.fee_asset == "ETH"
    assert fill.trade_id == first.venue_order_id and fill.trade_id.startswith("0x")
    assert second.fills[0].price < fill.price  # the pool moved against repeated sells
    assert await dex.nonce() == 3  # one approval, two swaps
    assert await dex.token_balance("TKA") == Decimal(48)
    assert await dex.token_balance("TKB") == Decimal(100) + fill.price + second.fills[0].price


async def test_buy_receives_exactly_the_quantity_within_the_max_spend(dex: DexCase) -> None:
    swap_quote = await dex.venue.quote("TKA/TKB", Side.BUY, Decimal("2.5"))

    update = await dex.venue.submit(buy("buy-1", "2.5"))

    assert update.status is OrderStatus.FILLED
    assert update.fills[0].quantity == Decimal("2.5")
    spent = Decimal(100) - await dex.token_balance("TKB")
    assert spent == update.fills[0].price * Decimal("2.5")
    assert spent * 10**18 <= swap_quote.max_amount_in
    assert await dex.token_balance("TKA") == Decimal("52.5")


async def test_price_moved_past_slippage_is_refused_before_sending(dex: DexCase) -> None:
    swap_quote = await dex.venue.quote("TKA/TKB", Side.SELL, Decimal(5))
    await dex.venue.submit(sell("warm-up", "0.001"))  # approval out of the way
    nonce = await dex.nonce()
    await dex.chain.swap_as_deployer("TKA", "TKB", Decimal(50))  # a front-runner moves the price

    with pytest.raises(OrderRejectedByVenue, match="INSUFFICIENT_OUTPUT_AMOUNT"):
        await dex.venue.execute(swap_quote, ClientOrderId("late-1"))

    assert await dex.nonce() == nonce  # nothing was sent


async def test_limit_worse_than_the_pool_is_refused_up_front(dex: DexCase) -> None:
    with pytest.raises(OrderRejectedByVenue, match=r"below your limit 2\.5"):
        await dex.venue.submit(sell("limit-1", "1", limit="2.5"))

    update = await dex.venue.submit(sell("limit-2", "1", limit="1.9"))
    assert update.status is OrderStatus.FILLED and update.fills[0].price >= Decimal("1.9")


async def test_swap_reverted_on_chain_is_rejected_with_its_gas_cost(dex: DexCase) -> None:
    await dex.venue.submit(sell("warm-up", "0.001"))
    tka_before = await dex.token_balance("TKA")
    tester = dex.chain.tester
    tester.disable_auto_mine_transactions()
    pending = asyncio.create_task(dex.venue.submit(sell("expired-1", "1")))
    await dex.chain.wait_for_pending_transaction()
    tester.time_travel(await dex.chain.timestamp() + 3600)  # past the swap's deadline
    tester.enable_auto_mine_transactions()  # mines the pending swap, now expired

    update = await asyncio.wait_for(pending, timeout=30)

    assert update.status is OrderStatus.REJECTED
    assert update.reason is not None and "reverted" in update.reason and "gas spent" in update.reason
    assert await dex.token_balance("TKA") == tka_before


async def test_concurrent_swaps_get_consecutive_nonces(dex: DexCase) -> None:
    updates = await asyncio.gather(*(dex.venue.submit(sell(f"par-{index}", "0.5")) for index in range(3)))

    assert all(update.status is OrderStatus.FILLED for update in updates)
    assert len({update.venue_order_id for update in updates}) == 3
    assert await dex.nonce() == 4  # one approval, three swaps, no gaps or reuse
    assert await dex.token_balance("TKA") == Decimal("48.5")


async def test_insufficient_tokens_are_refused_before_sending(dex: DexCase) -> None:
    with pytest.raises(InsufficientBalance, match="Not enough TKA"):
        await dex.venue.submit(sell("too-much", "51"))

    assert await dex.nonce() == 0


async def test_transactions_use_eip1559_fees(dex: DexCase) -> None:
    update = await dex.venue.submit(sell("fee-1", "1"))

    transaction = await dex.chain.w3.eth.get_transaction(update.venue_order_id)
    block = await dex.chain.w3.eth.get_block(transaction["blockNumber"])
    assert transaction["type"] == 2
    assert transaction["maxPriorityFeePerGas"] == PRIORITY_FEE
    assert transaction["maxFeePerGas"] >= block["baseFeePerGas"] + PRIORITY_FEE


async def test_dry_run_quotes_without_sending(make_dex: Callable[..., DexCase]) -> None:
    case = make_dex(dry_run=True)

    update = await case.venue.submit(sell("dry-1", "1"))

    assert update.status is OrderStatus.REJECTED and update.fills == ()
    assert update.reason is not None and update.reason.startswith("dry run: would sell 1 TKA at 1.99")
    assert await case.nonce() == 0
    assert await case.token_balance("TKA") == Decimal(50)


async def test_resubmitting_a_client_order_id_sends_nothing_new(dex: DexCase) -> None:
    first = await dex.venue.submit(sell("once-1", "1"))
    nonce = await dex.nonce()

    again = await dex.venue.submit(sell("once-1", "1"))

    assert again == first
    assert await dex.nonce() == nonce
    assert await dex.venue.fetch_order("TKA/TKB", ClientOrderId("once-1")) == first
    assert await dex.venue.cancel("TKA/TKB", ClientOrderId("once-1")) == first
    with pytest.raises(NotFound):
        await dex.venue.cancel("TKA/TKB", ClientOrderId("never"))


async def test_balances_include_native_and_tokens(dex: DexCase) -> None:
    balances = await dex.venue.balances()

    assert balances == {"ETH": Decimal(10), "TKA": Decimal(50), "TKB": Decimal(100)}
