"""The relay: outbox rows -> messages -> one delivery per matching endpoint, in outbox order.

The outbox row is written in the same transaction as the fill that caused it, so an event that
committed is relayed even if the process crashed before publishing it on the bus. Each pass reads
outbox rows above a low watermark that have no message yet (``NOT EXISTS``), so a row whose
transaction committed late (PostgreSQL sequences are not commit-ordered) is still picked up; the
watermark only moves past rows relayed more than ``GRACE_MS`` ago.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, exists, insert, select
from sqlalchemy.exc import IntegrityError

from engine.clock import Clock
from engine.storage.repository import outbox_t
from hub.models import UserRow
from webhooks import storage as t
from webhooks.endpoints import Endpoint, endpoint_from_row

GRACE_MS = 60_000
WATERMARK = "relay_watermark"
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,56}$")
users_t = UserRow.__table__


@dataclass(frozen=True, slots=True)
class Relayed:
    """What one pass created: message count and new pending delivery ids, grouped by endpoint."""

    messages: int
    deliveries: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def delivery_ids(self) -> list[int]:
        return [i for _, ids in self.deliveries for i in ids]


def message_id(event_id: str) -> str:
    """The ``webhook-id``: stable per event, so a relay that runs twice cannot mint a second id."""
    return "msg_" + (event_id if _SAFE_ID.match(event_id) else re.sub(r"[^A-Za-z0-9_-]", "_", event_id)[:56])


def render(event_type: str, ts_ms: int, data: dict[str, Any]) -> str:
    """The wire payload ``{"type", "timestamp", "data"}`` exactly as it is signed and sent."""
    stamp = datetime.fromtimestamp(ts_ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"type": event_type, "timestamp": stamp, "data": data}, separators=(",", ":"), default=str)


class Relay:
    def __init__(self, db: Engine, clock: Clock, *, queue_window_s: float = 300.0) -> None:
        """``queue_window_s``: how long a fresh delivery's task is presumed in the broker before the sweep
        queues it again (a broker that lost it, a worker killed mid-task)."""
        self.db, self.clock = db, clock
        self.queue_window_ms = int(queue_window_s * 1000)

    def run_once(self, limit: int = 5000) -> Relayed:
        """Relay up to ``limit`` new outbox rows in one transaction; return what was created."""
        try:
            with self.db.begin() as conn:
                if conn.execute(select(t.endpoints.c.id).limit(1)).first() is None:
                    return Relayed(0, ())  # nobody subscribed: write nothing (events predate any endpoint)
                rows = self._new_rows(conn, limit)
                if not rows:
                    self._advance(conn)
                    return Relayed(0, ())
                created = self._relay(conn, rows)
                self._advance(conn)
                return created
        except IntegrityError:  # another relay took these rows first; it delivers them
            return Relayed(0, ())

    def _new_rows(self, conn: Connection, limit: int) -> list[Any]:
        watermark = int(conn.execute(select(t.state.c.value).where(t.state.c.key == WATERMARK)).scalar() or 0)
        relayed = exists().where(t.messages.c.outbox_id == outbox_t.c.id)
        query = select(outbox_t).where(outbox_t.c.id > watermark, ~relayed).order_by(outbox_t.c.id).limit(limit)
        return list(conn.execute(query))

    def _relay(self, conn: Connection, rows: list[Any]) -> Relayed:
        now = self.clock.now_ms()
        endpoints = [
            endpoint_from_row(r)
            for r in conn.execute(
                select(t.endpoints).where(t.endpoints.c.status.in_(("active", "paused"))).order_by(t.endpoints.c.id)
            )
        ]
        teams = self._teams(conn, {row.user_id for row in rows if row.user_id is not None}) if endpoints else {}
        messages, planned = [], []
        for row in rows:
            msg_id = message_id(row.event_id)
            messages.append(
                {
                    "id": msg_id,
                    "outbox_id": row.id,
                    "event_type": row.type,
                    "user_id": row.user_id,
                    "body": render(row.type, row.ts_ms, row.payload),
                    "event_ms": row.ts_ms,
                    "created_ms": now,
                }
            )
            for endpoint in self._matching(endpoints, row, teams.get(row.user_id)):
                status = "paused" if endpoint.status == "paused" else "pending"
                planned.append(
                    {
                        "message_id": msg_id,
                        "endpoint_id": endpoint.id,
                        "status": status,
                        "attempts": 0,
                        "next_attempt_ms": now,
                        "created_ms": now,
                        "queued_until_ms": now + self.queue_window_ms,
                    }
                )
        conn.execute(insert(t.messages), messages)
        if not planned:
            return Relayed(len(messages), ())
        returned = conn.execute(
            insert(t.deliveries).returning(
                t.deliveries.c.id, t.deliveries.c.endpoint_id, t.deliveries.c.status, sort_by_parameter_order=True
            ),
            planned,
        )
        grouped: dict[str, list[int]] = {}
        for delivery_id, endpoint_id, status in returned:
            if status == "pending":
                grouped.setdefault(endpoint_id, []).append(delivery_id)
        return Relayed(len(messages), tuple((k, tuple(sorted(v))) for k, v in grouped.items()))

    @staticmethod
    def _matching(endpoints: list[Endpoint], row: Any, team: str | None) -> list[Endpoint]:
        if row.user_id is None:
            return []
        return [
            e
            for e in endpoints
            if (e.user_id == row.user_id if e.team is None else e.team == team)
            and e.created_ms <= row.ts_ms
            and e.wants(row.type)
        ]

    @staticmethod
    def _teams(conn: Connection, user_ids: set[int]) -> dict[int, str | None]:
        query = select(users_t.c.id, users_t.c.team).where(users_t.c.id.in_(user_ids))
        return {row.id: row.team for row in conn.execute(query)}

    def _advance(self, conn: Connection) -> None:
        cutoff = self.clock.now_ms() - GRACE_MS
        newest_old = (
            select(t.messages.c.outbox_id)
            .where(t.messages.c.created_ms < cutoff)
            .order_by(t.messages.c.created_ms.desc(), t.messages.c.outbox_id.desc())
            .limit(1)
        )
        value = conn.execute(newest_old).scalar()
        if value is None:
            return
        current = conn.execute(select(t.state.c.value).where(t.state.c.key == WATERMARK)).scalar()
        if current is None:
            conn.execute(insert(t.state).values(key=WATERMARK, value=str(value)))
        elif int(current) < value:
            conn.execute(t.state.update().where(t.state.c.key == WATERMARK).values(value=str(value)))
