"""The interface every venue implements, and the wire-neutral values it exchanges with the OMS.

The OMS (``engine/orders``) owns order state; a venue only executes requests and reports what
happened. Venues convert their library's exceptions into ``engine.errors`` at this boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, runtime_checkable

from engine.domain import ClientOrderId, Instrument, OrderStatus, OrderType, Side


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What the OMS asks a venue to do. ``client_order_id`` is derived from the idempotency key."""

    client_order_id: ClientOrderId
    symbol: str
    side: Side
    type: OrderType
    quantity: Decimal
    price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class VenueFill:
    trade_id: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str
    ts_ms: int
    liquidity: str = "taker"


@dataclass(frozen=True, slots=True)
class VenueOrderUpdate:
    """The venue's view of one order: its status and the fills not reported before."""

    client_order_id: ClientOrderId
    venue_order_id: str
    status: OrderStatus
    fills: tuple[VenueFill, ...] = field(default=())
    reason: str | None = None


@runtime_checkable
class Venue(Protocol):
    """A place orders execute. Implementations: ``paper``, ``ccxt`` (``engine/venues/<name>/``)."""

    name: str

    async def instrument(self, symbol: str) -> Instrument:
        """Return the market's precision and limits; raise ``UnknownSymbol`` if not traded."""
        ...

    async def last_price(self, symbol: str) -> Decimal:
        """Return the current price used to value and size orders."""
        ...

    async def submit(self, request: OrderRequest) -> VenueOrderUpdate:
        """Place an order. Submitting the same client_order_id twice must not create a second order."""
        ...

    async def cancel(self, symbol: str, client_order_id: ClientOrderId) -> VenueOrderUpdate:
        """Cancel a working order; raise ``NotFound`` if the venue has no such order."""
        ...

    async def fetch_order(self, symbol: str, client_order_id: ClientOrderId) -> VenueOrderUpdate | None:
        """Look an order up by client id (used by reconciliation after a crash or timeout)."""
        ...
