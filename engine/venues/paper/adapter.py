"""Paper execution: market orders fill at the replayed price plus slippage; limit orders rest until
the replayed price crosses them and then fill at their limit (maker fee). When an L2 book of the
symbol is available (``books``), limit orders are matched against it instead (``books.py``).

The venue keeps only its resting orders in memory; the OMS store is the record. ``restore`` puts
resting orders back after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.clock import Clock
from engine.domain import ClientOrderId, Instrument, OrderStatus, OrderType, Side
from engine.errors import NotFound, UnknownSymbol
from engine.marketdata import ReplayFeed
from engine.venues.base import OrderRequest, VenueFill, VenueOrderUpdate
from engine.venues.paper.books import BookMatcher, BookSource
from engine.venues.paper.config import PaperConfig

_BPS = Decimal("0.0001")


@dataclass(slots=True)
class _Resting:
    request: OrderRequest
    since_ms: int


class PaperVenue:
    name = "paper"

    def __init__(self, config: PaperConfig, feed: ReplayFeed, clock: Clock, *, books: BookSource | None = None) -> None:
        self.config = config
        self.feed = feed
        self.clock = clock
        self._resting: dict[ClientOrderId, _Resting] = {}
        self.books = (
            None
            if books is None
            else BookMatcher(
                books, taker_fee_rate=config.taker_fee_rate, maker_fee_rate=config.maker_fee_rate, clock_ms=clock.now_ms
            )
        )

    @property
    def taker_fee_rate(self) -> Decimal:
        return self.config.taker_fee_rate

    @property
    def market_price_buffer(self) -> Decimal:
        return self.config.slippage_bps * _BPS

    async def instrument(self, symbol: str) -> Instrument:
        return self.instrument_now(symbol)

    def instrument_now(self, symbol: str) -> Instrument:
        try:
            return self.config.instruments[symbol]
        except KeyError:
            known = ", ".join(sorted(self.config.instruments))
            raise UnknownSymbol(f"unknown symbol {symbol}: the paper venue trades {known}") from None

    async def last_price(self, symbol: str) -> Decimal:
        return self.price_now(symbol)

    def price_now(self, symbol: str) -> Decimal:
        self.instrument_now(symbol)
        return self.feed.price(symbol)

    async def submit(self, request: OrderRequest) -> VenueOrderUpdate:
        return self.submit_now(request)

    def submit_now(self, request: OrderRequest) -> VenueOrderUpdate:
        """Execute synchronously (the paper venue needs no I/O)."""
        if request.client_order_id in self._resting:
            return VenueOrderUpdate(request.client_order_id, request.client_order_id, OrderStatus.OPEN)
        instrument = self.instrument_now(request.symbol)
        if request.type is OrderType.LIMIT and self.books is not None and self.books.available(request.symbol):
            return self.books.submit(request, instrument)
        price = self.feed.price(request.symbol)
        marketable = request.type is OrderType.MARKET or _crosses(request.side, request.price, price, price)
        if marketable:
            fill_price = self._with_slippage(instrument, request.side, price)
            if request.type is OrderType.LIMIT:
                assert request.price is not None
                fill_price = (
                    min(fill_price, request.price) if request.side is Side.BUY else max(fill_price, request.price)
                )
            return self._filled(request, fill_price, self.config.taker_fee_rate, "taker")
        self._resting[request.client_order_id] = _Resting(request, self.clock.now_ms())
        return VenueOrderUpdate(request.client_order_id, request.client_order_id, OrderStatus.OPEN)

    async def cancel(self, symbol: str, client_order_id: ClientOrderId) -> VenueOrderUpdate:
        if self.books is not None and self.books.cancel(client_order_id):
            return VenueOrderUpdate(client_order_id, client_order_id, OrderStatus.CANCELED)
        if self._resting.pop(client_order_id, None) is None:
            raise NotFound(f"order {client_order_id} is not open on paper")
        return VenueOrderUpdate(client_order_id, client_order_id, OrderStatus.CANCELED)

    async def fetch_order(self, symbol: str, client_order_id: ClientOrderId) -> VenueOrderUpdate | None:
        on_book = None if self.books is None else self.books.resting(client_order_id)
        if on_book is not None:
            return VenueOrderUpdate(client_order_id, client_order_id, on_book)
        if client_order_id in self._resting:
            return VenueOrderUpdate(client_order_id, client_order_id, OrderStatus.OPEN)
        return None

    def forget(self, client_order_id: ClientOrderId) -> None:
        """Drop a resting order whose placement was rolled back."""
        self._resting.pop(client_order_id, None)
        if self.books is not None:
            self.books.cancel(client_order_id)

    def restore(self, request: OrderRequest, since_ms: int) -> None:
        """Put back a resting limit order after a restart."""
        self._resting[request.client_order_id] = _Resting(request, since_ms)

    def poll_triggers(self) -> list[VenueOrderUpdate]:
        """Fill the resting orders whose limit the price crossed since they were last checked."""
        now = self.clock.now_ms()
        updates = [] if self.books is None else self.books.poll(lambda symbol: self.instrument_now(symbol).quote)
        for client_order_id, resting in list(self._resting.items()):
            request = resting.request
            low, high = self.feed.range_between(request.symbol, resting.since_ms, now)
            resting.since_ms = now
            if _crosses(request.side, request.price, low, high):
                del self._resting[client_order_id]
                assert request.price is not None
                updates.append(self._filled(request, request.price, self.config.maker_fee_rate, "maker"))
        return updates

    def _with_slippage(self, instrument: Instrument, side: Side, price: Decimal) -> Decimal:
        adjusted = price * (1 + side.sign * self.config.slippage_bps * _BPS)
        return instrument.round_price(adjusted)

    def _filled(self, request: OrderRequest, price: Decimal, fee_rate: Decimal, liquidity: str) -> VenueOrderUpdate:
        quote = self.instrument_now(request.symbol).quote
        fee = request.quantity * price * fee_rate
        fill = VenueFill(
            f"{request.client_order_id}-1", request.quantity, price, fee, quote, self.clock.now_ms(), liquidity
        )
        return VenueOrderUpdate(request.client_order_id, request.client_order_id, OrderStatus.FILLED, (fill,))


def _crosses(side: Side, limit: Decimal | None, low: Decimal, high: Decimal) -> bool:
    if limit is None:
        return True
    return low <= limit if side is Side.BUY else high >= limit
