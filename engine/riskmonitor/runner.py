"""Run the monitor beside the server: on every fill of a team member, and on every price tick.

A fill only marks its account for evaluation and wakes the loop (``loop.call_soon_threadsafe``), so the
order path never waits for the monitor; Slack posting runs in its own task, so a slow Slack never
delays an evaluation either.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

import structlog

from engine.events import Event
from engine.riskmonitor.monitor import RiskMonitor
from engine.riskmonitor.slack import SlackPoster

log = structlog.get_logger(__name__)

FILL_EVENTS = ("order.filled", "order.partially_filled")


class Bus(Protocol):
    """The subscribe side of the hub's event bus (the engine does not import the hub)."""

    def subscribe(self, pattern: str, callback: Callable[[Event], None]) -> Any: ...

    def unsubscribe(self, subscription: Any) -> None: ...


class MonitorLoop:
    def __init__(self, monitor: RiskMonitor, poster: SlackPoster, *, tick_s: float) -> None:
        self.monitor, self.poster, self.tick_s = monitor, poster, tick_s
        self._dirty: set[int] = set()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def on_event(self, event: Event) -> None:
        """Bus subscriber for fills: queue the account; never blocks, never raises into the publisher."""
        if event.type not in FILL_EVENTS or event.user_id is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._mark, event.user_id)

    def _mark(self, user_id: int) -> None:
        self._dirty.add(user_id)
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        next_tick = self._loop.time()
        while True:
            timeout = max(0.0, next_tick - self._loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            dirty, self._dirty = self._dirty, set()
            try:
                if self._loop.time() >= next_tick:
                    next_tick = self._loop.time() + self.tick_s
                    await self.monitor.evaluate_all()
                else:
                    for user_id in sorted(dirty):
                        await self.monitor.evaluate_user(user_id)
            except Exception:  # keep monitoring; the next tick evaluates everyone again
                log.exception("risk evaluation failed")

    @contextlib.asynccontextmanager
    async def running(self, bus: Bus) -> AsyncIterator[None]:
        """Subscribe to fills and run the evaluation and Slack tasks until the block exits."""
        subscription = bus.subscribe("order.*", self.on_event)
        tasks = [asyncio.create_task(self.run()), asyncio.create_task(self.poster.run())]
        await asyncio.sleep(0)  # let both tasks bind to the loop before fills arrive
        try:
            yield
        finally:
            bus.unsubscribe(subscription)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
