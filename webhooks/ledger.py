"""Database side of delivery: claim due deliveries under a lease, record attempts and outcomes."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, insert, or_, select, update

from engine.clock import Clock
from engine.events import Event
from engine.storage import repository as repo
from webhooks import storage as t
from webhooks.config import WebhookSettings
from webhooks.endpoints import signing_secrets
from webhooks.secrets import SecretBox


@dataclass(frozen=True, slots=True)
class Job:
    """One claimed delivery: what to send where, and which attempt this is."""

    delivery_id: int
    endpoint_id: str
    kind: str
    url: str
    secrets: tuple[str, ...]
    message_id: str
    body: bytes
    number: int
    created_ms: int


@dataclass(frozen=True, slots=True)
class Outcome:
    job: Job
    started_ms: int
    latency_ms: int
    status_code: int | None
    error: str | None
    response: str | None
    retry_after_s: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


@dataclass(slots=True)
class Claim:
    jobs: list[Job] = field(default_factory=list)
    later: dict[int, float] = field(default_factory=dict)  # not yet due: delivery id -> seconds until due


@dataclass(slots=True)
class Recorded:
    retries: dict[int, float] = field(default_factory=dict)  # delivery id -> delay in seconds
    delivered: int = 0
    dead: int = 0
    disabled: list[str] = field(default_factory=list)


_CLAIM = (
    select(
        t.deliveries,
        t.messages.c.body,
        t.endpoints.c.url,
        t.endpoints.c.kind,
        t.endpoints.c.status.label("endpoint_status"),
        t.endpoints.c.secret,
        t.endpoints.c.previous_secret,
        t.endpoints.c.previous_until_ms,
    )
    .join(t.messages, t.messages.c.id == t.deliveries.c.message_id)
    .outerjoin(t.endpoints, t.endpoints.c.id == t.deliveries.c.endpoint_id)
)


class Ledger:
    def __init__(self, db: Engine, box: SecretBox, settings: WebhookSettings, clock: Clock) -> None:
        self.db, self.box, self.settings, self.clock = db, box, settings, clock

    def claim(self, delivery_ids: Sequence[int]) -> Claim:
        """Lease the due, pending deliveries among ``delivery_ids`` for this worker.

        Per endpoint, a delivery is sent only when every earlier pending delivery of that endpoint
        is sent with it (in order, first): later ones wait for the earlier one's retry.
        """
        now, claim = self.clock.now_ms(), Claim()
        with self.db.begin() as conn:
            rows = conn.execute(
                _CLAIM.where(t.deliveries.c.id.in_(list(delivery_ids)), t.deliveries.c.status == "pending")
            )
            candidates = {}
            for row in rows:
                if row.endpoint_status != "active":
                    self._park(conn, row)
                else:
                    candidates[row.id] = row
            if not candidates:
                return claim
            sendable = self._in_order(conn, candidates, now, claim)
            per_endpoint: dict[str, int] = {}
            secrets: dict[str, tuple[str, ...]] = {}
            for row in sendable:
                if row.endpoint_id not in secrets:
                    secrets[row.endpoint_id] = tuple(signing_secrets(self.box, row, now))
                per_endpoint[row.endpoint_id] = per_endpoint.get(row.endpoint_id, 0) + 1
                job = Job(row.id, row.endpoint_id, row.kind, row.url, secrets[row.endpoint_id], row.message_id,
                          row.body.encode(), row.attempts + 1, row.created_ms)
                claim.jobs.append(job)
            if sendable:
                longest = max(per_endpoint.values())
                lease = now + int((self.settings.timeout_s * longest + self.settings.lease_margin_s) * 1000)
                leased = [row.id for row in sendable]
                conn.execute(update(t.deliveries).where(t.deliveries.c.id.in_(leased)).values(lease_until_ms=lease))
        return claim

    @staticmethod
    def _in_order(conn: Connection, candidates: dict[int, Any], now: int, claim: Claim) -> list[Any]:
        """Walk each endpoint's pending deliveries in id order; stop at the first one this task cannot send."""
        endpoint_ids = {row.endpoint_id for row in candidates.values()}
        pending = conn.execute(
            select(t.deliveries.c.id, t.deliveries.c.endpoint_id, t.deliveries.c.next_attempt_ms,
                   t.deliveries.c.lease_until_ms)
            .where(t.deliveries.c.endpoint_id.in_(endpoint_ids), t.deliveries.c.status == "pending",
                   t.deliveries.c.id <= max(candidates))
            .order_by(t.deliveries.c.id)
        )
        wait: dict[str, float] = {}  # endpoint -> seconds until its blocked deliveries are worth trying
        sendable = []
        for row in pending:
            held = row.lease_until_ms is not None and row.lease_until_ms > now
            if row.endpoint_id in wait:
                if row.id in candidates and not held:
                    claim.later[row.id] = wait[row.endpoint_id]
            elif row.id in candidates and not held and row.next_attempt_ms <= now + 50:
                sendable.append(candidates[row.id])
            else:  # an earlier delivery is in flight elsewhere, not due yet, or not in this batch
                wait[row.endpoint_id] = 0.2 if held else max(0.05, (row.next_attempt_ms - now) / 1000)
                if row.id in candidates and not held:
                    claim.later[row.id] = wait[row.endpoint_id]
        return sendable

    @staticmethod
    def _park(conn: Connection, row: Any) -> None:
        if row.endpoint_status == "paused":
            conn.execute(update(t.deliveries).where(t.deliveries.c.id == row.id).values(status="paused"))
        else:
            reason = "endpoint deleted" if row.endpoint_status is None else "endpoint disabled"
            conn.execute(
                update(t.deliveries).where(t.deliveries.c.id == row.id).values(status="dead", last_error=reason)
            )

    def _delay(self, attempts_done: int, retry_after_s: float | None) -> float | None:
        """Seconds until the next attempt, or None when the schedule is exhausted."""
        schedule = self.settings.schedule
        if attempts_done >= len(schedule):
            return None
        if retry_after_s is not None:
            return min(max(retry_after_s, 0.0), 86_400.0)
        base = schedule[attempts_done]
        return max(0.0, base * (1 + random.uniform(-self.settings.jitter, self.settings.jitter)))

    def record(self, outcomes: Sequence[Outcome], skipped: Sequence[Job] = ()) -> Recorded:
        """Write every attempt and each delivery's new state in one transaction; release ``skipped``
        (claimed, not attempted) to go out right after their endpoint's failed delivery retries."""
        now, result = self.clock.now_ms(), Recorded()
        if not outcomes:
            return result
        updates: list[dict[str, Any]] = []
        failing: dict[str, bool] = {}
        for outcome in outcomes:
            job = outcome.job
            values = {
                "b_id": job.delivery_id,
                "attempts": job.number,
                "last_status": outcome.status_code,
                "last_error": outcome.error,
                "lease_until_ms": None,
                "queued_until_ms": None,
                "status": "pending",
                "next_attempt_ms": now,
                "done_ms": None,
            }
            if outcome.ok:
                values.update(status="delivered", done_ms=now)
                result.delivered += 1
                failing[job.endpoint_id] = False
            else:
                failing.setdefault(job.endpoint_id, True)
                delay = None if outcome.gone else self._delay(job.number, outcome.retry_after_s)
                if delay is None:
                    values.update(status="dead", done_ms=now)
                    result.dead += 1
                else:
                    values["next_attempt_ms"] = now + int(delay * 1000)
                    result.retries[job.delivery_id] = delay
            updates.append(values)
        updates += self._released(skipped, updates, outcomes, result)
        with self.db.begin() as conn:
            conn.execute(insert(t.attempts), [self._attempt_row(o) for o in outcomes])
            conn.execute(_UPDATE_DELIVERY, updates)
            firsts = [{"b_id": o.job.delivery_id, "first": o.started_ms} for o in outcomes if o.job.number == 1]
            if firsts:
                conn.execute(_FIRST_ATTEMPT, firsts)
            gone = {o.job.endpoint_id for o in outcomes if o.gone}
            for endpoint_id in gone:
                self.disable(conn, endpoint_id, "the endpoint answered 410 Gone")
            result.disabled = sorted(gone | self._track_failures(conn, failing, now, gone))
        return result

    @staticmethod
    def _released(
        skipped: Sequence[Job], updates: list[dict[str, Any]], outcomes: Sequence[Outcome], result: Recorded
    ) -> list[dict[str, Any]]:
        retry_at = {o.job.endpoint_id: u["next_attempt_ms"] for o, u in zip(outcomes, updates, strict=False)}
        delay_of = {o.job.endpoint_id: result.retries.get(o.job.delivery_id, 0.0) for o in outcomes}
        released = []
        for job in skipped:
            released.append({
                "b_id": job.delivery_id, "attempts": job.number - 1, "last_status": None, "last_error": None,
                "lease_until_ms": None, "queued_until_ms": None, "status": "pending", "done_ms": None,
                "next_attempt_ms": retry_at[job.endpoint_id],
            })
            result.retries[job.delivery_id] = delay_of[job.endpoint_id]
        return released

    def _attempt_row(self, outcome: Outcome) -> dict[str, Any]:
        return {
            "delivery_id": outcome.job.delivery_id,
            "endpoint_id": outcome.job.endpoint_id,
            "message_id": outcome.job.message_id,
            "number": outcome.job.number,
            "started_ms": outcome.started_ms,
            "latency_ms": outcome.latency_ms,
            "status_code": outcome.status_code,
            "error": None if outcome.error is None else outcome.error[:500],
            "response": None if outcome.response is None else outcome.response[: self.settings.response_excerpt],
        }

    def _track_failures(self, conn: Connection, failing: dict[str, bool], now: int, skip: set[str]) -> set[str]:
        """Clear the failure clock on success; disable endpoints failing longer than allowed."""
        recovered = [e for e, bad in failing.items() if not bad]
        if recovered:
            conn.execute(update(t.endpoints).where(t.endpoints.c.id.in_(recovered)).values(failing_since_ms=None))
        bad = [e for e, is_bad in failing.items() if is_bad and e not in skip]
        if not bad:
            return set()
        conn.execute(
            update(t.endpoints)
            .where(t.endpoints.c.id.in_(bad), t.endpoints.c.failing_since_ms.is_(None))
            .values(failing_since_ms=now)
        )
        limit = now - self.settings.disable_after_s * 1000
        stale = conn.execute(
            select(t.endpoints.c.id).where(
                t.endpoints.c.id.in_(bad), t.endpoints.c.failing_since_ms <= limit, t.endpoints.c.status == "active"
            )
        )
        disabled = {row.id for row in stale}
        for endpoint_id in disabled:
            hours = self.settings.disable_after_s / 3600
            self.disable(conn, endpoint_id, f"every attempt failed for {hours:g} h")
        return disabled

    def disable(self, conn: Connection, endpoint_id: str, reason: str) -> None:
        """Disable the endpoint, give up its open deliveries and tell its owner (an outbox event)."""
        now = self.clock.now_ms()
        row = conn.execute(select(t.endpoints).where(t.endpoints.c.id == endpoint_id)).first()
        if row is None or row.status == "disabled":
            return
        conn.execute(
            update(t.endpoints)
            .where(t.endpoints.c.id == endpoint_id)
            .values(status="disabled", disabled_reason=reason, updated_ms=now)
        )
        open_ = t.deliveries.c.endpoint_id == endpoint_id, t.deliveries.c.status.in_(("pending", "paused"))
        conn.execute(
            update(t.deliveries).where(*open_).values(status="dead", last_error=f"disabled: {reason}", done_ms=now)
        )
        notice = {"endpoint_id": endpoint_id, "url": row.url, "reason": reason, "team": row.team}
        repo.add_events(conn, [Event(f"whd_{uuid.uuid4().hex}", "webhook.disabled", now, notice, row.user_id)])

    def due(self, limit: int = 5000) -> list[int]:
        """Pending deliveries whose time has come and that no task holds or has queued.

        An expired lease means a worker took the task and died mid-delivery: due at once, whatever
        the queue window said (that task is gone from the broker).
        """
        now = self.clock.now_ms()
        lease, queued = t.deliveries.c.lease_until_ms, t.deliveries.c.queued_until_ms
        query = (
            select(t.deliveries.c.id)
            .where(
                t.deliveries.c.status == "pending",
                t.deliveries.c.next_attempt_ms <= now,
                or_(lease < now, and_(lease.is_(None), or_(queued.is_(None), queued < now))),
            )
            .order_by(t.deliveries.c.endpoint_id, t.deliveries.c.id)
            .limit(limit)
        )
        with self.db.connect() as conn:
            return [row.id for row in conn.execute(query)]

    def mark_queued(self, delivery_ids: Sequence[int], until_ms: int) -> None:
        if delivery_ids:
            with self.db.begin() as conn:
                conn.execute(
                    update(t.deliveries)
                    .where(t.deliveries.c.id.in_(list(delivery_ids)))
                    .values(queued_until_ms=until_ms)
                )


_UPDATE_DELIVERY = (
    update(t.deliveries)
    .where(t.deliveries.c.id == bindparam("b_id"))
    .values(
        status=bindparam("status"),
        attempts=bindparam("attempts"),
        last_status=bindparam("last_status"),
        last_error=bindparam("last_error"),
        lease_until_ms=bindparam("lease_until_ms"),
        queued_until_ms=bindparam("queued_until_ms"),
        next_attempt_ms=bindparam("next_attempt_ms"),
        done_ms=bindparam("done_ms"),
    )
)
_FIRST_ATTEMPT = (
    update(t.deliveries)
    .where(t.deliveries.c.id == bindparam("b_id"), t.deliveries.c.first_attempt_ms.is_(None))
    .values(first_attempt_ms=bindparam("first"))
)
