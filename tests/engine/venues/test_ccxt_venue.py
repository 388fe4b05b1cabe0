"""CcxtVenue against the fake exchange: real ccxt signing and parsing, for binance and okx."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.domain import ClientOrderId, OrderStatus, OrderType, Side
from engine.errors import InsufficientBalance, NotFound, UnknownSymbol, UserInputError
from engine.venues.base import OrderRequest, Venue
from engine.venues.ccxt.reconcile import reconcile
from tests.fakes.exchange_conftest import ExchangeCase


def limit_buy(client_id: str, quantity: str = "0.01", price: str = "29000") -> OrderRequest:
    return OrderRequest(
        ClientOrderId(client_id), "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal(quantity), Decimal(price)
    )


def market(client_id: str, side: Side, quantity: str) -> OrderRequest:
    return OrderRequest(ClientOrderId(client_id), "BTC/USDT", side, OrderType.MARKET, Decimal(quantity))


async def test_venue_implements_the_engine_protocol(exchange_case: ExchangeCase) -> None:
    assert isinstance(exchange_case.venue(), Venue)


async def test_markets_load_with_precision_and_limits(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()

    instrument = await venue.instrument("BTC/USDT")

    assert (instrument.base, instrument.quote) == ("BTC", "USDT")
    assert instrument.tick_size == Decimal("0.01")
    assert instrument.step_size == Decimal("0.00001")
    assert instrument.min_quantity == Decimal("0.00001")
    assert set(await venue.load_markets()) == {"BTC/USDT", "ETH/USDT"}
    assert exchange_case.fake.count("markets") >= 1


async def test_exchange_symbol_id_normalises_and_unknown_symbol_is_refused(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()

    assert (await venue.instrument("BTCUSDT")).symbol == "BTC/USDT"
    with pytest.raises(UnknownSymbol, match="DOGE/USDT is not traded"):
        await venue.instrument("DOGE/USDT")


async def test_ticker_and_order_book_are_decimals(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()

    price = await venue.last_price("BTC/USDT")
    bids, asks = await venue.order_book("BTC/USDT", depth=5)

    assert price == Decimal("30000")
    assert bids[0] == (Decimal("29999.99"), Decimal("1.5"))
    assert asks[0] == (Decimal("30000.01"), Decimal("1.5"))
    assert all(bid[0] < asks[0][0] for bid in bids)


async def test_balances_report_totals_and_available(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()
    await venue.submit(limit_buy("rest-1", "0.1", "29000"))  # locks 2900 USDT

    totals = await venue.balances()
    available = await venue.balances(available=True)

    assert totals == {"USDT": Decimal("10000"), "BTC": Decimal("0.5"), "ETH": Decimal("2")}
    assert available["USDT"] == Decimal("7100")


async def test_limit_order_rests_and_is_listed_for_reconciliation(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()

    update = await venue.submit(limit_buy("limit-1", "0.01", "29000.004"))
    listed = await venue.open_orders()

    assert update.status is OrderStatus.OPEN and update.fills == ()
    placed = exchange_case.fake.order_by_client_id(venue.exchange_client_id("limit-1"))
    assert placed.price == Decimal("29000.00")  # a buy price rounds down to the tick
    assert [order.venue_order_id for order in listed] == [update.venue_order_id]
    assert listed[0].exchange_client_id == venue.exchange_client_id("limit-1")
    assert listed[0].placed_by_tradehub
    assert (listed[0].quantity, listed[0].side) == (Decimal("0.01"), Side.BUY)


async def test_market_order_fills_with_fee_and_moves_balances(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()

    update = await venue.submit(market("mkt-1", Side.BUY, "0.0123456"))

    assert update.status is OrderStatus.FILLED
    assert [(fill.quantity, fill.price) for fill in update.fills] == [(Decimal("0.01234"), Decimal("30000"))]
    fill = update.fills[0]
    fee_in_base = fill.fee_asset == "BTC"
    assert fill.fee == (Decimal("0.00001234") if fee_in_base else Decimal("0.37020"))
    balances = await venue.balances()
    cost = Decimal("0.01234") * 30000
    assert balances["USDT"] == Decimal("10000") - cost - (0 if fee_in_base else fill.fee)
    assert balances["BTC"] == Decimal("0.5") + Decimal("0.01234") - (fill.fee if fee_in_base else 0)


async def test_partial_fills_are_each_reported_once(exchange_case: ExchangeCase) -> None:
    venue, fake = exchange_case.venue(), exchange_case.fake
    await venue.submit(limit_buy("part-1", "0.01", "29000"))
    order = fake.order_by_client_id(venue.exchange_client_id("part-1"))

    fake.fill(order, Decimal("0.004"))
    first = await venue.fetch_order("BTC/USDT", ClientOrderId("part-1"))
    again = await venue.fetch_order("BTC/USDT", ClientOrderId("part-1"))
    fake.fill(order, Decimal("0.006"), Decimal("28999.5"))
    last = await venue.fetch_order("BTC/USDT", ClientOrderId("part-1"))

    assert first is not None and again is not None and last is not None
    assert first.status is OrderStatus.PARTIALLY_FILLED
    assert [fill.quantity for fill in first.fills] == [Decimal("0.004")]
    assert again.status is OrderStatus.PARTIALLY_FILLED and again.fills == ()
    assert last.status is OrderStatus.FILLED
    assert [(fill.quantity, fill.price) for fill in last.fills] == [(Decimal("0.006"), Decimal("28999.5"))]


async def test_cancel_releases_the_order_and_a_second_cancel_reports_it_canceled(
    exchange_case: ExchangeCase,
) -> None:
    venue = exchange_case.venue()
    await venue.submit(limit_buy("cancel-1"))

    canceled = await venue.cancel("BTC/USDT", ClientOrderId("cancel-1"))
    again = await venue.cancel("BTC/USDT", ClientOrderId("cancel-1"))

    assert canceled.status is OrderStatus.CANCELED
    assert again.status is OrderStatus.CANCELED
    assert await venue.open_orders("BTC/USDT") == []
    assert (await venue.balances(available=True))["USDT"] == Decimal("10000")


async def test_cancel_after_fill_reports_the_fill_instead_of_failing(exchange_case: ExchangeCase) -> None:
    venue, fake = exchange_case.venue(), exchange_case.fake
    await venue.submit(limit_buy("race-1"))
    fake.fill(fake.order_by_client_id(venue.exchange_client_id("race-1")), Decimal("0.01"))

    update = await venue.cancel("BTC/USDT", ClientOrderId("race-1"))

    assert update.status is OrderStatus.FILLED
    assert sum(fill.quantity for fill in update.fills) == Decimal("0.01")


async def test_cancel_of_unknown_order_raises_not_found(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()

    with pytest.raises(NotFound, match="no order never-placed"):
        await venue.cancel("BTC/USDT", ClientOrderId("never-placed"))
    assert await venue.fetch_order("BTC/USDT", ClientOrderId("never-placed")) is None


async def test_insufficient_funds_is_a_clear_user_error(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()

    with pytest.raises(InsufficientBalance, match="insufficient balance") as caught:
        await venue.submit(limit_buy("big-1", "1", "29000"))  # 29000 USDT > 10000

    assert caught.value.http_status == 422
    assert exchange_case.fake.state.orders == {}


async def test_too_small_order_is_refused_before_sending(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()

    with pytest.raises(UserInputError, match=r"Order too small: 0.000001 BTC is below .* minimum of 0.00001"):
        await venue.submit(limit_buy("tiny-1", "0.000001", "29000"))

    assert exchange_case.fake.count("create_order") == 0


async def test_binance_min_notional_is_refused_before_sending(make_exchange_case) -> None:
    case = await make_exchange_case("binance")
    venue = case.venue()

    with pytest.raises(UserInputError, match=r"worth 2\.9 USDT, below binance's minimum order value of 5 USDT"):
        await venue.submit(limit_buy("small-1", "0.0001", "29000"))
    with pytest.raises(UserInputError, match="minimum order value of 5 USDT"):
        await venue.submit(market("small-2", Side.SELL, "0.0001"))

    assert case.fake.count("create_order") == 0


async def test_submitting_the_same_client_order_id_twice_places_one_order(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()

    first = await venue.submit(limit_buy("twice-1"))
    second = await venue.submit(limit_buy("twice-1"))

    assert second.venue_order_id == first.venue_order_id
    assert len(exchange_case.fake.state.orders) == 1


async def test_reconciliation_after_a_restart_matches_the_store(exchange_case: ExchangeCase) -> None:
    before_restart = exchange_case.venue()
    await before_restart.submit(limit_buy("stored-open"))
    await before_restart.submit(limit_buy("stored-filled"))
    fake = exchange_case.fake
    fake.fill(fake.order_by_client_id(before_restart.exchange_client_id("stored-filled")), Decimal("0.01"))
    foreign = fake.state.place("ETH/USDT", "sell", "limit", Decimal("0.5"), Decimal("2500.00"), "manual1")
    after_restart = exchange_case.venue()

    result = await reconcile(
        after_restart,
        [("BTC/USDT", ClientOrderId(name)) for name in ("stored-open", "stored-filled", "never-sent")],
    )

    open_update = result.updates[ClientOrderId("stored-open")]
    filled_update = result.updates[ClientOrderId("stored-filled")]
    assert open_update is not None and open_update.status is OrderStatus.OPEN
    assert filled_update is not None and filled_update.status is OrderStatus.FILLED
    assert sum(fill.quantity for fill in filled_update.fills) == Decimal("0.01")
    assert result.updates[ClientOrderId("never-sent")] is None
    assert [order.venue_order_id for order in result.unknown_open_orders] == [fake.venue_order_id(foreign)]
    assert not result.unknown_open_orders[0].placed_by_tradehub
    assert result.balances["ETH"] == Decimal(2)
