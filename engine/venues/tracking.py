"""Fill tracking for orders resting on configured venues: book what the venue reports, once.

A limit order that rests on an exchange fills later; the OMS learns about it only from the venue.
``poll_working_orders`` asks the venue for every working (``open``/``partially_filled``) order on a
configured account and books each change through ``OrderManager.apply_update`` (fills are booked
once per trade id, so a repeated report changes nothing). ``book_streamed`` does the same for an
update the exchange pushed over its websocket. Orders still ``new`` are left to the OMS's own
reconciliation (and to the placement in flight). ``track_orders`` runs the whole thing for the
server's lifetime: ``engine.venues.tracker.OrderTracker`` streams where the exchange can, polls
otherwise, and reconciles each exchange account at start.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace

from engine.domain import Order, OrderStatus
from engine.errors import TradehubError
from engine.orders.oms import OrderManager
from engine.storage import repository as repo
from engine.venues.base import VenueOrderUpdate
from engine.venues.managed import ManagedVenue

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 2.0


def book_update(oms: OrderManager, order: Order, update: VenueOrderUpdate) -> bool:
    """Book ``update`` for ``order`` if it changes anything; return whether it was applied.

    A venue that reports an order it had accepted as ``rejected`` (some exchanges do for expired
    post-only or IOC orders) has, for the OMS's state machine, canceled it: rejection is only
    possible before acceptance.
    """
    if order.status.is_terminal or (not update.fills and update.status is order.status):
        return False
    if update.status is OrderStatus.REJECTED and order.status is not OrderStatus.NEW:
        update = replace(update, status=OrderStatus.CANCELED, reason=update.reason or "rejected by the venue")
    oms.apply_update(order.id, update)
    return True


def book_streamed(oms: OrderManager, venue: str, update: VenueOrderUpdate) -> bool:
    """Book an update pushed by ``venue`` for the stored order with its client id (others are ignored)."""
    with oms.db.connect() as conn:
        order = repo.order_by_client_id(conn, update.client_order_id)
    if order is None or order.venue != venue:
        return False
    return book_update(oms, order, update)


async def poll_venue(oms: OrderManager, venue: ManagedVenue) -> int:
    """Ask ``venue`` for each of its working orders; return how many orders changed."""
    changed = 0
    for order in oms.open_orders(None, venue=venue.name):
        if order.status is OrderStatus.NEW:
            continue
        try:
            update = await venue.fetch_order(order.symbol, order.client_order_id)
        except TradehubError as error:  # unreachable now: the next round asks again
            log.warning("%s: order %s not polled: %s", venue.name, order.id, error.code)
            continue
        if update is None:
            continue
        try:
            changed += book_update(oms, order, update)
        except TradehubError as error:  # e.g. a transition the state machine refuses: keep the others going
            log.warning("%s: update of order %s not booked: %s", venue.name, order.id, error.message)
    return changed


async def poll_working_orders(oms: OrderManager, venues: Iterable[object]) -> int:
    """One round over the working orders on configured venues; return how many orders changed."""
    changed = 0
    for venue in venues:
        if isinstance(venue, ManagedVenue):
            changed += await poll_venue(oms, venue)
    return changed


@contextlib.asynccontextmanager
async def track_orders(oms: OrderManager, venues: Iterable[object], *, interval_s: float = POLL_INTERVAL_S
                       ) -> AsyncIterator[None]:  # fmt: skip
    """Track fills on configured venues while the context is open (see ``OrderTracker``); venues
    without a live order stream are polled every ``interval_s``."""
    from engine.venues.tracker import OrderTracker, TrackingSettings

    async with OrderTracker(oms, venues, TrackingSettings(poll_interval_s=interval_s)):
        yield
