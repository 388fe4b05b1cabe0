"""Smart routing prices a DEX swap's gas: hand-computed effective prices over fake venues."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from engine.domain import ZERO, Instrument, Side
from engine.errors import VenueUnavailable
from engine.venues.dex.quotes import GasCost
from engine.venues.managed import ManagedVenue
from engine.venues.registry import VenueRegistry
from engine.venues.routing import choose_venue, effective_price

D = Decimal
GWEI = 10**9
OWNER = 7


def _instrument() -> Instrument:
    return Instrument("ETH/USDT", "ETH", "USDT", D("0.01"), D("0.0001"), D("0.0001"), ZERO)


class FakeExchange:
    """An exchange with one ask and one bid level; no fee attribute (the 0.1% default applies)."""

    def __init__(self, ask: str, bid: str, *, last: str) -> None:
        self.ask, self.bid, self.last = D(ask), D(bid), D(last)

    async def instrument(self, symbol: str) -> Instrument:
        return _instrument()

    async def last_price(self, symbol: str) -> Decimal:
        return self.last

    async def order_book(self, symbol: str, *, depth: int) -> tuple[list[tuple[Decimal, Decimal]], ...]:
        return [(self.bid, D(1000))], [(self.ask, D(1000))]


@dataclass(frozen=True)
class FakeSwap:
    quantity: Decimal
    price: Decimal


class FakeDex:
    """A DEX quoting ``price`` for any size; its swap costs ``gas_units`` at ``fee_gwei``, ETH at ``eth_price``."""

    taker_fee_rate = ZERO

    def __init__(self, price: str, *, gas_units: int, fee_gwei: int, eth_price: str | None, fail: bool = False):
        self.price, self.gas_units, self.fee_gwei = D(price), gas_units, fee_gwei
        self.eth_price = None if eth_price is None else D(eth_price)
        self.fail = fail
        self.quoted: list[Decimal] = []

    async def instrument(self, symbol: str) -> Instrument:
        return _instrument()

    async def last_price(self, symbol: str) -> Decimal:
        return self.price

    async def quote(self, symbol: str, side: Side, quantity: Decimal) -> FakeSwap:
        self.quoted.append(quantity)
        return FakeSwap(quantity, self.price)

    async def gas_cost(self, swap: FakeSwap) -> GasCost:
        if self.fail:
            raise VenueUnavailable("rpc down")
        return GasCost(self.gas_units, self.fee_gwei * GWEI, "ETH", "USDT", self.eth_price)


def registry(**venues: object) -> VenueRegistry:
    found = VenueRegistry()
    for name, inner in venues.items():  # routing never touches the database: no engine is needed
        managed = ManagedVenue(name, kind="x", owner_user_id=OWNER, connect=lambda inner=inner: inner, db=None)  # type: ignore[arg-type]
        found.register(managed)
    return found


def test_gas_cost_is_units_times_the_fee_per_gas_in_native_then_quote() -> None:
    cost = GasCost(150_000, 20 * GWEI, "ETH", "USDT", D(2000))

    assert cost.native_amount == D("0.003")  # 150000 * 20e9 wei
    assert cost.quote_amount == D(6)
    assert GasCost(150_000, 20 * GWEI, "ETH", "USDT", None).quote_amount is None


def test_effective_price_spreads_the_gas_over_the_order() -> None:
    assert effective_price(D(2000), Side.BUY, fee_rate=D("0.001")) == D("2002.000")
    assert effective_price(D(2000), Side.BUY, fee_rate=ZERO, quantity=D("0.01"), gas_cost=D(6)) == D(2600)
    assert effective_price(D(2000), Side.SELL, fee_rate=ZERO, quantity=D("0.01"), gas_cost=D(6)) == D(1400)
    assert effective_price(D(2000), Side.SELL, fee_rate=D("0.001"), quantity=D(10), gas_cost=D(6)) == D("1997.4")
    with pytest.raises(ValueError):
        effective_price(D(2000), Side.BUY, fee_rate=ZERO, gas_cost=D(6))


async def test_a_tiny_buy_stays_on_the_exchange_when_gas_eats_the_dex_discount() -> None:
    dex = FakeDex("2000", gas_units=150_000, fee_gwei=20, eth_price="2000")  # 6 USDT of gas per swap
    venues = registry(cex=FakeExchange("2010", "2005", last="2008"), dex=dex)

    chosen = await choose_venue(venues, OWNER, "ETH/USDT", Side.BUY, D("0.01"))

    assert chosen is not None
    best, quotes = chosen
    by_venue = {q.venue: q for q in quotes}
    assert by_venue["cex"].effective_price == D("2012.010")  # 2010 * 1.001
    assert by_venue["dex"].effective_price == D(2600)  # 2000 + 6 / 0.01, no fee on top of the pool's quote
    assert by_venue["dex"].gas_cost == D(6) and D(by_venue["dex"].to_json()["gas_cost"]) == D(6)
    assert best.venue == "cex"


async def test_a_large_buy_goes_to_the_dex_once_gas_is_spread_thin() -> None:
    dex = FakeDex("2000", gas_units=150_000, fee_gwei=20, eth_price="2000")
    venues = registry(cex=FakeExchange("2010", "2005", last="2008"), dex=dex)

    best, _ = await choose_venue(venues, OWNER, "ETH/USDT", Side.BUY, D(10))  # type: ignore[misc]

    assert best.venue == "dex" and best.effective_price == D("2000.6")  # 2000 + 6 / 10, below 2012.01


async def test_a_sell_compares_what_each_venue_pays_after_gas() -> None:
    dex = FakeDex("2010", gas_units=100_000, fee_gwei=10, eth_price="2000")  # 0.001 ETH = 2 USDT
    venues = registry(cex=FakeExchange("2010", "2005", last="2008"), dex=dex)

    small, _ = await choose_venue(venues, OWNER, "ETH/USDT", Side.SELL, D("0.1"))  # type: ignore[misc]
    large, _ = await choose_venue(venues, OWNER, "ETH/USDT", Side.SELL, D(5))  # type: ignore[misc]

    assert small.venue == "cex" and small.effective_price == D("2002.995")  # 2005 * 0.999 > 2010 - 20
    assert large.venue == "dex" and large.effective_price == D("2009.6")  # 2010 - 2 / 5


async def test_a_quote_sized_order_spreads_gas_over_its_size_at_the_dex_price() -> None:
    dex = FakeDex("2000", gas_units=150_000, fee_gwei=20, eth_price="2000")
    venues = registry(cex=FakeExchange("2010", "2005", last="2008"), dex=dex)

    best, quotes = await choose_venue(  # type: ignore[misc]
        venues, OWNER, "ETH/USDT", Side.BUY, None, quote_amount=D(20)
    )

    assert dex.quoted == [D("0.01")]  # $20 at 2000
    assert {q.venue: q.effective_price for q in quotes}["dex"] == D(2600)
    assert best.venue == "cex" and best.effective_price == D("2010.008")  # the last price plus the fee


@pytest.mark.parametrize(
    ("dex", "quantity"),
    [
        (FakeDex("1900", gas_units=150_000, fee_gwei=20, eth_price=None), D(1)),  # gas not priceable in USDT
        (FakeDex("1900", gas_units=150_000, fee_gwei=20, eth_price="2000", fail=True), D(1)),  # RPC down
        (FakeDex("1900", gas_units=150_000, fee_gwei=20, eth_price="2000"), None),  # size unknown (a % order)
    ],
)
async def test_a_dex_whose_gas_cannot_be_priced_is_left_out(dex: FakeDex, quantity: Decimal | None) -> None:
    venues = registry(cex=FakeExchange("2010", "2005", last="2008"), other=FakeExchange("2020", "2000", last="2015"),
                      dex=dex)  # fmt: skip

    best, quotes = await choose_venue(venues, OWNER, "ETH/USDT", Side.BUY, quantity)  # type: ignore[misc]

    assert {q.venue for q in quotes} == {"cex", "other"}
    assert best.venue == "cex"
