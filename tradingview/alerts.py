"""Alert records: written durably before the acknowledgement, then given their outcome.

``AlertWriter`` is a group commit: concurrent requests hand their records to one writer task that
stores whatever has queued up in one transaction (off the event loop), so a burst of alerts costs
one commit per batch instead of one per alert, and each request is answered only after its row is
committed. Duplicates are decided in that same transaction, under the hook rows' lock on
PostgreSQL (SQLite transactions are already serialised by ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import structlog
from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.engine import Engine

from engine.events import Event
from engine.ids import new_id
from engine.storage import repository as repo
from tradingview.storage import alerts as alerts_t
from tradingview.storage import hooks as hooks_t

log = structlog.get_logger(__name__)

PENDING = "pending"
EXECUTING = "executing"
EXECUTED = "executed"
REJECTED = "rejected"
DUPLICATE = "duplicate"
RATE_LIMITED = "rate_limited"
NO_CHANGE = "no_change"
AWAITING_CONFIRMATION = "awaiting_confirmation"
FAILED = "failed"
EVENT_TYPE = "tradingview.alert"


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One received alert as stored. ``accepted`` means it may trade (pending, then an outcome)."""

    id: str
    hook_id: str
    user_id: int
    received_ms: int
    source_ip: str
    content_type: str
    body: str
    unknown_keys: dict[str, Any] | None
    dedupe_key: str
    windowed: bool
    status: str
    accepted: bool
    command_text: str | None = None
    intent: dict[str, Any] | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    order_id: str | None = None
    completed_ms: int | None = None

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id, "hook_id": self.hook_id, "user_id": self.user_id, "received_ms": self.received_ms,
            "source_ip": self.source_ip, "content_type": self.content_type, "body": self.body,
            "unknown_keys": self.unknown_keys or None, "dedupe_key": self.dedupe_key,
            "duplicate_of": self.duplicate_of, "status": self.status, "accepted": self.accepted,
            "command_text": self.command_text, "intent": self.intent, "reason": self.reason,
            "order_id": self.order_id, "completed_ms": self.completed_ms,
        }  # fmt: skip


def new_alert_id() -> str:
    return new_id("tva")


def alert_event(record: AlertRecord, ts_ms: int) -> Event:
    """The ``tradingview.alert`` event: what became of one alert."""
    data = {
        "alert_id": record.id,
        "hook_id": record.hook_id,
        "status": record.status,
        "command": record.command_text,
        "reason": record.reason,
        "order_id": record.order_id,
        "duplicate_of": record.duplicate_of,
    }
    return Event(new_id("evt"), EVENT_TYPE, ts_ms, data, record.user_id)


def _record(row: Any) -> AlertRecord:
    return AlertRecord(
        row.id, row.hook_id, row.user_id, row.received_ms, row.source_ip, row.content_type, row.body,
        row.unknown_keys, row.dedupe_key, False, row.status, row.accepted, row.command_text, row.intent,
        row.reason, row.duplicate_of, row.order_id, row.completed_ms,
    )  # fmt: skip


_COLUMNS = tuple(column.name for column in alerts_t.columns)
_SQLITE_INSERT = f"INSERT INTO {alerts_t.name} ({', '.join(_COLUMNS)}) VALUES "  # noqa: S608 (our own column names)
_SQLITE_ROW = f"({', '.join('?' for _ in _COLUMNS)})"
#: rows per SQLite statement: well under the 32,766 bound parameters SQLite >= 3.32 allows
_SQLITE_ROWS = 1000
_JSON_COLUMNS = frozenset({"unknown_keys", "intent"})


def _insert(conn: Connection, records: list[AlertRecord]) -> None:
    """Insert alert rows. On SQLite as one multi-row ``INSERT`` per 1,000 rows, straight through
    the driver (the hot path of every acknowledgement; JSON columns encoded as SQLAlchemy would):
    one statement step per batch, not one per row, so the writer thread gives up and waits for the
    GIL once rather than once per row while the event loop is busy. Elsewhere through Core."""
    rows = [record.row() for record in records]
    if conn.dialect.name != "sqlite":
        conn.execute(alerts_t.insert(), rows)
        return
    for start in range(0, len(rows), _SQLITE_ROWS):
        chunk = rows[start : start + _SQLITE_ROWS]
        values = [
            (None if row[name] is None else json.dumps(row[name])) if name in _JSON_COLUMNS else row[name]
            for row in chunk
            for name in _COLUMNS
        ]
        conn.exec_driver_sql(_SQLITE_INSERT + ", ".join([_SQLITE_ROW] * len(chunk)), tuple(values))


