from __future__ import annotations

from decimal import Decimal

import pytest

from hft_core.book import OrderBook
from hft_core.matching import DuplicateOrderError, MatchingEngine
from hft_core.orders import Order, OrderStatus, SelfTradePrevention, Side, TimeInForce
from hft_core.scale import TickScale

SCALE = TickScale.of("0.01", "0.001")
BUY, SELL = Side.BUY, Side.SELL


def _fills(trades):
    return [(t.taker_order_id, t.maker_order_id, t.price_ticks, t.quantity_lots) for t in trades]


def _engine(**kwargs) -> MatchingEngine:
    engine = MatchingEngine(SCALE, **kwargs)
    engine.submit(Order("s1", SELL, 5, 10010))
    engine.submit(Order("s2", SELL, 5, 10010))
    engine.submit(Order("s3", SELL, 5, 10020))
    engine.submit(Order("b1", BUY, 5, 9990))
    return engine


def test_limit_order_fills_by_price_then_time_at_the_makers_price():
    engine = _engine()
    taker = Order("t", BUY, 12, 10020)
    trades = engine.submit(taker)
    assert _fills(trades) == [("t", "s1", 10010, 5), ("t", "s2", 10010, 5), ("t", "s3", 10020, 2)]
    assert taker.status == OrderStatus.FILLED
    assert engine.order("s3").remaining == 3 and engine.order("s3").status == OrderStatus.PARTIALLY_FILLED
    assert trades[0].price == Decimal("100.10") and trades[0].quantity == Decimal("0.005")
    assert trades[0].notional == Decimal("0.50050")


def test_unfilled_remainder_of_a_limit_order_rests():
    engine = _engine()
    taker = Order("t", BUY, 12, 10010)
    engine.submit(taker)
    assert taker.status == OrderStatus.PARTIALLY_FILLED and taker.remaining == 2
    assert engine.best_bid() == 10010 and engine.best_ask() == 10020


def test_market_order_sweeps_and_cancels_what_is_left():
    engine = _engine()
    taker = Order("m", BUY, 20)
    trades = engine.submit(taker)
    assert sum(t.quantity_lots for t in trades) == 15
    assert taker.status == OrderStatus.CANCELED and taker.remaining == 5
    assert engine.best_ask() is None


def test_ioc_takes_what_crosses_and_never_rests():
    engine = _engine()
    taker = Order("i", BUY, 8, 10010, TimeInForce.IOC)
    trades = engine.submit(taker)
    assert sum(t.quantity_lots for t in trades) == 8
    assert taker.status == OrderStatus.FILLED
    taker2 = Order("i2", BUY, 8, 10010, TimeInForce.IOC)
    engine.submit(taker2)
    assert taker2.status == OrderStatus.CANCELED and taker2.remaining == 6
    assert engine.order("i2") is None


def test_fok_fills_completely_or_leaves_the_book_untouched():
    engine = _engine()
    too_big = Order("f", BUY, 16, 10020, TimeInForce.FOK)
    assert engine.submit(too_big) == []
    assert too_big.status == OrderStatus.CANCELED
    assert engine.depth(SELL) == [(10010, 10), (10020, 5)]
    exact = Order("f2", BUY, 15, 10020, TimeInForce.FOK)
    assert sum(t.quantity_lots for t in engine.submit(exact)) == 15
    assert exact.status == OrderStatus.FILLED


def test_post_only_is_rejected_when_it_would_take_and_rests_otherwise():
    engine = _engine()
    taking = Order("p", BUY, 1, 10010, post_only=True)
    assert engine.submit(taking) == []
    assert taking.status == OrderStatus.REJECTED
    making = Order("p2", BUY, 1, 10000, post_only=True)
    engine.submit(making)
    assert making.status == OrderStatus.OPEN and engine.best_bid() == 10000


def test_cancel_removes_the_order_and_unknown_ids_return_none():
    engine = _engine()
    canceled = engine.cancel("s1")
    assert canceled is not None and canceled.status == OrderStatus.CANCELED
    assert [o.order_id for o in engine.queue(SELL, 10010)] == ["s2"]
    assert engine.cancel("s1") is None and engine.cancel("nope") is None


def test_amend_down_keeps_priority_and_up_loses_it():
    engine = _engine()
    engine.amend("s1", quantity=3)
    assert [o.order_id for o in engine.queue(SELL, 10010)] == ["s1", "s2"]
    engine.amend("s1", quantity=9)
    assert [o.order_id for o in engine.queue(SELL, 10010)] == ["s2", "s1"]
    assert engine.order("s1").remaining == 9


def test_amend_price_re_enters_the_order_and_may_trade():
    engine = _engine()
    trades = engine.amend("b1", price=10010)
    assert _fills(trades) == [("b1", "s1", 10010, 5)]
    assert engine.order("b1") is None and engine.queue(SELL, 10010)[0].order_id == "s2"


def test_amend_to_zero_cancels_and_unknown_order_raises():
    engine = _engine()
    assert engine.amend("s3", quantity=0) == []
    assert engine.order("s3") is None
    with pytest.raises(KeyError):
        engine.amend("nope", quantity=1)


