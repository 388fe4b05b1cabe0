"""Fan one leader fill out to every follower through the OMS, one transaction per batch of followers.

Each copy is a normal ``OrderManager.place`` with the follower's own sizing, balance and risk checks and
the idempotency key ``copy:<leader fill id>:<follower id>``, so a fill delivered twice (a redelivered event,
a sweep after a crash, two processes) places each follower's order once. On a venue that executes in
process (paper: ``submit_now``) a batch of followers shares one database transaction: the OMS is handed a
stand-in for its engine whose ``begin()`` is that transaction, and the batch commits once, together with
the mirror records and events (a follower refused by a check wrote nothing; anything unexpected rolls the
batch back and it runs again with a savepoint per follower). Other venues answer over the network, so
their copies are placed one by one and recorded after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import structlog
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.domain import Instrument, Order, OrderStatus, Side, UserId
from engine.errors import TemporaryError, TradehubError, UserInputError
from engine.events import Event, EventPublisher
from engine.ids import new_id
from engine.orders.intent import OrderIntent
from engine.orders.oms import OrderManager
from engine.storage import repository as repo
from strategies.copytrade import storage
from strategies.copytrade.sizing import allocated_after, copy_size
from strategies.copytrade.storage import SOURCE, Follow

log = structlog.get_logger(__name__)


def idempotency_key(fill_id: str, follower_id: int) -> str:
    """The key of a follower's copy of one leader fill: the same on every delivery of that fill."""
    return f"copy:{fill_id}:{follower_id}"


@dataclass(frozen=True, slots=True)
class LeaderFill:
    fill_id: str
    order_id: str
    leader_id: int
    leader_name: str
    venue: str
    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal
    ts_ms: int

    def data(self) -> dict[str, Any]:
        return {"leader": self.leader_name, "leader_fill_id": self.fill_id, "leader_order_id": self.order_id,
                "symbol": self.symbol, "side": self.side.value, "leader_quantity": str(self.quantity),
                "leader_price": str(self.price)}  # fmt: skip


@dataclass(slots=True)
class FanOutResult:
    fill: LeaderFill
    mirrored: int = 0
    skipped: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Outcome:
    rule: Follow
    order: Order | None
    reason: str | None


