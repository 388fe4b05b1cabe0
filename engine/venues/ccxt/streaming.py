"""Order updates pushed by the exchange (ccxt.pro ``watch_orders``), as a mixin of ``CcxtVenue``.

The stream is a trigger, REST the record: fills come from the exchange's trade list, and when the
trades show more than the pushed order state, the order is read again (ccxt hands a message only
to a waiting ``watch_orders`` call, so a burst can leave later messages parked).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import ccxt

from engine.domain import ClientOrderId
from engine.errors import OperatorError
from engine.venues.base import VenueFill, VenueOrderUpdate
from engine.venues.ccxt.orders import FillLedger, update_from
from engine.venues.ccxt.schemas import OrderSchema

if TYPE_CHECKING:
    import ccxt.async_support as ccxt_async

    from engine.venues.ccxt.calls import CallContext
    from engine.venues.ccxt.config import CcxtVenueConfig


def _ccxt_cause(error: BaseException) -> BaseException:
    """The ccxt error behind ``error``: ccxt.pro can raise a KeyError while cleaning up after a
    refused subscription, with the real (e.g. authentication) error as its context."""
    if isinstance(error, ccxt.BaseError) or not isinstance(error.__context__, ccxt.BaseError):
        return error
    return error.__context__


class OrderStreamMixin:
    """``watch_updates`` for ``CcxtVenue``; relies on the venue's exchange, ledgers and lookups."""

    name: str
    config: CcxtVenueConfig
    _exchange: ccxt_async.Exchange
    _calls: CallContext
    _ledgers: dict[str, FillLedger]
    _engine_ids: dict[str, ClientOrderId]
    load_markets: Callable[..., Awaitable[Any]]
    _parse: Callable[..., Any]
    _new_fills: Callable[[OrderSchema, str], Awaitable[tuple[VenueFill, ...]]]
    _lookup: Callable[[str, str], Awaitable[Any | None]]

    @property
    def streams_orders(self) -> bool:
        """True when the exchange pushes order updates (``watch_updates``); poll otherwise."""
        return bool(self._exchange.has.get("watchOrders"))

    def stream_connected_since_ms(self) -> int | None:
        """When the websocket behind the order stream connected (ms since the epoch), None while it is not
        connected. Read from ccxt.pro's client state; subscriptions are sent right after connecting."""
        for client in (getattr(self._exchange, "clients", None) or {}).values():
            connection = getattr(client, "connection", None)
            established = getattr(client, "connectionEstablished", None)
            if connection is not None and not getattr(connection, "closed", True) and established:
                return int(established)
        return None

    async def watch_updates(
        self,
        *,
        on_interrupted: Callable[[], None] | None = None,
        on_resumed: Callable[[], None] | None = None,
    ) -> AsyncIterator[VenueOrderUpdate]:
        """Order updates pushed by the exchange, for orders this venue placed or looked up.

        Reconnects with the retry policy's backoff after network errors; other failures end the
        stream with the converted error. Orders the venue does not know are skipped. Messages sent
        while the connection was down are lost (exchanges do not replay them): ``on_interrupted`` is
        called when a network error breaks the stream and ``on_resumed`` just before each attempt to
        re-establish it, so the caller can poll across the gap.
        """
        if not self.streams_orders:
            raise OperatorError(f"{self.name} has no order stream in ccxt; poll with OrderPoller instead")
        await self.load_markets()
        failures = 0
        while True:
            try:
                raw_orders = await self._exchange.watch_orders()
                failures = 0
            except ccxt.NetworkError as error:
                failures += 1
                if on_interrupted is not None:
                    on_interrupted()
                if failures >= self.config.retry.attempts:
                    raise self._calls.fail("watch orders", error) from None
                await self._calls.backoff("watch orders", failures, error)
                if on_resumed is not None:
                    on_resumed()
                continue
            except Exception as error:  # converted below, never swallowed
                raise self._calls.fail("watch orders", _ccxt_cause(error)) from None
            for raw in raw_orders:
                update = await self._streamed_update(self._parse(OrderSchema, raw))
                if update is not None:
                    yield update

    async def _streamed_update(self, order: OrderSchema) -> VenueOrderUpdate | None:
        client_id = order.clientOrderId or ""
        engine_id = self._engine_ids.get(client_id)
        if engine_id is None:
            return None
        fills = await self._new_fills(order, client_id)
        if self._ledgers[client_id].quantity > (order.filled or 0):
            # ccxt delivers a message only to a waiting watch_orders: when the trades show more than
            # the pushed state, later messages are parked, so take the order's state from REST.
            refreshed = await self._lookup(order.symbol, client_id)
            if refreshed is not None:
                order = self._parse(OrderSchema, refreshed)
        return update_from(order, engine_id, fills)
