"""Rounding to market precision and the minimum checks, with property tests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.domain import Instrument, OrderType, Side
from engine.errors import OperatorError, UserInputError
from engine.venues.ccxt.schemas import MarketSchema
from engine.venues.ccxt.sizing import (
    instrument_from_market,
    max_affordable_quantity,
    prepare_order,
    round_limit_price,
)

STEPS = [Decimal(value) for value in ("1", "0.1", "0.01", "0.001", "0.00001", "0.00000001", "0.5", "0.025")]
TICKS = [Decimal(value) for value in ("1", "0.5", "0.1", "0.01", "0.0001", "0.00000001")]


@st.composite
def instruments(draw: st.DrawFn) -> Instrument:
    step = draw(st.sampled_from(STEPS))
    return Instrument(
        symbol="AAA/QQQ",
        base="AAA",
        quote="QQQ",
        tick_size=draw(st.sampled_from(TICKS)),
        step_size=step,
        min_quantity=step * draw(st.integers(min_value=1, max_value=1000)),
        min_notional=draw(st.sampled_from([Decimal(0), Decimal(1), Decimal(5), Decimal(10), Decimal("0.0001")])),
    )


def amounts(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False)


FEES = st.sampled_from([Decimal(0), Decimal("0.001"), Decimal("0.0025"), Decimal("0.01")])


@settings(max_examples=300, deadline=None)
@given(instruments(), amounts("0.01", "10000000", 8), amounts("0.00000001", "1000000", 8), FEES)
def test_affordable_quantity_never_exceeds_balance_nor_falls_below_minimums(
    instrument: Instrument, balance: Decimal, price: Decimal, fee_rate: Decimal
) -> None:
    try:
        quantity = max_affordable_quantity(instrument, quote_balance=balance, price=price, fee_rate=fee_rate)
    except UserInputError:
        # refused only when even the largest affordable multiple of the step is below a minimum
        largest = (balance / (price * (1 + fee_rate)) // instrument.step_size) * instrument.step_size
        assert largest < instrument.min_quantity or largest * price < instrument.min_notional
        return
    assert quantity * price * (1 + fee_rate) <= balance
    assert (quantity + instrument.step_size) * price * (1 + fee_rate) > balance  # and it is the largest
    assert quantity >= instrument.min_quantity
    assert quantity * price >= instrument.min_notional
    assert quantity % instrument.step_size == 0


@settings(max_examples=300, deadline=None)
@given(instruments(), amounts("0.00000001", "100000", 8), amounts("0.00000001", "1000000", 8), st.sampled_from(Side))
def test_prepared_orders_never_exceed_the_request_and_always_meet_the_minimums(
    instrument: Instrument, quantity: Decimal, price: Decimal, side: Side
) -> None:
    try:
        prepared = prepare_order(
            instrument, side=side, order_type=OrderType.LIMIT, quantity=quantity, price=price,
            reference_price=None, venue="x",
        )  # fmt: skip
    except UserInputError as refused:
        assert "too small" in str(refused) or "tick size" in str(refused)
        return
    assert prepared.quantity <= quantity  # selling the whole balance never asks for more than held
    assert quantity - prepared.quantity < instrument.step_size
    assert prepared.quantity % instrument.step_size == 0
    assert prepared.quantity >= instrument.min_quantity
    assert prepared.price is not None
    assert prepared.quantity * prepared.price >= instrument.min_notional
    assert prepared.price % instrument.tick_size == 0
    assert abs(prepared.price - price) < instrument.tick_size


@given(instruments(), amounts("0.00000001", "1000000", 8))
def test_limit_prices_round_to_the_safe_side(instrument: Instrument, price: Decimal) -> None:
    buy = round_limit_price(instrument, Side.BUY, price)
    sell = round_limit_price(instrument, Side.SELL, price)

    assert buy <= price <= sell
    assert sell - buy <= instrument.tick_size


def _instrument(**overrides: Decimal) -> Instrument:
    values = {
        "tick_size": Decimal("0.01"),
        "step_size": Decimal("0.001"),
        "min_quantity": Decimal("0.001"),
        "min_notional": Decimal("10"),
    }
    values.update(overrides)
    return Instrument(symbol="ETH/USDT", base="ETH", quote="USDT", **values)


def test_market_order_is_valued_at_the_reference_price_for_min_notional() -> None:
    with pytest.raises(UserInputError, match=r"worth 4 USDT, below x's minimum order value of 10 USDT"):
        prepare_order(
            _instrument(), side=Side.SELL, order_type=OrderType.MARKET, quantity=Decimal("0.002"), price=None,
            reference_price=Decimal("2000"), venue="x",
        )  # fmt: skip


def test_limit_order_needs_a_price_and_a_positive_quantity() -> None:
    with pytest.raises(UserInputError, match="needs a positive price"):
        prepare_order(
            _instrument(), side=Side.BUY, order_type=OrderType.LIMIT, quantity=Decimal(1), price=None,
            reference_price=None, venue="x",
        )  # fmt: skip
    with pytest.raises(UserInputError, match="must be positive"):
        prepare_order(
            _instrument(), side=Side.BUY, order_type=OrderType.LIMIT, quantity=Decimal(0), price=Decimal(1),
            reference_price=None, venue="x",
        )  # fmt: skip


def test_instrument_from_tick_size_market() -> None:
    market = MarketSchema.model_validate(
        {
            "id": "BTCUSDT", "symbol": "BTC/USDT", "base": "BTC", "quote": "USDT",
            "precision": {"amount": 1e-05, "price": 0.01},
            "limits": {"amount": {"min": 1e-05}, "cost": {"min": 5.0}},
        }
    )  # fmt: skip

    instrument = instrument_from_market(market, precision_mode=4)

    assert (instrument.step_size, instrument.tick_size) == (Decimal("0.00001"), Decimal("0.01"))
    assert (instrument.min_quantity, instrument.min_notional) == (Decimal("0.00001"), Decimal(5))


def test_instrument_from_decimal_places_market_without_limits() -> None:
    market = MarketSchema.model_validate(
        {"id": "XXBTZUSD", "symbol": "BTC/USD", "base": "BTC", "quote": "USD", "precision": {"amount": 8, "price": 1}}
    )

    instrument = instrument_from_market(market, precision_mode=2)

    assert (instrument.step_size, instrument.tick_size) == (Decimal("0.00000001"), Decimal("0.1"))
    assert instrument.min_quantity == instrument.step_size
    assert instrument.min_notional == 0


def test_market_without_precision_is_an_operator_error() -> None:
    market = MarketSchema.model_validate(
        {"id": "X", "symbol": "X/Y", "base": "X", "quote": "Y", "precision": {"amount": None, "price": 0.1}}
    )

    with pytest.raises(OperatorError, match="no amount precision"):
        instrument_from_market(market, precision_mode=4)
