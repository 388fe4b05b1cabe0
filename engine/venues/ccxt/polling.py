"""Fill tracking by polling, for exchanges (or deployments) without a websocket order stream.

``OrderPoller`` asks the venue for each tracked order on an interval and hands every change
(new fills or a new status) to ``on_update``; an order is dropped once it is final. A temporary
venue failure skips the round for that order and is retried on the next one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from engine.domain import ClientOrderId, OrderStatus
from engine.errors import TemporaryError
from engine.venues.base import Venue, VenueOrderUpdate

log = logging.getLogger(__name__)

OnUpdate = Callable[[VenueOrderUpdate], Awaitable[None]]


class OrderPoller:
    def __init__(
        self,
        venue: Venue,
        on_update: OnUpdate,
        *,
        interval_s: float = 2.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._venue = venue
        self._on_update = on_update
        self._interval_s = interval_s
        self._sleep = sleep
        self._tracked: dict[ClientOrderId, tuple[str, OrderStatus | None]] = {}

    @property
    def tracked(self) -> frozenset[ClientOrderId]:
        return frozenset(self._tracked)

    def track(self, symbol: str, client_order_id: ClientOrderId, status: OrderStatus | None = None) -> None:
        """Follow an order until it is filled, canceled or rejected."""
        self._tracked[client_order_id] = (symbol, status)

    async def poll_once(self) -> list[VenueOrderUpdate]:
        """One round over the tracked orders; returns the updates handed to ``on_update``."""
        delivered: list[VenueOrderUpdate] = []
        for client_order_id, (symbol, known_status) in list(self._tracked.items()):
            try:
                update = await self._venue.fetch_order(symbol, client_order_id)
            except TemporaryError as error:
                log.warning("%s: polling %s skipped this round: %s", self._venue.name, client_order_id, error)
                continue
            if update is None:
                continue  # not visible yet; reconciliation decides about orders that never arrive
            if update.fills or update.status is not known_status:
                await self._on_update(update)
                delivered.append(update)
            if update.status.is_terminal:
                del self._tracked[client_order_id]
            else:
                self._tracked[client_order_id] = (symbol, update.status)
        return delivered

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set."""
        while not stop.is_set():
            await self.poll_once()
            await self._sleep(self._interval_s)
