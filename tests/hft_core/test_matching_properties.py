"""Random order flows: the matching engine against the simple reference engine."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hft_core.book import OrderBook
from hft_core.matching import MatchingEngine
from hft_core.orders import Order, OrderStatus, SelfTradePrevention, Side, TimeInForce
from hft_core.scale import TickScale
from tests.hft_core.reference import ReferenceBook, ReferenceEngine, RefOrder

SCALE = TickScale.of("0.01", "1")
STP_NAMES = {
    SelfTradePrevention.CANCEL_TAKER: "cancel_taker",
    SelfTradePrevention.CANCEL_MAKER: "cancel_maker",
    SelfTradePrevention.CANCEL_BOTH: "cancel_both",
}
TIF_NAMES = {TimeInForce.GTC: "gtc", TimeInForce.IOC: "ioc", TimeInForce.FOK: "fok"}
STATUS_NAMES = {
    OrderStatus.OPEN: "open",
    OrderStatus.PARTIALLY_FILLED: "open",
    OrderStatus.FILLED: "filled",
    OrderStatus.CANCELED: "canceled",
    OrderStatus.REJECTED: "rejected",
}

limit_op = st.tuples(
    st.just("limit"),
    st.sampled_from([Side.BUY, Side.SELL]),
    st.integers(9997, 10003),
    st.integers(1, 12),
    st.sampled_from(list(TimeInForce)),
    st.booleans(),
    st.sampled_from([None, "alice", "bob"]),
)
market_op = st.tuples(
    st.just("market"),
    st.sampled_from([Side.BUY, Side.SELL]),
    st.integers(1, 30),
    st.sampled_from([TimeInForce.IOC, TimeInForce.FOK]),
    st.sampled_from([None, "alice", "bob"]),
)
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 200))
amend_op = st.tuples(
    st.just("amend"), st.integers(0, 200), st.integers(0, 15), st.sampled_from([None, None, 9998, 10000, 10002])
)
operations = st.lists(st.one_of(limit_op, limit_op, limit_op, market_op, cancel_op, amend_op), min_size=20, max_size=80)


def _trade_tuples(trades):
    return [(t.taker_order_id, t.maker_order_id, int(t.taker_side), t.price_ticks, t.quantity_lots) for t in trades]


def _engine_levels(engine: MatchingEngine, side: Side):
    return [(price, [(o.order_id, o.remaining) for o in engine.queue(side, price)]) for price, _ in engine.depth(side)]


def _run_step(engine, reference, orders, op, index):
    kind = op[0]
    if kind in ("limit", "market"):
        if kind == "limit":
            _, side, price, quantity, tif, post_only, owner = op
        else:
            _, side, quantity, tif, owner = op
            price, post_only = None, False
        order_id = f"o{index}"
        order = Order(order_id, side, quantity, price, tif, post_only, owner)
        ref = RefOrder(order_id, int(side), price, quantity, owner, 0, post_only=post_only)
        orders.append((order, ref))
        return engine.submit(order), reference.submit(ref, tif=TIF_NAMES[tif], post_only=post_only)
    if not orders:
        return [], []
    resting = [pair for pair in orders if engine.order(pair[0].order_id) is not None]
    if kind == "cancel":  # mostly resting orders, sometimes one that is already done
        order, ref = (resting or orders)[op[1] % len(resting or orders)] if op[1] % 4 else orders[op[1] % len(orders)]
        canceled = engine.cancel(order.order_id)
        assert (canceled is not None) == reference.cancel(ref.order_id)
        return [], []
    if not resting:
        return [], []
    order, ref = resting[op[1] % len(resting)]
    _, _, quantity, price = op
    return engine.amend(order.order_id, quantity=quantity, price=price), reference.amend(ref.order_id, quantity, price)


@settings(max_examples=200, deadline=None)
@given(operations, st.sampled_from(list(SelfTradePrevention)))
def test_random_flows_give_the_reference_fills_and_book(ops, stp):
    engine = MatchingEngine(SCALE, self_trade=stp)
    reference = ReferenceEngine(stp=STP_NAMES[stp])
    orders: list[tuple[Order, RefOrder]] = []
    filled: dict[str, int] = {}
    for index, op in enumerate(ops):
        trades, expected = _run_step(engine, reference, orders, op, index)
        assert _trade_tuples(trades) == expected
        for trade in trades:
            for order_id in (trade.taker_order_id, trade.maker_order_id):
                filled[order_id] = filled.get(order_id, 0) + trade.quantity_lots
        for side in (Side.BUY, Side.SELL):
            assert _engine_levels(engine, side) == reference.levels(int(side))
        best_bid, best_ask = engine.best_bid(), engine.best_ask()
        assert best_bid is None or best_ask is None or best_bid < best_ask, "resting book crossed"
    for order, ref in orders:
        assert order.remaining >= 0
        assert order.quantity - order.remaining == filled.get(order.order_id, 0), "quantity not conserved"
        assert STATUS_NAMES.get(order.status, "new") == ref.status


book_op = st.tuples(
    st.just("book"),
    st.lists(st.tuples(st.sampled_from([0, 1]), st.integers(9997, 10003), st.integers(0, 8)), max_size=4),
)
operations_with_book = st.lists(
    st.one_of(limit_op, market_op, cancel_op, amend_op, book_op, book_op), min_size=20, max_size=60
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(9990, 9999), st.integers(1, 8)), max_size=4),
    st.lists(st.tuples(st.integers(10001, 10010), st.integers(1, 8)), max_size=4),
    operations_with_book,
    st.sampled_from(list(SelfTradePrevention)),
)
def test_random_flows_against_an_l2_book_give_the_reference_fills(bids, asks, ops, stp):
    book, reference_book = OrderBook("T", SCALE), ReferenceBook()
    book.apply_snapshot(bids, asks)
    for price, size in bids:
        reference_book.apply(0, price, size)
    for price, size in asks:
        reference_book.apply(1, price, size)
    engine = MatchingEngine(SCALE, book=book, self_trade=stp)
    reference = ReferenceEngine(stp=STP_NAMES[stp], book=reference_book)
    orders: list[tuple[Order, RefOrder]] = []
    for index, op in enumerate(ops):
        if op[0] == "book":
            for side, price, size in op[1]:
                book.apply_delta(side, price, size)
                reference_book.apply(side, price, size)
            trades, expected = engine.match_book(), reference.match_book()
        else:
            trades, expected = _run_step(engine, reference, orders, op, index)
        assert _trade_tuples(trades) == expected
        assert book.bids(100) == reference_book.bids_sorted()
        assert book.asks(100) == reference_book.asks_sorted()
        for side in (Side.BUY, Side.SELL):
            assert _engine_levels(engine, side) == reference.levels(int(side))
    for order, ref in orders:
        assert order.remaining >= 0
        assert STATUS_NAMES.get(order.status, "new") == ref.status
