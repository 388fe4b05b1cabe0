"""Order status mapping and fill bookkeeping for exchanges that list trades and those that do not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.domain import OrderStatus
from engine.errors import VenueError
from engine.venues.ccxt.orders import FillLedger, order_status
from engine.venues.ccxt.schemas import OrderSchema, TradeSchema, parse_venue_answer


def order(**fields: object) -> OrderSchema:
    base: dict[str, object] = {"id": "77", "symbol": "BTC/USDT", "status": "open", "amount": 1.0}
    base.update(fields)
    return OrderSchema.model_validate(base)


def test_status_mapping_marks_open_orders_with_fills_as_partially_filled() -> None:
    assert order_status(order(filled=0.0)) is OrderStatus.OPEN
    assert order_status(order(filled=0.3)) is OrderStatus.PARTIALLY_FILLED
    assert order_status(order(status="closed", filled=1.0)) is OrderStatus.FILLED
    assert order_status(order(status="canceled", filled=0.3)) is OrderStatus.CANCELED
    assert order_status(order(status="expired")) is OrderStatus.CANCELED
    assert order_status(order(status="rejected")) is OrderStatus.REJECTED


def test_synthesized_fills_average_to_the_orders_average_price() -> None:
    ledger = FillLedger()

    first = ledger.synthesize(order(filled=0.4, average=100.0), default_ts_ms=1)
    same = ledger.synthesize(order(filled=0.4, average=100.0), default_ts_ms=2)
    second = ledger.synthesize(order(status="closed", filled=1.0, average=103.0), default_ts_ms=3)

    assert [(fill.quantity, fill.price) for fill in first] == [(Decimal("0.4"), Decimal(100))]
    assert same == ()
    assert [(fill.quantity, fill.price) for fill in second] == [(Decimal("0.6"), Decimal(105))]
    assert first[0].trade_id == "77:0.4" and second[0].trade_id == "77:1"


def test_listed_trades_are_reported_once_each() -> None:
    ledger = FillLedger()
    trade_a = TradeSchema.model_validate({"id": "a", "order": "77", "amount": 0.4, "price": 100.0})
    trade_b = TradeSchema.model_validate({"id": "b", "order": "77", "amount": 0.6, "price": 101.0,
                                          "fee": {"cost": 0.06, "currency": "USDT"}})  # fmt: skip

    first = ledger.take_new((trade_a,), default_ts_ms=5)
    second = ledger.take_new((trade_a, trade_b), default_ts_ms=6)

    assert [fill.trade_id for fill in first] == ["a"]
    assert [(fill.trade_id, fill.fee, fill.fee_asset) for fill in second] == [("b", Decimal("0.06"), "USDT")]
    assert ledger.quantity == Decimal(1)


def test_an_order_missing_a_field_is_a_venue_error_naming_it() -> None:
    with pytest.raises(VenueError, match="okx returned an unexpected order: field 'symbol'"):
        parse_venue_answer(OrderSchema, {"id": "1", "symbol": None, "status": "open"}, venue="okx")
