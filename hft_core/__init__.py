"""Latency-critical market structures and algorithms, with no I/O.

* ``scale``: integer ticks and lots, the conversion at the edge from ``Decimal``/text.
* ``book``: the L2 ``OrderBook`` (snapshot, deltas, sequencing, depth, VWAP, checksums).
* ``checksum``: OKX and Kraken CRC32 book checksums.
* ``orders``, ``queues`` and ``matching``: the price-time priority ``MatchingEngine``.
* ``arbitrage``: cross-venue and triangular scanners.
* ``quoting``: Avellaneda-Stoikov market-making quotes.
"""

from __future__ import annotations

from hft_core.arbitrage import (
    CrossVenueOpportunity,
    Market,
    Quote,
    TriangularOpportunity,
    TriangularScanner,
    executable_across_books,
    scan_cross_venue,
)
from hft_core.book import ASK, BID, OrderBook
from hft_core.matching import DuplicateOrderError, MatchingEngine
from hft_core.orders import Order, OrderStatus, OrderType, SelfTradePrevention, Side, TimeInForce, Trade
from hft_core.quoting import QuoteParams, Quotes, make_quotes
from hft_core.scale import OffGridError, TickScale

__all__ = [
    "ASK",
    "BID",
    "CrossVenueOpportunity",
    "DuplicateOrderError",
    "Market",
    "MatchingEngine",
    "OffGridError",
    "Order",
    "OrderBook",
    "OrderStatus",
    "OrderType",
    "Quote",
    "QuoteParams",
    "Quotes",
    "SelfTradePrevention",
    "Side",
    "TickScale",
    "TimeInForce",
    "Trade",
    "TriangularOpportunity",
    "TriangularScanner",
    "executable_across_books",
    "make_quotes",
    "scan_cross_venue",
]
