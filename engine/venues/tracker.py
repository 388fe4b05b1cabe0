"""``OrderTracker``: fills of orders on configured venues, streamed where the exchange can, polled otherwise.

One ``VenueWorker`` per configured venue (``ManagedVenue``), started when the tracker opens and for
accounts added while it runs:

- an exchange account is connected and reconciled first (``reconciling.reconcile_venue``: fills
  that happened while tradehub was down are booked, orders the exchange no longer has are canceled,
  unknown open orders and balance drift are logged); a failed reconciliation is retried with backoff;
- where ccxt streams the exchange's orders (``watch_orders``), every pushed update is booked through
  ``OrderManager.apply_update`` (once per trade id). The stream counts as live at its first message or
  once its websocket has been connected for ``stream_settle_s`` (ccxt subscribes right after
  connecting; it may itself wait up to 30 s before redialling an endpoint that failed); until then,
  and whenever it is interrupted, the venue's working orders are polled every ``poll_interval_s``,
  and once it is live one more round catches what happened before the subscription took effect.
  A stream that ends in error is restarted with exponential backoff (``restart_delay_s`` doubling
  up to ``restart_max_delay_s``, or ``reconcile_retry_max_s`` when the error is not temporary);
- while the stream is live a slow safety poll (``safety_poll_s``) catches messages the exchange
  dropped; venues without a stream (other exchanges, DEX wallets) are polled every ``poll_interval_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from engine.errors import TemporaryError, TradehubError
from engine.orders.oms import OrderManager
from engine.venues.ccxt import is_ccxt_venue
from engine.venues.managed import ManagedVenue
from engine.venues.reconciling import log_report, reconcile_venue
from engine.venues.tracking import book_streamed, poll_venue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrackingSettings:
    poll_interval_s: float = 2.0
    safety_poll_s: float = 30.0
    stream_settle_s: float = 2.0
    restart_delay_s: float = 1.0
    restart_max_delay_s: float = 60.0
    reconcile_retry_max_s: float = 300.0

    def backoff(self, failures: int, cap: float) -> float:
        return min(cap, self.restart_delay_s * 2 ** max(0, failures - 1))


class VenueWorker:
    """Tracks one venue; ``live`` says the order stream is believed subscribed."""

    def __init__(
        self,
        oms: OrderManager,
        venue: ManagedVenue,
        settings: TrackingSettings,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.oms = oms
        self.venue = venue
        self.settings = settings
        self._monotonic = monotonic
        self.live = False
        self.caught_up = False  # a poll round ran entirely while the stream was live
        self.reconciled = venue.kind != "ccxt"
        self.poll_rounds = 0
        self.streamed_updates = 0
        self.stream_starts = 0
        self._wake = asyncio.Event()
        self._generation = 0
        self._settle: asyncio.TimerHandle | None = None
        self._reconcile_failures = 0
        self._next_reconcile_at = 0.0

    def __repr__(self) -> str:
        return f"VenueWorker({self.venue.name!r}, live={self.live}, reconciled={self.reconciled})"

    async def run(self) -> None:
        await self._reconcile()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._poll_loop())
                if self.venue.kind == "ccxt":
                    group.create_task(self._stream_loop())
        finally:
            self._cancel_settle()

    # reconciliation at start ---------------------------------------------------------------------

    async def _reconcile(self) -> None:
        if self.reconciled or self._monotonic() < self._next_reconcile_at:
            return
        try:
            if not is_ccxt_venue(self.venue.venue):
                self.reconciled = True
                return
            report = await reconcile_venue(self.oms, self.venue)
        except Exception as error:  # retried with backoff; a programming error keeps its traceback
            self._reconcile_failures += 1
            delay = self.settings.backoff(self._reconcile_failures, self.settings.reconcile_retry_max_s)
            self._next_reconcile_at = self._monotonic() + delay
            if isinstance(error, TradehubError):
                log.warning("%s: reconciliation failed (%s); retrying in %.0fs", self.venue.name, error.message, delay)
            else:
                log.exception("%s: reconciliation failed; retrying in %.0fs", self.venue.name, delay)
            return
        self.reconciled = True
        self.venue.last_reconciliation = report
        log_report(report)

    # polling -------------------------------------------------------------------------------------

    def poll_now(self) -> None:
        """Run a poll round now instead of at the next interval."""
        self._wake.set()

    async def _poll_loop(self) -> None:
        while True:
            self._wake.clear()
            live_before = self.live
            await self._reconcile()
            try:
                await poll_venue(self.oms, self.venue)
            except Exception:  # keep tracking; the failure is logged with its traceback
                log.exception("%s: order tracking round failed", self.venue.name)
            self.poll_rounds += 1
            self.caught_up = live_before and self.live
            interval = self.settings.safety_poll_s if self.live else self.settings.poll_interval_s
            await self._sleep_unless_woken(interval)

    async def _sleep_unless_woken(self, seconds: float) -> None:
        # not asyncio.wait_for: on Python 3.11 it can swallow a cancellation that coincides with the wake-up
        waiter = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({waiter}, timeout=seconds)
        finally:
            waiter.cancel()

    # streaming -----------------------------------------------------------------------------------

    async def _stream_loop(self) -> None:
        failures = 0
        while True:
            cap = self.settings.restart_max_delay_s
            try:
                if not self.venue.has_order_stream():
                    log.info("%s: no order stream in ccxt; polling every %gs", self.venue.name,
                             self.settings.poll_interval_s)  # fmt: skip
                    return
                await self._stream()
            except TradehubError as error:
                if not isinstance(error, TemporaryError):  # refused keys, missing master key: retry less often
                    cap = self.settings.reconcile_retry_max_s
                log.warning("%s: order stream down (%s); polling every %gs until it is back",
                            self.venue.name, error.message, self.settings.poll_interval_s)  # fmt: skip
            except Exception:
                log.exception("%s: order stream failed; polling until it is back", self.venue.name)
            failures = 1 if self.live else failures + 1
            self._interrupted()
            await asyncio.sleep(self.settings.backoff(failures, cap))

    async def _stream(self) -> None:
        self._begin()
        updates = self.venue.watch_updates(on_interrupted=self._interrupted, on_resumed=self._begin)
        async with contextlib.aclosing(updates):
            async for update in updates:
                self._confirm(self._generation)  # a message proves the subscription
                try:
                    self.streamed_updates += book_streamed(self.oms, self.venue.name, update)
                except TradehubError as error:
                    log.warning("%s: streamed update of %s not booked: %s", self.venue.name,
                                update.client_order_id, error.message)  # fmt: skip

    def _begin(self) -> None:
        """A (re)subscription starts: poll until it has settled."""
        self._interrupted()
        self.stream_starts += 1
        self._arm_settle(self._generation)

    def _arm_settle(self, generation: int) -> None:
        check_s = max(0.05, self.settings.stream_settle_s / 4)
        self._settle = asyncio.get_running_loop().call_later(check_s, self._check_settled, generation)

    def _check_settled(self, generation: int) -> None:
        if self.live or generation != self._generation:
            return
        since_ms = self.venue.stream_connected_since_ms()
        if since_ms is not None and time.time() * 1000 - since_ms >= self.settings.stream_settle_s * 1000:
            self._confirm(generation)
        else:
            self._arm_settle(generation)

    def _interrupted(self) -> None:
        self.live = False
        self.caught_up = False
        self._generation += 1
        self._cancel_settle()
        self._wake.set()

    def _confirm(self, generation: int) -> None:
        if self.live or generation != self._generation:
            return
        self.live = True
        self._cancel_settle()
        self._wake.set()  # one more round: what filled before the subscription took effect

    def _cancel_settle(self) -> None:
        if self._settle is not None:
            self._settle.cancel()
            self._settle = None


class OrderTracker:
    """Runs a ``VenueWorker`` per configured venue while open: ``async with OrderTracker(...) as tracker``."""

    def __init__(self, oms: OrderManager, venues: Iterable[object], settings: TrackingSettings | None = None) -> None:
        self.oms = oms
        self.venues = venues
        self.settings = settings or TrackingSettings()
        self.workers: dict[str, VenueWorker] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._supervisor: asyncio.Task[None] | None = None

    async def __aenter__(self) -> OrderTracker:
        self.sync()
        self._supervisor = asyncio.create_task(self._supervise())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        tasks = [task for task in (self._supervisor, *self._tasks.values()) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(self.settings.poll_interval_s)
            try:
                self.sync()
            except Exception:
                log.exception("order tracker: venue discovery failed")

    def sync(self) -> None:
        """Start workers for venues added since, stop those of removed venues, restart crashed ones."""
        current = {venue.name: venue for venue in self.venues if isinstance(venue, ManagedVenue)}
        for name in list(self.workers):
            if current.get(name) is not self.workers[name].venue:
                self._tasks.pop(name).cancel()
                del self.workers[name]
        for name, task in list(self._tasks.items()):
            if task.done():
                error = None if task.cancelled() else task.exception()
                log.error("%s: order tracking stopped (%r); restarting it", name, error)
                del self._tasks[name], self.workers[name]
        for name, venue in current.items():
            if name not in self.workers:
                self.workers[name] = VenueWorker(self.oms, venue, self.settings)
                self._tasks[name] = asyncio.create_task(self.workers[name].run(), name=f"track-{name}")

    def worker(self, name: str) -> VenueWorker:
        return self.workers[name]
