"""Pending confirmations: a large order or ``kill`` waits for the same user's ``confirm ID``, once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.errors import Conflict, NotFound
from hub.models import ConfirmationRow
from hub.principals import Principal
from hub.reply import ConfirmationRequest

_rows = ConfirmationRow.__table__
TTL_MS = 5 * 60 * 1000


@dataclass(frozen=True, slots=True)
class PendingCommand:
    id: str
    command_text: str
    idempotency_key: str
    frontend: str


class Confirmations:
    def __init__(self, db: Engine, clock: Clock, *, ttl_ms: int = TTL_MS) -> None:
        self.db = db
        self.clock = clock
        self.ttl_ms = ttl_ms

    def request(
        self, principal: Principal, command_text: str, *, prompt: str, idempotency_key: str, frontend: str
    ) -> ConfirmationRequest:
        now = self.clock.now_ms()
        confirmation_id = f"cf{secrets.token_hex(4)}"
        with self.db.begin() as conn:
            conn.execute(
                _rows.insert().values(
                    id=confirmation_id,
                    user_id=principal.user_id,
                    frontend=frontend,
                    command_text=command_text,
                    idempotency_key=idempotency_key,
                    status="pending",
                    created_ms=now,
                    expires_ms=now + self.ttl_ms,
                )
            )
        return ConfirmationRequest(confirmation_id, prompt, now + self.ttl_ms)

    def consume(self, principal: Principal, confirmation_id: str, *, status: str = "used") -> PendingCommand:
        """Mark the confirmation used (or ``declined``) and return its command; only its owner, once, in time."""
        now = self.clock.now_ms()
        with self.db.begin() as conn:
            row = conn.execute(select(_rows).where(_rows.c.id == confirmation_id)).first()
            if row is None or row.user_id != principal.user_id:
                raise NotFound(f"no pending confirmation {confirmation_id} for {principal.name}")
            if row.status != "pending":
                raise Conflict(f"confirmation {confirmation_id} was already {row.status}")
            if row.expires_ms <= now:
                raise Conflict(f"confirmation {confirmation_id} expired; send the command again")
            result = conn.execute(
                update(_rows).where(_rows.c.id == confirmation_id, _rows.c.status == "pending").values(status=status)
            )
            if result.rowcount != 1:
                raise Conflict(f"confirmation {confirmation_id} was already used")
        return PendingCommand(row.id, row.command_text, row.idempotency_key, row.frontend)
