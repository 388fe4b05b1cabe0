from __future__ import annotations

import random
from decimal import Decimal

import pytest

from hft_core.book import ASK, BID, NO_ASK, NO_BID, OrderBook
from hft_core.scale import OffGridError, TickScale
from tests.hft_core.reference import ReferenceBook

SCALE = TickScale.of("0.01", "0.001")


def _book() -> OrderBook:
    book = OrderBook("BTC/USDT", SCALE)
    book.apply_snapshot_decimal(
        [("100.00", "1.5"), ("99.99", "2"), ("99.95", "0.25")],
        [("100.02", "1"), ("100.03", "3"), ("100.10", "0.5")],
        sequence=10,
    )
    return book


def test_snapshot_gives_best_prices_spread_and_mid_in_decimal():
    book = _book()
    assert book.best_bid() == Decimal("100.00")
    assert book.best_ask() == Decimal("100.02")
    assert book.spread() == Decimal("0.02")
    assert book.mid() == Decimal("100.01")
    assert not book.stale and not book.is_crossed


def test_empty_book_reports_none():
    book = OrderBook("X", SCALE)
    assert book.best_bid() is None and book.best_ask() is None
    assert book.spread() is None and book.mid() is None and book.imbalance() is None
    assert book.vwap_to_fill(BID, 5) == (None, Decimal(0))


def test_deleting_the_best_level_promotes_the_next_one():
    book = _book()
    book.apply_delta(BID, 10000, 0)
    book.apply_delta(ASK, 10002, 0)
    assert book.best_bid() == Decimal("99.99")
    assert book.best_ask() == Decimal("100.03")


def test_a_better_price_becomes_best_and_a_zero_size_on_a_missing_level_is_harmless():
    book = _book()
    book.apply_deltas([(BID, 10001, 700), (ASK, 10050, 0)])
    assert book.best_bid() == Decimal("100.01")
    assert book.bids(2) == [(10001, 700), (10000, 1500)]


def test_depth_is_best_first_and_limited():
    book = _book()
    assert book.bids(2) == [(10000, 1500), (9999, 2000)]
    assert book.asks(10) == [(10002, 1000), (10003, 3000), (10010, 500)]


def test_vwap_walks_the_levels_and_reports_partial_fills():
    book = _book()
    price, filled = book.vwap_to_fill(BID, 2000)  # 1 @ 100.02 + 1 @ 100.03
    assert (price, filled) == (Decimal("100.025"), Decimal("2.000"))
    price, filled = book.vwap_to_fill(ASK, 10_000)  # more than all bids
    assert filled == Decimal("3.750")
    assert price == (
        Decimal("100.00") * Decimal("1.5") + Decimal("99.99") * 2 + Decimal("99.95") * Decimal("0.25")
    ) / Decimal("3.75")


def test_imbalance_compares_resting_volume():
    book = _book()
    assert book.imbalance(1) == pytest.approx((1500 - 1000) / 2500)
    assert book.imbalance(3) == pytest.approx((3750 - 4500) / 8250)


def test_crossed_book_is_detected():
    book = _book()
    book.apply_delta(BID, 10002, 100)
    assert book.is_crossed


def test_sequence_gap_marks_the_book_stale_until_the_next_snapshot():
    book = _book()
    assert book.apply_delta(BID, 10000, 1, sequence=11)
    assert not book.apply_delta(BID, 10000, 999, sequence=13)  # 12 is missing
    assert book.stale
    assert not book.apply_delta(BID, 10000, 999, sequence=14)  # ignored while stale
    assert book.bid_size(10000) == 1
    book.apply_snapshot([(10000, 5)], [(10001, 5)], sequence=20)
    assert not book.stale
    assert book.apply_delta(ASK, 10001, 7, sequence=21)
    assert book.ask_size(10001) == 7


def test_replayed_sequence_is_ignored_without_marking_stale():
    book = _book()
    assert not book.apply_delta(BID, 10000, 42, sequence=10)
    assert not book.stale and book.bid_size(10000) == 1500


def test_prev_sequence_checks_okx_style_chains():
    book = _book()
    assert book.apply_deltas([(BID, 10000, 1)], sequence=15, prev_sequence=10)
    assert not book.apply_deltas([(BID, 10000, 2)], sequence=30, prev_sequence=16)
    assert book.stale


def test_negative_sizes_are_refused():
    book = _book()
    with pytest.raises(ValueError):
        book.apply_delta(BID, 10000, -1)
    with pytest.raises(ValueError):
        book.apply_deltas([(ASK, 10002, -5)])
    with pytest.raises(ValueError):
        book.apply_snapshot([(1, -1)], [])


def test_off_grid_prices_are_refused_at_the_edge():
    book = OrderBook("X", SCALE)
    with pytest.raises(OffGridError):
        book.apply_snapshot_decimal([("100.005", "1")], [])


def test_truncate_keeps_the_best_levels():
    book = _book()
    book.truncate(1)
    assert book.bids(10) == [(10000, 1500)] and book.asks(10) == [(10002, 1000)]


def test_a_long_random_stream_matches_the_reference_after_every_delta():
    """50,000 deltas over 400 prices: exercises the heap rebuild that short streams never reach."""
    rng = random.Random(9)
    book, reference = OrderBook("X", SCALE), ReferenceBook()
    for _ in range(50_000):
        side = rng.choice((BID, ASK))
        price = 10000 - rng.randrange(200) if side == BID else 10001 + rng.randrange(200)
        size = 0 if rng.random() < 0.45 else rng.randint(1, 50)
        book.apply_delta(side, price, size)
        reference.apply(side, price, size)
        expected_bid, expected_ask = reference.best_bid(), reference.best_ask()
        assert book.best_bid_ticks == (NO_BID if expected_bid is None else expected_bid)
        assert book.best_ask_ticks == (NO_ASK if expected_ask is None else expected_ask)
    assert book.bids(500) == reference.bids_sorted()
    assert book.asks(500) == reference.asks_sorted()