class AlertStore:
    """Reads and outcome updates; the batched insert is ``AlertWriter``'s."""

    def __init__(self, db: Engine, *, window_ms: int, publish: Callable[[Event], None]) -> None:
        self.db = db
        self.window_ms = window_ms
        self.publish = publish

    def insert_batch(
        self, records: list[AlertRecord], now_ms: int
    ) -> tuple[list[AlertRecord | Exception], list[Event]]:
        """Store ``records`` in one transaction; accepted ones seen before become duplicates.

        Returns, in order, each record as stored or the error that kept it out, and the events of
        those that already have their outcome. When the batch's transaction fails (a row the
        database refuses, a unique key another process took), each record is stored again in a
        transaction of its own, so only the rows that cannot be stored fail."""
        try:
            stored, events = self._insert_batch(records, now_ms)
            return list(stored), events
        except Exception as error:
            if len(records) == 1:
                log.exception("storing an alert failed", alert_id=records[0].id)
                return [error], []
            log.warning(
                "storing a batch of alerts failed; storing them one by one", count=len(records), error=str(error)
            )
        outcomes: list[AlertRecord | Exception] = []
        events = []
        for record in records:
            try:
                stored, stored_events = self._insert_batch([record], now_ms)
            except Exception as error:
                log.exception("storing an alert failed", alert_id=record.id)
                outcomes.append(error)
            else:
                outcomes.extend(stored)
                events.extend(stored_events)
        return outcomes, events

    def _insert_batch(self, records: list[AlertRecord], now_ms: int) -> tuple[list[AlertRecord], list[Event]]:
        with self.db.begin() as conn:
            self._lock_hooks(conn, {r.hook_id for r in records})
            earlier = self._earlier(conn, [r for r in records if r.accepted])
            stored: list[AlertRecord] = []
            for record in records:
                if record.accepted:
                    first = earlier.get((record.hook_id, record.dedupe_key))
                    if first is not None and (not record.windowed or first[1] >= record.received_ms - self.window_ms):
                        record = replace(record, status=DUPLICATE, accepted=False, duplicate_of=first[0])
                    else:
                        earlier[(record.hook_id, record.dedupe_key)] = (record.id, record.received_ms)
                stored.append(record)
            _insert(conn, stored)
            events = [alert_event(r, now_ms) for r in stored if r.status != PENDING]
            repo.add_events(conn, events)
        return stored, events

    def _lock_hooks(self, conn: Connection, hook_ids: set[str]) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(select(hooks_t.c.id).where(hooks_t.c.id.in_(sorted(hook_ids))).with_for_update())

    def _earlier(self, conn: Connection, records: list[AlertRecord]) -> dict[tuple[str, str], tuple[str, int]]:
        """The latest accepted alert per (hook, dedupe key) among those in ``records``."""
        if not records:
            return {}
        keys = sorted({r.dedupe_key for r in records})
        rows = conn.execute(
            select(alerts_t.c.id, alerts_t.c.hook_id, alerts_t.c.dedupe_key, alerts_t.c.received_ms)
            .where(alerts_t.c.dedupe_key.in_(keys), alerts_t.c.accepted.is_(True))
            .order_by(alerts_t.c.received_ms)
        )
        return {(row.hook_id, row.dedupe_key): (row.id, row.received_ms) for row in rows}

    def claim(self, limit: int) -> list[AlertRecord]:
        """Move up to ``limit`` pending alerts, oldest first, to ``executing`` and return them."""
        with self.db.begin() as conn:
            statement = (
                select(alerts_t).where(alerts_t.c.status == PENDING).order_by(alerts_t.c.received_ms).limit(limit)
            )
            if conn.dialect.name == "postgresql":
                statement = statement.with_for_update(skip_locked=True)
            rows = conn.execute(statement).all()
            if rows:
                ids = [row.id for row in rows]
                conn.execute(update(alerts_t).where(alerts_t.c.id.in_(ids)).values(status=EXECUTING))
        return [replace(_record(row), status=EXECUTING) for row in rows]

    def release_stale(self, older_than_ms: int) -> int:
        """Alerts left ``executing`` by a stopped process go back to ``pending`` (their idempotency
        key makes running them again safe)."""
        with self.db.begin() as conn:
            result = conn.execute(
                update(alerts_t)
                .where(alerts_t.c.status == EXECUTING, alerts_t.c.received_ms < older_than_ms)
                .values(status=PENDING)
            )
        return result.rowcount or 0

    def complete(self, records: list[AlertRecord], now_ms: int) -> list[AlertRecord]:
        """Store outcomes and their events in one transaction, then publish the events."""
        done = [replace(record, completed_ms=now_ms) for record in records]
        events = [alert_event(record, now_ms) for record in done]
        with self.db.begin() as conn:
            conn.execute(
                update(alerts_t).where(alerts_t.c.id == bindparam("alert_id")),
                [
                    {
                        "alert_id": r.id, "status": r.status, "reason": r.reason, "order_id": r.order_id,
                        "command_text": r.command_text, "completed_ms": now_ms,
                    }
                    for r in done
                ],
            )  # fmt: skip
            repo.add_events(conn, events)
        for event in events:
            self.publish(event)
        return done

    def list(
        self, user_id: int | None, *, limit: int = 50, status: str | None = None, hook_id: str | None = None
    ) -> list[AlertRecord]:
        statement = select(alerts_t).order_by(alerts_t.c.received_ms.desc(), alerts_t.c.id.desc()).limit(limit)
        if user_id is not None:
            statement = statement.where(alerts_t.c.user_id == user_id)
        if status is not None:
            statement = statement.where(alerts_t.c.status == status)
        if hook_id is not None:
            statement = statement.where(alerts_t.c.hook_id == hook_id)
        with self.db.connect() as conn:
            return [_record(row) for row in conn.execute(statement)]

    def get(self, alert_id: str) -> AlertRecord | None:
        with self.db.connect() as conn:
            row = conn.execute(select(alerts_t).where(alerts_t.c.id == alert_id)).first()
        return None if row is None else _record(row)


