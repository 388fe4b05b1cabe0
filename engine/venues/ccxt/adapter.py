"""``CcxtVenue``: any ccxt exchange behind the engine's ``Venue`` protocol.

Placement is idempotent per engine client order id: the exchange client id is derived from it
(``client_ids.py``), and when a placement fails ambiguously (timeout, connection reset, 5xx) the
order is looked up by that id before it is sent again. A duplicate-id rejection is answered the
same way, which also covers an exchange that accepted the order but did not list it yet.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import ccxt
import ccxt.async_support as ccxt_async
from pydantic import BaseModel

from engine.domain import ClientOrderId, Instrument, OrderStatus, OrderType, Side
from engine.errors import Conflict, NotFound, UnknownSymbol, VenueUnavailable
from engine.venues.base import OrderRequest, VenueFill, VenueOrderUpdate
from engine.venues.ccxt.calls import CallContext, Sleep, call_with_retry
from engine.venues.ccxt.client_ids import exchange_client_id, is_tradehub_client_id
from engine.venues.ccxt.config import CcxtVenueConfig
from engine.venues.ccxt.errors import is_duplicate_client_id, is_order_not_found
from engine.venues.ccxt.factory import build_exchange
from engine.venues.ccxt.orders import FillLedger, VenueOpenOrder, order_status, update_from
from engine.venues.ccxt.profiles import profile_for
from engine.venues.ccxt.schemas import (
    MarketSchema,
    OrderSchema,
    TickerSchema,
    TradeSchema,
    parse_balances,
    parse_venue_answer,
)
from engine.venues.ccxt.sizing import instrument_from_market, prepare_order
from engine.venues.ccxt.streaming import OrderStreamMixin

log = logging.getLogger(__name__)
_Model = TypeVar("_Model", bound=BaseModel)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _alias(symbol: str) -> str:
    return "".join(char for char in symbol.upper() if char.isalnum())


def _wire(value: Decimal) -> str:
    return format(value.normalize(), "f")


class CcxtVenue(OrderStreamMixin):
    """One exchange account. Build with ``CcxtVenue.from_config``; ``await close()`` when done."""

    def __init__(
        self,
        config: CcxtVenueConfig,
        exchange: ccxt_async.Exchange,
        *,
        sleep: Sleep = asyncio.sleep,
        clock_ms: Callable[[], int] = _now_ms,
    ) -> None:
        self.name = config.name
        self.config = config
        self._exchange = exchange
        self._profile = profile_for(config.exchange_id)
        self._clock_ms = clock_ms
        self._calls = CallContext(
            config.name, config.retry, sleep, config.credentials.secrets(), retry_after=self._retry_after_hint
        )
        self._markets_lock = asyncio.Lock()
        self._instruments: dict[str, Instrument] = {}
        self._aliases: dict[str, str] = {}
        self._ledgers: dict[str, FillLedger] = {}
        self._engine_ids: dict[str, ClientOrderId] = {}  # exchange client id -> engine client id

    @classmethod
    def from_config(cls, config: CcxtVenueConfig, *, sleep: Sleep = asyncio.sleep) -> CcxtVenue:
        return cls(config, build_exchange(config), sleep=sleep)

    async def close(self) -> None:
        await self._exchange.close()

    async def __aenter__(self) -> CcxtVenue:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"CcxtVenue(name={self.name!r}, exchange={self.config.exchange_id!r})"

    def _retry_after_hint(self) -> float | None:
        headers = getattr(self._exchange, "last_response_headers", None) or {}
        value = next((str(v) for k, v in headers.items() if k.lower() == "retry-after"), None)
        try:
            return float(value) if value is not None else None
        except ValueError:  # an HTTP date: fall back to the policy's own backoff
            return None

    async def _call(self, action: str, operation: Callable[[], Awaitable[Any]]) -> Any:
        return await call_with_retry(self._calls, action, operation)

    def _parse(self, model: type[_Model], raw: Any) -> _Model:
        return parse_venue_answer(model, raw, venue=self.name)

    # markets -----------------------------------------------------------------------------------

    async def load_markets(self, *, reload: bool = False) -> dict[str, Instrument]:
        """Load (once, or again with ``reload``) the exchange's markets as instruments."""
        async with self._markets_lock:
            if self._instruments and not reload:
                return self._instruments
            params = dict(self._profile.load_markets_params)
            raw = await self._call("load markets", lambda: self._exchange.load_markets(reload, params))
            instruments: dict[str, Instrument] = {}
            aliases: dict[str, str] = {}
            for market in raw.values():
                parsed = self._parse(MarketSchema, market)
                if parsed.active is False or (parsed.spot is False):
                    continue
                instruments[parsed.symbol] = instrument_from_market(parsed, self._exchange.precisionMode)
                aliases.setdefault(_alias(parsed.id), parsed.symbol)
                aliases.setdefault(_alias(parsed.symbol), parsed.symbol)
            self._instruments, self._aliases = instruments, aliases
            return instruments

    async def _symbol(self, symbol: str) -> str:
        instruments = await self.load_markets()
        if symbol in instruments:
            return symbol
        if _alias(symbol) in self._aliases:  # BTCUSDT, BTC-USDT, btc_usdt
            return self._aliases[_alias(symbol)]
        raise UnknownSymbol(f"{symbol} is not traded on {self.name}.")

    async def instrument(self, symbol: str) -> Instrument:
        return (await self.load_markets())[await self._symbol(symbol)]

    async def last_price(self, symbol: str) -> Decimal:
        symbol = await self._symbol(symbol)
        raw = await self._call("fetch ticker", lambda: self._exchange.fetch_ticker(symbol))
        ticker = self._parse(TickerSchema, raw)
        price = ticker.last or ticker.close
        if price is None and ticker.bid is not None and ticker.ask is not None:
            price = (ticker.bid + ticker.ask) / 2
        if price is None:
            raise VenueUnavailable(f"{self.name} reports no price for {symbol}.")
        return price

    async def order_book(self, symbol: str, *, depth: int = 20) -> tuple[list[tuple[Decimal, Decimal]], ...]:
        """Return ``(bids, asks)`` as ``(price, quantity)`` levels, best first."""
        symbol = await self._symbol(symbol)
        allowed = self._profile.order_book_depths
        limit = min((size for size in allowed if size >= depth), default=max(allowed)) if allowed else depth
        raw = await self._call("fetch order book", lambda: self._exchange.fetch_order_book(symbol, limit))
        bids = [(Decimal(str(level[0])), Decimal(str(level[1]))) for level in raw["bids"][:depth]]
        asks = [(Decimal(str(level[0])), Decimal(str(level[1]))) for level in raw["asks"][:depth]]
        return bids, asks

    # orders ------------------------------------------------------------------------------------

    def exchange_client_id(self, client_order_id: ClientOrderId | str) -> str:
        """The client id this venue sends to the exchange for an engine client order id.

        The pair is remembered so that streamed updates, which carry only the exchange's id, can be
        attributed to the engine's order.
        """
        client_id = exchange_client_id(client_order_id, self._profile)
        self._engine_ids[client_id] = ClientOrderId(str(client_order_id))
        return client_id

    def seed_fills(
        self, client_order_id: ClientOrderId, *, trade_ids: frozenset[str], quantity: Decimal, notional: Decimal
    ) -> None:
        """Start the fill ledger of an order from what the store has booked (after a restart).

        Only fills the store lacks are reported afterwards, and a synthesized fill (exchanges that
        list no trades) never repeats quantity booked before.
        """
        client_id = self.exchange_client_id(client_order_id)
        self._ledgers[client_id] = FillLedger(set(trade_ids), quantity, notional)

    async def submit(self, request: OrderRequest) -> VenueOrderUpdate:
        symbol = await self._symbol(request.symbol)
        instrument = (await self.load_markets())[symbol]
        reference = None
        quote_sized = request.side is Side.BUY and self._profile.market_buy_needs_price
        if request.type is OrderType.MARKET and (instrument.min_notional > 0 or quote_sized):
            reference = await self.last_price(symbol)
        prepared = prepare_order(
            instrument,
            side=request.side,
            order_type=request.type,
            quantity=request.quantity,
            price=request.price,
            reference_price=reference,
            venue=self.name,
        )
        client_id = self.exchange_client_id(request.client_order_id)
        price = _wire(prepared.price) if prepared.price is not None else None
        if request.type is OrderType.MARKET and quote_sized and reference is not None:
            price = _wire(reference)  # ccxt spends quantity x price of the quote currency

        async def place() -> Any:
            return await self._exchange.create_order(
                symbol, request.type.value, request.side.value, _wire(prepared.quantity), price,
                {self._profile.create_key: client_id},
            )  # fmt: skip

        raw = await self._place_once(symbol, client_id, place)
        return await self._update(raw, request.client_order_id, client_id)

    async def _place_once(self, symbol: str, client_id: str, place: Callable[[], Awaitable[Any]]) -> Any:
        """Place, resolving ambiguous failures by looking the client id up before retrying."""
        policy = self.config.retry
        for attempt in range(1, policy.attempts + 1):
            try:
                return await place()
            except ccxt.NetworkError as error:
                rate_limited = isinstance(error, ccxt.DDoSProtection | ccxt.RateLimitExceeded)
                if not rate_limited:  # the request may have reached the matching engine
                    existing = await self._lookup(symbol, client_id)
                    if existing is not None:
                        log.info("%s: order %s found after %s", self.name, client_id, type(error).__name__)
                        return existing
                if attempt == policy.attempts:
                    raise self._calls.fail("place order", error) from None
                await self._calls.backoff("place order", attempt, error)
            except ccxt.ExchangeError as error:
                if not is_duplicate_client_id(error, self._profile.duplicate_markers):
                    raise self._calls.fail("place order", error) from None
                return await self._find_duplicate(symbol, client_id)
            except ccxt.BaseError as error:
                raise self._calls.fail("place order", error) from None
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _find_duplicate(self, symbol: str, client_id: str) -> Any:
        """The exchange says the client id is taken: the order exists, possibly not listed yet."""
        policy = self.config.retry
        for attempt in range(1, policy.attempts + 1):
            existing = await self._lookup(symbol, client_id)
            if existing is not None:
                return existing
            if attempt < policy.attempts:
                await self._calls.sleep(policy.delay(attempt))
        raise Conflict(
            f"{self.name} reports the order id as already used, but does not return the order; "
            "check the exchange's order history before placing it again."
        )

    async def _lookup(self, symbol: str, client_id: str) -> Any | None:
        """The raw ccxt order with exchange client id ``client_id``, or None if it does not exist."""

        async def fetch() -> Any | None:
            try:
                params = self._profile.lookup_params(client_id)
                found = await self._exchange.fetch_order("", symbol, params)
            except ccxt.ExchangeError as error:
                if is_order_not_found(error, self._profile.order_not_found_markers):
                    return None
                raise
            return found if found and found.get("id") else None  # some answer "no data" for unknown ids

        if self._profile.lookup_by_listing:
            return await self._call("look up order", lambda: self._find_listed(symbol, client_id))
        return await self._call("look up order", fetch)

    async def _find_listed(self, symbol: str, client_id: str) -> Any | None:
        for listing in (self._exchange.fetch_open_orders, self._exchange.fetch_closed_orders):
            for order in await listing(symbol, None, None, {"clientOrderId": client_id}):
                if order.get("clientOrderId") == client_id:
                    return order
        return None

    async def _update(self, raw: Any, client_order_id: ClientOrderId, client_id: str) -> VenueOrderUpdate:
        order = self._parse(OrderSchema, raw)
        if order.status is None:  # acknowledgement only (okx): ask for the order's state
            extra = dict(self._profile.lookup_extra)
            raw = await self._call("fetch order", lambda: self._exchange.fetch_order(order.id, order.symbol, extra))
            order = self._parse(OrderSchema, raw)
        return update_from(order, client_order_id, await self._new_fills(order, client_id))

    async def _new_fills(self, order: OrderSchema, client_id: str) -> tuple[VenueFill, ...]:
        """Fills of ``order`` not reported before: its trades when the exchange lists them, else one
        synthesized fill for the newly filled quantity (never both, which could double count)."""
        ledger = self._ledgers.setdefault(client_id, FillLedger())
        if (order.filled or 0) <= ledger.quantity:
            return ()
        now = self._clock_ms()
        trades = order.trades
        if not trades and self._exchange.has.get("fetchOrderTrades"):
            params = {"trades": list(order.trade_ids)} if self._profile.order_trades_by_ids else {}
            raw = await self._call(
                "fetch order trades",
                lambda: self._exchange.fetch_order_trades(order.id, order.symbol, None, None, params),
            )
            trades = tuple(self._parse(TradeSchema, trade) for trade in raw)
            trades = tuple(trade for trade in trades if trade.order in (None, order.id))
            return ledger.take_new(trades, default_ts_ms=now)  # trades not listed yet come next poll
        if trades:
            return ledger.take_new(trades, default_ts_ms=now)
        return ledger.synthesize(order, default_ts_ms=now)

    async def fetch_order(self, symbol: str, client_order_id: ClientOrderId) -> VenueOrderUpdate | None:
        symbol = await self._symbol(symbol)
        client_id = self.exchange_client_id(client_order_id)
        raw = await self._lookup(symbol, client_id)
        if raw is None:
            return None
        return await self._update(raw, client_order_id, client_id)

    async def cancel(self, symbol: str, client_order_id: ClientOrderId) -> VenueOrderUpdate:
        symbol = await self._symbol(symbol)
        client_id = self.exchange_client_id(client_order_id)

        async def cancel_order() -> Any | None:
            try:
                if self._profile.cancel_by_lookup:
                    return await self._cancel_by_order_id(symbol, client_id)
                params = self._profile.cancel_params(client_id)
                return await self._exchange.cancel_order(None, symbol, params)
            except ccxt.ExchangeError as error:
                if is_order_not_found(error, self._profile.order_not_found_markers):
                    return None  # unknown, or already filled or canceled: the lookup tells which
                raise

        raw = await self._call("cancel order", cancel_order)
        if raw is not None and raw.get("status") is not None and raw.get("symbol"):
            return await self._update(raw, client_order_id, client_id)
        current = await self.fetch_order(symbol, client_order_id)
        if current is None:
            raise NotFound(f"{self.name} has no order {client_order_id} on {symbol}.")
        return current

    async def _cancel_by_order_id(self, symbol: str, client_id: str) -> Any | None:
        listed = await self._find_listed(symbol, client_id)
        if listed is None or listed.get("status") not in (None, "open"):
            return None  # unknown or already final: the caller's lookup reports which
        return await self._exchange.cancel_order(listed["id"], symbol)

    # account -----------------------------------------------------------------------------------

    async def balances(self, *, available: bool = False) -> dict[str, Decimal]:
        """Non-zero balances per asset: totals, or only what is free to trade with ``available``."""
        await self.load_markets()  # with the profile's params; ccxt would load them itself otherwise
        raw = await self._call("fetch balance", self._exchange.fetch_balance)
        return parse_balances(raw, field_name="free" if available else "total")

    async def open_orders(self, symbol: str | None = None) -> list[VenueOpenOrder]:
        """Working orders on the exchange (all symbols when ``symbol`` is None), for reconciliation."""
        await self.load_markets()
        market_symbol = await self._symbol(symbol) if symbol else None
        raw = await self._call("fetch open orders", lambda: self._exchange.fetch_open_orders(market_symbol))
        return [self._open_order(self._parse(OrderSchema, item)) for item in raw]

    def _open_order(self, order: OrderSchema) -> VenueOpenOrder:
        return VenueOpenOrder(
            venue_order_id=order.id,
            exchange_client_id=order.clientOrderId,
            symbol=order.symbol,
            side=Side(order.side or "buy"),
            type=OrderType.MARKET if order.type == "market" else OrderType.LIMIT,
            quantity=order.amount or (order.filled or 0) + (order.remaining or 0),
            price=order.price,
            filled_quantity=order.filled or Decimal(0),
            status=order_status(order) if order.status else OrderStatus.OPEN,
            created_ms=order.timestamp,
            placed_by_tradehub=is_tradehub_client_id(order.clientOrderId, self._profile),
        )

    async def my_trades(self, symbol: str, *, since_ms: int | None = None) -> list[TradeSchema]:
        """The account's trades on ``symbol`` (order history), oldest first."""
        symbol = await self._symbol(symbol)
        raw = await self._call("fetch my trades", lambda: self._exchange.fetch_my_trades(symbol, since_ms))
        return [self._parse(TradeSchema, trade) for trade in raw]
