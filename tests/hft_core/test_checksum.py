"""Checksums against the values the exchanges document (and Kraken books recorded by cryptofeed's authors)."""

from __future__ import annotations

import pytest

from hft_core.book import OrderBook
from hft_core.checksum import kraken_checksum_text, kraken_digits, okx_checksum_text
from hft_core.scale import TickScale

# Kraken WebSocket book checksum guide (v1): ten asks and ten bids of 0.00000500 each -> 974947235.
KRAKEN_DOC_ASKS = ["0.05005", "0.05010", "0.05015", "0.05020", "0.05025",
                   "0.05030", "0.05035", "0.05040", "0.05045", "0.05050"]  # fmt: skip
KRAKEN_DOC_BIDS = ["0.05000", "0.04995", "0.04990", "0.04980", "0.04975",
                   "0.04970", "0.04965", "0.04960", "0.04955", "0.04950"]  # fmt: skip


def test_kraken_documented_example_from_text():
    bids = [(price, "0.00000500") for price in KRAKEN_DOC_BIDS]
    asks = [(price, "0.00000500") for price in KRAKEN_DOC_ASKS]
    assert kraken_checksum_text(bids, asks) == 974947235


def test_kraken_documented_example_from_a_book_on_ticks():
    book = OrderBook("XBT/USD", TickScale.of("0.00005", "0.00000001"))
    book.apply_snapshot_decimal(
        [(price, "0.00000500") for price in KRAKEN_DOC_BIDS],
        [(price, "0.00000500") for price in KRAKEN_DOC_ASKS],
    )
    assert book.checksum_kraken() == 974947235


def test_kraken_digits_drop_the_point_and_leading_zeros():
    assert kraken_digits("0.00100000") == "100000"
    assert kraken_digits("45285.2") == "452852"


@pytest.mark.parametrize(
    ("asks", "bids", "expected"),
    [
        (
            [("0.620000", "40.00000000"), ("0.830000", "380.86649128"), ("1.500000", "333.33333333")],
            [("0.520300", "3943.09454867"), ("0.403200", "454.31671175"), ("0.403100", "1522.68122054"),
             ("0.403000", "43.31058726"), ("0.353200", "49.38467346"), ("0.261600", "66.67686034"),
             ("0.111000", "99.09909910"), ("0.110000", "909.09090909"), ("0.000600", "3333.33333333"),
             ("0.000400", "5000.00000000"), ("0.000100", "1000000.00000000")],
            577149452,
        ),
        (
            [("0.000017680", "38663.54992198"), ("0.000017690", "20623.74841086"),
             ("0.000017700", "103797.62636430"), ("0.000017710", "40745.97057228"),
             ("0.000017720", "13296.04740856"), ("0.000017730", "42078.86085768"),
             ("0.000017740", "64.38065876"), ("0.000017760", "1131.70427847"),
             ("0.000017780", "43891.46024565"), ("0.000017790", "43908.00000000"),
             ("0.000017810", "0.00005437")],
            [("0.000017670", "0.00000048"), ("0.000017660", "50.29884341"),
             ("0.000017650", "16958.37856622"), ("0.000017640", "16735.08043085"),
             ("0.000017630", "61895.21671233"), ("0.000017620", "86958.66158205"),
             ("0.000017610", "8564.64738216"), ("0.000017600", "59539.93801826"),
             ("0.000017580", "52578.63046424"), ("0.000017570", "46812.60266777"),
             ("0.000017560", "640.09877588")],
            1611253991,
        ),
    ],
)  # fmt: skip
def test_kraken_recorded_books_only_count_the_best_ten_levels(asks, bids, expected):
    places = len(asks[0][0].split(".")[1])
    scale = TickScale.of(f"1e-{places}", "0.00000001")
    book = OrderBook("X", scale)
    book.apply_snapshot_decimal(bids, asks)
    assert book.checksum_kraken() == expected
    assert kraken_checksum_text(bids, asks) == expected


def test_okx_documented_example_interleaves_and_continues_with_the_longer_side():
    # OKX docs: bid 3366.1 x 7; asks 3366.8 x 9, 3368 x 8, 3372 x 8
    # -> "3366.1:7:3366.8:9:3368:8:3372:8" -> 831078360
    bids = [("3366.1", "7")]
    asks = [("3366.8", "9"), ("3368", "8"), ("3372", "8")]
    assert okx_checksum_text(bids, asks) == 831078360
    book = OrderBook("BTC-USDT", TickScale.of("0.1", "1"))
    book.apply_snapshot_decimal(bids, asks)
    assert book.checksum_okx() == 831078360


def test_okx_checksum_is_signed():
    # crc32(b"3:1:4:1") is 4123287174, above 2**31, so OKX sends it as 4123287174 - 2**32.
    assert okx_checksum_text([("3", "1")], [("4", "1")]) == -171680122


def test_checksums_change_when_a_size_changes():
    book = OrderBook("BTC-USDT", TickScale.of("0.1", "1"))
    book.apply_snapshot_decimal([("3366.1", "7")], [("3366.8", "9")])
    before = book.checksum_okx(), book.checksum_kraken()
    book.set_bid(33661, 8)
    assert book.checksum_okx() != before[0] and book.checksum_kraken() != before[1]