class _Collector:
    """An ``EventPublisher`` that holds events until the batch's transaction has committed."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)


class _NeedsSavepoints(Exception):
    """Raised to abandon a batch run without savepoints; it is run again with one per follower."""


class _TransactionScope:
    """Stands in for the ``Engine`` of an ``OrderManager``: ``begin()`` and ``connect()`` are the one open
    transaction of the batch, with a savepoint per order when ``savepoints``.

    Without savepoints (the fast path: SQLite savepoints cost as much as the order itself) a refusal is
    still clean, because the OMS raises every ``UserInputError`` (risk, balance, size) before its first
    write. Anything else, and the OMS's duplicate-key recovery (the only ``connect()`` inside ``place``),
    abandons the batch: it rolls back whole and runs again with savepoints."""

    def __init__(self, conn: Connection, *, savepoints: bool) -> None:
        self._conn, self.savepoints = conn, savepoints

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        if not self.savepoints:
            yield self._conn
            return
        with self._conn.begin_nested():
            yield self._conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        if not self.savepoints:
            raise _NeedsSavepoints
        yield self._conn


class FanOut:
    def __init__(
        self, db: Engine, oms: OrderManager, clock: Clock, publisher: EventPublisher, *, batch_size: int = 100
    ) -> None:
        self.db, self.oms, self.clock, self.publisher = db, oms, clock, publisher
        self.batch_size = batch_size

    async def mirror(self, fill: LeaderFill, *, stale_reason: str | None = None) -> FanOutResult:
        """Copy ``fill`` to every follower not yet served (all skipped with ``stale_reason`` when given)."""
        with self.db.connect() as conn:
            rules = storage.followers(conn, fill.leader_id, since_ms=fill.ts_ms)
            done = storage.done_followers(conn, fill.fill_id)
        todo = [rule for rule in rules if rule.follower_id not in done and rule.follower_id != fill.leader_id]
        result = FanOutResult(fill)
        if not todo:
            return result
        venue = self.oms.venues.get(fill.venue)
        instrument = await venue.instrument(fill.symbol)
        price = await venue.last_price(fill.symbol)
        in_process = getattr(venue, "submit_now", None) is not None
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            try:
                outcomes = await self._batch(fill, batch, instrument, price, stale_reason, in_process=in_process)
            except TemporaryError:
                raise
            except Exception as error:  # rolled back whole: redo the followers no other process served meanwhile
                log.warning("copy batch rolled back; running it with a savepoint per follower", error=repr(error))
                with self.db.connect() as conn:
                    done = storage.done_followers(conn, fill.fill_id)
                outcomes = await self._batch(fill, [r for r in batch if r.follower_id not in done], instrument,
                                             price, stale_reason, in_process=in_process, savepoints=True)  # fmt: skip
            for outcome in outcomes:
                if outcome.order is not None:
                    result.mirrored += 1
                else:
                    result.skipped += 1
                    reason = outcome.reason or ""
                    result.reasons[reason] = result.reasons.get(reason, 0) + 1
        return result

    async def _batch(
        self, fill: LeaderFill, batch: list[Follow], instrument: Instrument, price: Decimal,
        stale_reason: str | None, *, in_process: bool, savepoints: bool = False,
    ) -> list[_Outcome]:  # fmt: skip
        collector = _Collector()
        if in_process:
            with self.db.begin() as conn:
                scope = _TransactionScope(conn, savepoints=savepoints)
                scoped = OrderManager(cast(Engine, scope), self.oms.venues, limits=self.oms.limits, clock=self.clock,
                                      publisher=collector)  # fmt: skip
                outcomes = [await self._one(scoped, fill, rule, instrument, price, stale_reason, clean=savepoints)
                            for rule in batch]  # fmt: skip
                events = self._record(conn, fill, outcomes)
        else:
            outcomes = [await self._one(self.oms, fill, rule, instrument, price, stale_reason, clean=True)
                        for rule in batch]  # fmt: skip
            with self.db.begin() as conn:
                events = self._record(conn, fill, outcomes)
        for event in (*collector.events, *events):
            self.publisher.publish(event)
        return outcomes

    async def _one(
        self, oms: OrderManager, fill: LeaderFill, rule: Follow, instrument: Instrument, price: Decimal,
        stale_reason: str | None, *, clean: bool,
    ) -> _Outcome:  # fmt: skip
        """One follower's copy. ``clean``: a failed placement left no writes behind (its own transaction or
        savepoint), so any ``TradehubError`` is this follower's refusal; otherwise only a ``UserInputError``
        (raised before the OMS writes anything) is, and anything else abandons the batch."""
        if stale_reason is not None:
            return _Outcome(rule, None, stale_reason)
        size = copy_size(rule, fill.side, fill.quantity, price, instrument)
        if size.skipped is not None:
            return _Outcome(rule, None, size.skipped)
        intent = OrderIntent(UserId(rule.follower_id), fill.symbol, fill.side,
                             idempotency_key(fill.fill_id, rule.follower_id), quantity=size.quantity,
                             venue=fill.venue, source=SOURCE)  # fmt: skip
        try:
            order = (await oms.place(intent)).order
        except TemporaryError:
            raise  # the venue may have the order: leave the fill unfinished, the sweep reconciles by key
        except UserInputError as error:  # this follower's balance, limits or size refuse it; the others go on
            return _Outcome(rule, None, error.message)
        except TradehubError as error:
            if not clean:
                raise
            return _Outcome(rule, None, error.message)
        if order.status is OrderStatus.REJECTED:
            return _Outcome(rule, None, order.reason or "rejected by the venue")
        return _Outcome(rule, order, None)

    def _record(self, conn: Connection, fill: LeaderFill, outcomes: list[_Outcome]) -> list[Event]:
        """Write one mirror row per follower, move allocations and add the events to the outbox."""
        now = self.clock.now_ms()
        rows, events, allocations = [], [], {}
        for outcome in outcomes:
            rule, order = outcome.rule, outcome.order
            row = {"leader_fill_id": fill.fill_id, "leader_id": fill.leader_id, "follower_id": rule.follower_id,
                   "symbol": fill.symbol, "side": fill.side.value, "ts_ms": now, "order_id": None,
                   "quantity": None, "reason": outcome.reason}  # fmt: skip
            data = fill.data()
            if order is None:
                row["status"] = "skipped"
                data["reason"] = outcome.reason
                data["message"] = (f"copy of {fill.leader_name}'s {fill.side.value} {fill.symbol} skipped: "
                                   f"{outcome.reason}")  # fmt: skip
                events.append(Event(new_id("evt"), "copytrade.skipped", now, data, rule.follower_id))
            else:
                row.update(status="mirrored", order_id=order.id, quantity=order.filled_quantity or order.quantity)
                notional = order.filled_quantity * (order.average_fill_price or Decimal(0))
                allocations[rule.follower_id] = allocated_after(rule, fill.side, notional)
                data.update(order_id=order.id, quantity=str(order.quantity), status=order.status.value,
                            average_fill_price=None if order.average_fill_price is None
                            else str(order.average_fill_price))  # fmt: skip
                events.append(Event(new_id("evt"), "copytrade.mirrored", now, data, rule.follower_id))
            rows.append(row)
        storage.add_mirrors(conn, rows)
        storage.set_allocated(conn, fill.leader_id, allocations)
        repo.add_events(conn, events)
        return events