def test_duplicate_and_invalid_orders():
    engine = _engine()
    with pytest.raises(DuplicateOrderError):
        engine.submit(Order("s1", SELL, 1, 10030))
    bad = Order("z", BUY, 0, 10000)
    engine.submit(bad)
    assert bad.status == OrderStatus.REJECTED


@pytest.mark.parametrize(
    ("mode", "taker_status", "maker_left", "filled"),
    [
        (SelfTradePrevention.CANCEL_TAKER, OrderStatus.CANCELED, True, 0),
        (SelfTradePrevention.CANCEL_MAKER, OrderStatus.FILLED, False, 5),
        (SelfTradePrevention.CANCEL_BOTH, OrderStatus.CANCELED, False, 0),
    ],
)
def test_self_trade_prevention_modes(mode, taker_status, maker_left, filled):
    engine = MatchingEngine(SCALE, self_trade=mode)
    engine.submit(Order("mine", SELL, 5, 10010, owner="alice"))
    engine.submit(Order("theirs", SELL, 5, 10010, owner="bob"))
    taker = Order("t", BUY, 5, 10010, owner="alice")
    trades = engine.submit(taker)
    assert taker.status == taker_status
    assert (engine.order("mine") is not None) == maker_left
    assert sum(t.quantity_lots for t in trades) == filled
    assert all(t.maker_order_id != "mine" for t in trades)


def test_orders_from_decimal_use_the_grid():
    order = Order.from_decimal(SCALE, "d", BUY, "1.25", "100.05")
    assert (order.quantity, order.price) == (1250, 10005)


# ------------------------------------------------------------------- against an L2 book
def _book() -> OrderBook:
    book = OrderBook("BTC/USDT", SCALE)
    book.apply_snapshot([(9990, 4), (9980, 10)], [(10000, 3), (10010, 10)])
    return book


def test_taker_fills_against_the_l2_book_first_at_equal_prices_and_consumes_it():
    book = _book()
    engine = MatchingEngine(SCALE, book=book)
    engine.submit(Order("resting", SELL, 5, 10000))
    trades = engine.submit(Order("t", BUY, 6, 10000))
    assert _fills(trades) == [("t", None, 10000, 3), ("t", "resting", 10000, 3)]
    assert book.best_ask_ticks == 10010


def test_limit_order_rests_when_the_book_does_not_cross_then_fills_when_the_market_moves():
    book = _book()
    engine = MatchingEngine(SCALE, book=book)
    order = Order("bid", BUY, 5, 9995)
    assert engine.submit(order) == []
    assert order.status == OrderStatus.OPEN
    book.apply_deltas([(1, 10000, 0), (1, 9995, 10), (1, 9994, 2)])  # asks drop through the bid
    trades = engine.match_book()
    # The resting bid is the maker: it fills at its own price against the best asks in turn.
    assert _fills(trades) == [(None, "bid", 9995, 2), (None, "bid", 9995, 3)]
    assert order.status == OrderStatus.FILLED and engine.order("bid") is None
    assert book.ask_size(9994) == 0 and book.ask_size(9995) == 7
    assert engine.match_book() == []


def test_post_only_checks_the_l2_book_too():
    engine = MatchingEngine(SCALE, book=_book())
    order = Order("p", BUY, 1, 10000, post_only=True)
    engine.submit(order)
    assert order.status == OrderStatus.REJECTED


def test_fok_counts_l2_liquidity():
    engine = MatchingEngine(SCALE, book=_book())
    order = Order("f", SELL, 14, 9980, TimeInForce.FOK)
    assert sum(t.quantity_lots for t in engine.submit(order)) == 14
    assert order.status == OrderStatus.FILLED
    order2 = Order("f2", SELL, 1, 9980, TimeInForce.FOK)
    engine.submit(order2)
    assert order2.status == OrderStatus.CANCELED


def test_a_deep_level_consumed_one_order_at_a_time_keeps_time_priority():
    """300 orders at one price, taken one by one, then canceled from the middle: the level's
    storage is rebuilt along the way and must keep the queue order."""
    engine = MatchingEngine(SCALE)
    for index in range(300):
        engine.submit(Order(f"s{index}", SELL, 1, 10010))
    makers = []
    for index in range(200):
        [trade] = engine.submit(Order(f"t{index}", BUY, 1))
        makers.append(trade.maker_order_id)
    assert makers == [f"s{index}" for index in range(200)]
    for index in range(200, 300, 2):
        engine.cancel(f"s{index}")
    assert [o.order_id for o in engine.queue(SELL, 10010)] == [f"s{index}" for index in range(201, 300, 2)]
    trades = engine.submit(Order("sweep", BUY, 100))
    assert [t.maker_order_id for t in trades] == [f"s{index}" for index in range(201, 300, 2)]
    assert engine.best_ask() is None


def test_an_order_object_canceled_before_can_be_submitted_again():
    engine = _engine()
    order = Order("again", BUY, 12, 10000)
    engine.submit(order)
    engine.cancel("again")
    assert order.status == OrderStatus.CANCELED
    order.price, order.remaining = 10010, 12
    trades = engine.submit(order)  # takes s1 and s2 (10 lots), rests the other 2
    assert sum(t.quantity_lots for t in trades) == 10
    assert order.status == OrderStatus.PARTIALLY_FILLED and engine.order("again") is order
