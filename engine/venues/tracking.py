"""Fill tracking for orders resting on configured venues: poll each working order, book what changed.

A limit order that rests on an exchange fills later; the OMS learns about it only from the venue.
``poll_working_orders`` asks the venue for every working (``open``/``partially_filled``) order on a
configured account and applies each change through ``OrderManager.apply_update`` (fills are booked
once per trade id, so a repeated report changes nothing). ``track_orders`` runs it on an interval
for the server's lifetime. Orders still ``new`` are left to the OMS's own reconciliation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from engine.domain import OrderStatus
from engine.errors import TradehubError
from engine.orders.oms import OrderManager
from engine.venues.managed import ManagedVenue
from engine.venues.registry import VenueRegistry

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 2.0


async def poll_working_orders(oms: OrderManager, venues: VenueRegistry) -> int:
    """One round over the working orders on configured venues; return how many orders changed."""
    configured = {venue.name: venue for venue in venues if isinstance(venue, ManagedVenue)}
    changed = 0
    for order in oms.open_orders(None):
        venue = configured.get(order.venue)
        if venue is None or order.status is OrderStatus.NEW:
            continue
        try:
            update = await venue.fetch_order(order.symbol, order.client_order_id)
        except TradehubError as error:  # unreachable now: the next round asks again
            log.warning("%s: order %s not polled: %s", venue.name, order.id, error.code)
            continue
        if update is None or (not update.fills and update.status is order.status):
            continue
        oms.apply_update(order.id, update)
        changed += 1
    return changed


@contextlib.asynccontextmanager
async def track_orders(oms: OrderManager, venues: VenueRegistry, *, interval_s: float = POLL_INTERVAL_S
                       ) -> AsyncIterator[None]:  # fmt: skip
    """Poll working orders on configured venues every ``interval_s`` while the context is open."""

    async def loop() -> None:
        while True:
            try:
                await poll_working_orders(oms, venues)
            except Exception:  # keep tracking; the failure is logged with its traceback
                log.exception("order tracking round failed")
            await asyncio.sleep(interval_s)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
