"""Reconciliation at start: the exchange's view of the orders the store thinks are working.

The OMS passes the ``(symbol, client_order_id)`` of every order it has as working; the result says
what became of each (``None``: the exchange never received it), lists open orders on the exchange
that the store does not know (placed elsewhere or lost before being stored), and the balances.
``listed_open`` holds the stored orders the exchange lists as open: an order missing from that list
and not found by its client id is one the exchange does not have.
Fills reported here may repeat fills seen before a restart; their ``trade_id`` is stable, so the
OMS drops the ones it already has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from engine.domain import ClientOrderId
from engine.venues.base import VenueOrderUpdate
from engine.venues.ccxt.adapter import CcxtVenue
from engine.venues.ccxt.orders import VenueOpenOrder


@dataclass(frozen=True, slots=True)
class Reconciliation:
    updates: dict[ClientOrderId, VenueOrderUpdate | None]
    unknown_open_orders: tuple[VenueOpenOrder, ...]
    balances: dict[str, Decimal]
    listed_open: frozenset[ClientOrderId] = frozenset()


async def reconcile(venue: CcxtVenue, working: Iterable[tuple[str, ClientOrderId]]) -> Reconciliation:
    """Fetch open orders, each stored working order and the balances from ``venue``."""
    open_orders = {order.exchange_client_id or order.venue_order_id: order for order in await venue.open_orders()}
    updates: dict[ClientOrderId, VenueOrderUpdate | None] = {}
    listed: set[ClientOrderId] = set()
    for symbol, client_order_id in working:
        updates[client_order_id] = await venue.fetch_order(symbol, client_order_id)
        if open_orders.pop(venue.exchange_client_id(client_order_id), None) is not None:
            listed.add(client_order_id)
    return Reconciliation(
        updates=updates,
        unknown_open_orders=tuple(open_orders.values()),
        balances=await venue.balances(),
        listed_open=frozenset(listed),
    )
