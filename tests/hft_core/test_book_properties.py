"""Random delta streams: the fast book against the reference dict book."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hft_core.book import ASK, BID, NO_ASK, NO_BID, OrderBook
from hft_core.scale import TickScale
from tests.hft_core.reference import ReferenceBook

SCALE = TickScale.of("0.01", "1")
# A narrow price range so that levels are deleted, re-added and become best over and over.
delta = st.tuples(st.sampled_from([BID, ASK]), st.integers(9990, 10010), st.integers(0, 5))
deltas = st.lists(delta, min_size=1, max_size=300)


def _assert_same(book: OrderBook, reference: ReferenceBook) -> None:
    best_bid, best_ask = reference.best_bid(), reference.best_ask()
    assert book.best_bid_ticks == (NO_BID if best_bid is None else best_bid)
    assert book.best_ask_ticks == (NO_ASK if best_ask is None else best_ask)
    assert book.bids(1000) == reference.bids_sorted()
    assert book.asks(1000) == reference.asks_sorted()
    assert all(size > 0 for _, size in book.bids(1000) + book.asks(1000))


@settings(max_examples=200, deadline=None)
@given(deltas)
def test_one_delta_at_a_time_matches_the_reference(stream):
    book, reference = OrderBook("T", SCALE), ReferenceBook()
    for side, price, size in stream:
        book.apply_delta(side, price, size)
        reference.apply(side, price, size)
        best_bid, best_ask = reference.best_bid(), reference.best_ask()
        assert book.best_bid_ticks == (NO_BID if best_bid is None else best_bid)
        assert book.best_ask_ticks == (NO_ASK if best_ask is None else best_ask)
    _assert_same(book, reference)


@settings(max_examples=200, deadline=None)
@given(st.lists(deltas, min_size=1, max_size=8))
def test_batches_match_the_reference(batches):
    book, reference = OrderBook("T", SCALE), ReferenceBook()
    for batch in batches:
        book.apply_deltas(batch)
        for side, price, size in batch:
            reference.apply(side, price, size)
        _assert_same(book, reference)


@settings(max_examples=100, deadline=None)
@given(deltas, st.integers(1, 8))
def test_depth_vwap_and_imbalance_match_a_direct_computation(stream, depth):
    book, reference = OrderBook("T", SCALE), ReferenceBook()
    for side, price, size in stream:
        book.set_bid(price, size) if side == BID else book.set_ask(price, size)
        reference.apply(side, price, size)
    assert book.bids(depth) == reference.bids_sorted()[:depth]
    assert book.asks(depth) == reference.asks_sorted()[:depth]
    wanted = 7
    levels = reference.asks_sorted()
    remaining, notional = wanted, 0
    for price, size in levels:
        take = min(remaining, size)
        notional += take * price
        remaining -= take
    price, filled = book.vwap_to_fill(BID, wanted)
    assert filled == wanted - remaining
    if filled:
        assert price == SCALE.price(1) * notional / (wanted - remaining)
    bid_volume = sum(size for _, size in reference.bids_sorted()[:depth])
    ask_volume = sum(size for _, size in reference.asks_sorted()[:depth])
    expected = None if bid_volume + ask_volume == 0 else (bid_volume - ask_volume) / (bid_volume + ask_volume)
    assert book.imbalance(depth) == expected
