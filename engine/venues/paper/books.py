"""Limit orders against an L2 book: when a book of a symbol is available, the paper venue hands
its limit orders to ``hft_core``'s matching engine, which takes the book's depth level by level
(taker) and rests the remainder behind the book's own liquidity until the book crosses it (maker).

A book source is any callable ``symbol -> OrderBook | None`` (for example a replica kept current
from a venue's websocket); the book's ``TickScale`` must match the instrument's tick and step.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from engine.domain import ClientOrderId, Instrument, OrderStatus, Side
from engine.venues.base import OrderRequest, VenueFill, VenueOrderUpdate
from hft_core.book import OrderBook
from hft_core.matching import MatchingEngine
from hft_core.orders import Order as BookOrder
from hft_core.orders import Side as BookSide
from hft_core.orders import Trade

BookSource = Callable[[str], OrderBook | None]


class BookMatcher:
    """One matching engine per symbol, bound to that symbol's L2 book."""

    def __init__(
        self, source: BookSource, *, taker_fee_rate: Decimal, maker_fee_rate: Decimal, clock_ms: Callable[[], int]
    ) -> None:
        self.source = source
        self.taker_fee_rate = taker_fee_rate
        self.maker_fee_rate = maker_fee_rate
        self.clock_ms = clock_ms
        self._engines: dict[str, MatchingEngine] = {}
        self._symbol_of: dict[ClientOrderId, str] = {}
        self._fill_counts: dict[ClientOrderId, int] = {}

    def available(self, symbol: str) -> bool:
        book = self.source(symbol)
        return book is not None and not book.stale

    def _engine(self, symbol: str) -> MatchingEngine:
        book = self.source(symbol)
        assert book is not None
        engine = self._engines.get(symbol)
        if engine is None or engine.book is not book:
            engine = self._engines[symbol] = MatchingEngine(book.scale, book=book)
        return engine

    def submit(self, request: OrderRequest, instrument: Instrument) -> VenueOrderUpdate:
        engine = self._engine(request.symbol)
        side = BookSide.BUY if request.side is Side.BUY else BookSide.SELL
        order = BookOrder.from_decimal(engine.scale, request.client_order_id, side, request.quantity, request.price)
        trades = engine.submit(order)
        fills = tuple(self._fill(request.client_order_id, trade, instrument.quote, self.taker_fee_rate, "taker")
                      for trade in trades)  # fmt: skip
        if order.remaining:
            self._symbol_of[request.client_order_id] = request.symbol
        return VenueOrderUpdate(request.client_order_id, request.client_order_id, _status(order), fills)

    def resting(self, client_order_id: ClientOrderId) -> OrderStatus | None:
        symbol = self._symbol_of.get(client_order_id)
        order = None if symbol is None else self._engines[symbol].order(client_order_id)
        return None if order is None else _status(order)

    def cancel(self, client_order_id: ClientOrderId) -> bool:
        symbol = self._symbol_of.pop(client_order_id, None)
        return symbol is not None and self._engines[symbol].cancel(client_order_id) is not None

    def poll(self, quote_of: Callable[[str], str]) -> list[VenueOrderUpdate]:
        """Fill resting orders the books now cross, at their own limit (maker)."""
        updates = []
        for symbol, engine in self._engines.items():
            by_order: dict[ClientOrderId, list[Trade]] = {}
            for trade in engine.match_book():
                if trade.maker_order_id is not None:
                    by_order.setdefault(ClientOrderId(trade.maker_order_id), []).append(trade)
            for client_order_id, trades in by_order.items():
                fills = tuple(self._fill(client_order_id, t, quote_of(symbol), self.maker_fee_rate, "maker")
                              for t in trades)  # fmt: skip
                order = engine.order(client_order_id)
                status = OrderStatus.FILLED if order is None or not order.remaining else _status(order)
                if status is OrderStatus.FILLED:
                    self._symbol_of.pop(client_order_id, None)
                updates.append(VenueOrderUpdate(client_order_id, client_order_id, status, fills))
        return updates

    def _fill(
        self, client_order_id: ClientOrderId, trade: Trade, quote: str, fee_rate: Decimal, liquidity: str
    ) -> VenueFill:
        count = self._fill_counts[client_order_id] = self._fill_counts.get(client_order_id, 0) + 1
        price, quantity = trade.price, trade.quantity
        return VenueFill(f"{client_order_id}-{count}", quantity, price, quantity * price * fee_rate, quote,
                         self.clock_ms(), liquidity)  # fmt: skip


def _status(order: BookOrder) -> OrderStatus:
    if not order.remaining:
        return OrderStatus.FILLED
    return OrderStatus.PARTIALLY_FILLED if order.remaining < order.quantity else OrderStatus.OPEN
