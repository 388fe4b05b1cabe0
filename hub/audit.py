"""The append-only audit log and the stored replies that make commands idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hub.models import AuditRow, CommandResultRow

_audit = AuditRow.__table__
_results = CommandResultRow.__table__
_INSERT_AUDIT = _audit.insert()
_RESULT = select(_results.c.reply).where(
    _results.c.user_id == bindparam("user_id"),
    _results.c.frontend == bindparam("frontend"),
    _results.c.idempotency_key == bindparam("key"),
)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    ts_ms: int
    user_id: int | None
    principal: str
    frontend: str
    raw_text: str
    command: dict[str, Any] | None
    ok: bool
    result_code: str | None
    result_text: str
    latency_us: int
    idempotency_key: str | None
    replayed: bool = False


def record(conn: Connection, entry: AuditEntry) -> None:
    conn.execute(
        _INSERT_AUDIT,
        {
            "ts_ms": entry.ts_ms,
            "user_id": entry.user_id,
            "principal": entry.principal,
            "frontend": entry.frontend,
            "raw_text": entry.raw_text[:2000],
            "command": entry.command,
            "ok": entry.ok,
            "result_code": entry.result_code,
            "result_text": entry.result_text[:2000],
            "latency_us": entry.latency_us,
            "idempotency_key": entry.idempotency_key,
            "replayed": entry.replayed,
        },
    )


def stored_reply(conn: Connection, user_id: int, frontend: str, key: str) -> dict[str, Any] | None:
    return conn.execute(_RESULT, {"user_id": user_id, "frontend": frontend, "key": key}).scalar()


def store_reply(conn: Connection, user_id: int, frontend: str, key: str, reply: dict[str, Any], now_ms: int) -> None:
    """Remember the reply; if a concurrent duplicate stored one first, keep that one."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        insert(_results)
        .values(user_id=user_id, frontend=frontend, idempotency_key=key, reply=reply, created_ms=now_ms)
        .on_conflict_do_nothing()
    )


def entries(conn: Connection, *, user_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
    statement = select(_audit).order_by(_audit.c.id.desc()).limit(limit)
    if user_id is not None:
        statement = statement.where(_audit.c.user_id == user_id)
    return [dict(row._mapping) for row in conn.execute(statement)]
