"""Endpoint subscriptions: create, list, update, pause, rotate, delete; delivery log and replay.

Owners are users; a team endpoint (``team`` set) is shared by the team's members and receives the
events of every member. Patterns are event types with ``*`` wildcards (``order.*``).
"""

from __future__ import annotations

import fnmatch
import json
import secrets as random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, or_, select, update

from engine.clock import Clock
from engine.errors import NotFound, UserInputError
from engine.events import EVENT_TYPES
from hub.principals import Principal
from webhooks import channels, signing, ssrf
from webhooks import storage as t
from webhooks.config import WebhookSettings
from webhooks.secrets import SecretBox


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    user_id: int
    team: str | None
    kind: str
    url: str
    description: str
    events: tuple[str, ...]
    status: str
    disabled_reason: str | None
    created_ms: int

    def wants(self, event_type: str) -> bool:
        return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in self.events)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "url": self.url,
            "description": self.description,
            "events": list(self.events),
            "team": self.team,
            "status": self.status,
            "disabled_reason": self.disabled_reason,
            "created_ms": self.created_ms,
        }


def endpoint_from_row(row: Any) -> Endpoint:
    return Endpoint(
        row.id,
        row.user_id,
        row.team,
        row.kind,
        row.url,
        row.description,
        tuple(json.loads(row.events)),
        row.status,
        row.disabled_reason,
        row.created_ms,
    )


def validate_events(patterns: Sequence[str]) -> tuple[str, ...]:
    """Every pattern must match at least one known event type."""
    if not patterns:
        raise UserInputError("events must name at least one event type (for example order.*)", code="bad_events")
    cleaned = []
    for pattern in patterns:
        pattern = pattern.strip()
        if not any(fnmatch.fnmatchcase(known, pattern) for known in EVENT_TYPES):
            raise UserInputError(
                f"unknown event type {pattern[:60]!r}; known: {', '.join(EVENT_TYPES)}", code="unknown_event_type"
            )
        cleaned.append(pattern)
    return tuple(dict.fromkeys(cleaned))


def check_target(url: str, allowed: tuple[str, ...]) -> str:
    """Validate an endpoint URL (SSRF guard, or a channel id); return its kind."""
    kind = channels.kind_of(url)
    if kind in ("slack", "telegram"):
        channels.validate_target(url, kind)
    else:
        ssrf.check_url(url, allowed)
    return kind


def signing_secrets(box: SecretBox, row: Any, now_ms: int) -> list[str]:
    """The current secret, plus the previous one while its rotation overlap lasts."""
    found = [box.open(row.secret)]
    if row.previous_secret is not None and (row.previous_until_ms or 0) > now_ms:
        found.append(box.open(row.previous_secret))
    return found