class AlertWriter:
    """Group commit of alert records; ``await store(record)`` returns once the row is durable."""

    def __init__(
        self,
        store: AlertStore,
        now_ms: Callable[[], int],
        *,
        batch: int,
        on_stored: Callable[[list[AlertRecord]], None],
        in_thread: bool = True,
    ) -> None:
        self.store = store
        self.now_ms = now_ms
        self.batch = batch
        self.on_stored = on_stored
        self._queue: asyncio.Queue[tuple[AlertRecord, asyncio.Future[AlertRecord]]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradingview-writer") if in_thread else None

    async def store_one(self, record: AlertRecord) -> AlertRecord:
        if self._task is None or self._task.done():
            self._queue = asyncio.Queue()
            self._task = asyncio.get_running_loop().create_task(self._run())
        assert self._queue is not None
        future: asyncio.Future[AlertRecord] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((record, future))
        return await future

    async def _run(self) -> None:
        """Take everything queued, store it in one transaction, answer each request with its row.
        Nothing waits for a timer: an alert alone is committed at once, and what arrives during a
        commit is the next batch."""
        assert self._queue is not None
        queue = self._queue
        loop = asyncio.get_running_loop()
        while True:
            pending = [await queue.get()]
            if self._thread is None:
                await asyncio.sleep(0)  # let the requests already read join this batch
            while len(pending) < self.batch and not queue.empty():
                pending.append(queue.get_nowait())
            records = [record for record, _ in pending]
            try:
                if self._thread is None:
                    outcomes, events = self.store.insert_batch(records, self.now_ms())
                else:
                    outcomes, events = await loop.run_in_executor(
                        self._thread, self.store.insert_batch, records, self.now_ms()
                    )
            except Exception as error:  # the callers answer 503: nothing of this batch was stored
                log.exception("storing alerts failed", count=len(records))
                outcomes, events = [error] * len(records), []
            stored: list[AlertRecord] = []
            for (_, future), outcome in zip(pending, outcomes, strict=True):
                if isinstance(outcome, AlertRecord):
                    stored.append(outcome)
                if future.done():
                    continue
                if isinstance(outcome, AlertRecord):
                    future.set_result(outcome)
                else:
                    future.set_exception(outcome)
            for event in events:
                self.store.publish(event)
            if stored:
                self.on_stored(stored)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._thread is not None:
            self._thread.shutdown(wait=True)
