"""Replay an OKX-style ``books`` stream: snapshot, updates, a sequence gap, a fresh snapshot.

The payload (``payloads/okx_books_btc_usdt.json``) is written in OKX's wire format: levels
``[price, size, "0", order count]`` as text, ``seqId``/``prevSeqId`` chaining, and each
message's ``checksum`` computed by a separate script directly from the message text with
OKX's published algorithm. The message with ``prevSeqId`` 107 follows 106: a gap.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from hft_core.book import ASK, BID, OrderBook
from hft_core.scale import TickScale

PAYLOAD = Path(__file__).parent / "payloads" / "okx_books_btc_usdt.json"


def _replay(book: OrderBook) -> list[tuple[int, bool, bool]]:
    """Feed every message; return (seqId, applied, checksum matched) per message."""
    results = []
    for message in json.loads(PAYLOAD.read_text()):
        data = message["data"][0]
        bids = [(level[0], level[1]) for level in data["bids"]]
        asks = [(level[0], level[1]) for level in data["asks"]]
        if message["action"] == "snapshot":
            book.apply_snapshot_decimal(bids, asks, sequence=data["seqId"])
            applied = True
        else:
            deltas = [(BID, price, size) for price, size in bids] + [(ASK, price, size) for price, size in asks]
            applied = book.apply_deltas_decimal(deltas, sequence=data["seqId"], prev_sequence=data["prevSeqId"])
        results.append((data["seqId"], applied, applied and book.checksum_okx() == data["checksum"]))
    return results


def test_every_applied_message_matches_the_venue_checksum_and_the_gap_is_caught():
    book = OrderBook("BTC-USDT", TickScale.of("0.01", "0.01"))
    results = _replay(book)
    assert results == [
        (100, True, True),
        (101, True, True),
        (105, True, True),
        (106, True, True),
        (110, False, False),  # prevSeqId 107 != 106: book went stale, message ignored
        (200, True, True),  # the fresh snapshot resynchronises
        (201, True, True),
    ]
    assert not book.stale


def test_book_state_after_replay():
    book = OrderBook("BTC-USDT", TickScale.of("0.01", "0.01"))
    _replay(book)
    assert book.best_bid() == Decimal("100.12")
    assert book.best_ask() == Decimal("100.13")
    assert book.bids(5) == [(10012, 30), (10011, 100)]
    assert book.asks(5) == [(10013, 200)]


def test_state_before_the_gap_reflects_each_update():
    book = OrderBook("BTC-USDT", TickScale.of("0.01", "0.01"))
    messages = json.loads(PAYLOAD.read_text())
    for message in messages[:4]:
        data = message["data"][0]
        if message["action"] == "snapshot":
            book.apply_snapshot_decimal(
                [lv[:2] for lv in data["bids"]], [lv[:2] for lv in data["asks"]], sequence=data["seqId"]
            )
        else:
            deltas = [(BID, lv[0], lv[1]) for lv in data["bids"]] + [(ASK, lv[0], lv[1]) for lv in data["asks"]]
            book.apply_deltas_decimal(deltas, sequence=data["seqId"], prev_sequence=data["prevSeqId"])
    # 99.97 deleted then re-added at 0.7; asks 99.98 and 99.99 deleted, 100.03 added.
    assert book.bids(5) == [(9997, 70), (9996, 200), (9995, 300)]
    assert book.asks(5) == [(10003, 100), (10005, 50)]
    assert book.spread() == Decimal("0.06")