class EndpointStore:
    def __init__(self, db: Engine, box: SecretBox, settings: WebhookSettings, clock: Clock) -> None:
        self.db, self.box, self.settings, self.clock = db, box, settings, clock

    def create(
        self, principal: Principal, url: str, events: Sequence[str], *, description: str = "", team: bool = False
    ) -> tuple[Endpoint, str]:
        """Subscribe ``url``; return the endpoint and its ``whsec_`` secret (shown once)."""
        kind = check_target(url, self.settings.allowed)
        patterns = validate_events(events)
        if team and not principal.team:
            raise UserInputError("you are not in a team; omit team", code="no_team")
        secret, now = signing.new_secret(), self.clock.now_ms()
        endpoint_id = "ep_" + random.token_hex(12)
        with self.db.begin() as conn:
            conn.execute(
                t.endpoints.insert().values(
                    id=endpoint_id,
                    user_id=principal.user_id,
                    team=principal.team if team else None,
                    kind=kind,
                    url=url,
                    description=description[:500],
                    events=json.dumps(patterns),
                    secret=self.box.seal(secret),
                    status="active",
                    created_ms=now,
                    updated_ms=now,
                )
            )
        return self.get(principal, endpoint_id), secret

    def _visible(self, principal: Principal) -> Any:
        owned = t.endpoints.c.user_id == principal.user_id
        if principal.team:
            return or_(owned, t.endpoints.c.team == principal.team)
        return owned

    def list(self, principal: Principal) -> list[Endpoint]:
        query = select(t.endpoints).where(self._visible(principal)).order_by(t.endpoints.c.created_ms)
        with self.db.connect() as conn:
            return [endpoint_from_row(row) for row in conn.execute(query)]

    def get(self, principal: Principal, endpoint_id: str) -> Endpoint:
        query = select(t.endpoints).where(t.endpoints.c.id == endpoint_id, self._visible(principal))
        with self.db.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"no webhook endpoint {endpoint_id[:40]}")
        return endpoint_from_row(row)

    def update(
        self,
        principal: Principal,
        endpoint_id: str,
        *,
        url: str | None = None,
        events: Sequence[str] | None = None,
        description: str | None = None,
        paused: bool | None = None,
    ) -> Endpoint:
        current = self.get(principal, endpoint_id)
        values: dict[str, Any] = {"updated_ms": self.clock.now_ms()}
        if url is not None:
            values.update(url=url, kind=check_target(url, self.settings.allowed))
        if events is not None:
            values["events"] = json.dumps(validate_events(events))
        if description is not None:
            values["description"] = description[:500]
        if paused is not None:
            values["status"] = "paused" if paused else "active"
            if not paused:  # resuming (or re-enabling a disabled endpoint) starts a fresh failure clock
                values.update(disabled_reason=None, failing_since_ms=None)
        with self.db.begin() as conn:
            conn.execute(update(t.endpoints).where(t.endpoints.c.id == current.id).values(**values))
            if paused is False:
                held = t.deliveries.c.endpoint_id == current.id, t.deliveries.c.status == "paused"
                conn.execute(update(t.deliveries).where(*held).values(status="pending", queued_until_ms=None))
        return self.get(principal, endpoint_id)

    def rotate(self, principal: Principal, endpoint_id: str, *, overlap_s: int | None = None) -> str:
        """Issue a new secret; the old one keeps signing (beside the new) for ``overlap_s``."""
        current = self.get(principal, endpoint_id)
        overlap = self.settings.rotation_overlap_s if overlap_s is None else overlap_s
        secret, now = signing.new_secret(), self.clock.now_ms()
        with self.db.begin() as conn:
            old = conn.execute(select(t.endpoints.c.secret).where(t.endpoints.c.id == current.id)).scalar_one()
            conn.execute(
                update(t.endpoints)
                .where(t.endpoints.c.id == current.id)
                .values(
                    secret=self.box.seal(secret),
                    previous_secret=old,
                    previous_until_ms=now + overlap * 1000,
                    updated_ms=now,
                )
            )
        return secret

    def delete(self, principal: Principal, endpoint_id: str) -> None:
        current = self.get(principal, endpoint_id)
        with self.db.begin() as conn:
            conn.execute(delete(t.endpoints).where(t.endpoints.c.id == current.id))
            open_ = t.deliveries.c.endpoint_id == current.id, t.deliveries.c.status.in_(("pending", "paused"))
            conn.execute(update(t.deliveries).where(*open_).values(status="dead", last_error="endpoint deleted"))

    def deliveries(
        self, principal: Principal, endpoint_id: str, *, status: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Newest deliveries of the endpoint, each with its attempt log."""
        current = self.get(principal, endpoint_id)
        query = (
            select(t.deliveries, t.messages.c.event_type)
            .join(t.messages, t.messages.c.id == t.deliveries.c.message_id)
            .where(t.deliveries.c.endpoint_id == current.id)
        )
        if status is not None:
            query = query.where(t.deliveries.c.status == status)
        query = query.order_by(t.deliveries.c.id.desc()).limit(limit)
        with self.db.connect() as conn:
            rows = conn.execute(query).all()
            ids = [row.id for row in rows]
            logged: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
            attempt_rows = conn.execute(
                select(t.attempts).where(t.attempts.c.delivery_id.in_(ids)).order_by(t.attempts.c.id)
            )
            for attempt in attempt_rows:
                logged[attempt.delivery_id].append(
                    {
                        "number": attempt.number,
                        "started_ms": attempt.started_ms,
                        "latency_ms": attempt.latency_ms,
                        "status_code": attempt.status_code,
                        "error": attempt.error,
                        "response": attempt.response,
                    }
                )
        return [
            {
                "id": row.id,
                "message_id": row.message_id,
                "event_type": row.event_type,
                "status": row.status,
                "attempts": logged[row.id],
                "next_attempt_ms": row.next_attempt_ms if row.status == "pending" else None,
                "last_status": row.last_status,
                "last_error": row.last_error,
                "created_ms": row.created_ms,
            }
            for row in rows
        ]

    def replay(
        self, principal: Principal, endpoint_id: str, *, message_id: str | None = None, since_ms: int | None = None
    ) -> list[int]:
        """Queue one message again, or every dead (failed) delivery since ``since_ms``; return delivery ids."""
        current = self.get(principal, endpoint_id)
        if current.status == "disabled":
            raise UserInputError("the endpoint is disabled; resume it first", code="endpoint_disabled")
        where = [t.deliveries.c.endpoint_id == current.id]
        if message_id is not None:
            where.append(t.deliveries.c.message_id == message_id)
        else:
            where += [t.deliveries.c.status == "dead", t.deliveries.c.created_ms >= (since_ms or 0)]
        now = self.clock.now_ms()
        with self.db.begin() as conn:
            ids = [row.id for row in conn.execute(select(t.deliveries.c.id).where(*where))]
            if message_id is not None and not ids:
                raise NotFound(f"no message {message_id[:40]} for this endpoint")
            conn.execute(
                update(t.deliveries)
                .where(t.deliveries.c.id.in_(ids))
                .values(
                    status="pending",
                    attempts=0,
                    next_attempt_ms=now,
                    lease_until_ms=None,
                    queued_until_ms=None,
                    done_ms=None,
                )
            )
        return ids
