"""The append-only audit log and the stored replies that make commands idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from engine.storage import fast
from hub.models import AuditRow, CommandResultRow

_audit = AuditRow.__table__
_results = CommandResultRow.__table__
_AUDIT_COLUMNS = ["ts_ms", "user_id", "principal", "frontend", "raw_text", "command", "ok", "result_code",
                  "result_text", "latency_us", "idempotency_key", "replayed"]  # fmt: skip
_INSERT_AUDIT = fast.Prepared(_audit.insert(), _AUDIT_COLUMNS)
_RESULT = fast.Prepared(
    select(_results.c.reply).where(
        _results.c.user_id == bindparam("user_id"),
        _results.c.frontend == bindparam("frontend"),
        _results.c.idempotency_key == bindparam("key"),
    )
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
    fast.execute(
        conn,
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
    row = fast.fetch_first(conn, _RESULT, {"user_id": user_id, "frontend": frontend, "key": key})
    return None if row is None else row[0]


_REPLY_COLUMNS = ["user_id", "frontend", "idempotency_key", "reply", "created_ms"]
_STORE_REPLY = {  # built once: constructing the statement per call cost as much as running it
    "postgresql": fast.Prepared(pg_insert(_results).on_conflict_do_nothing(), _REPLY_COLUMNS),
    "sqlite": fast.Prepared(sqlite_insert(_results).on_conflict_do_nothing(), _REPLY_COLUMNS),
}


def store_reply(conn: Connection, user_id: int, frontend: str, key: str, reply: dict[str, Any], now_ms: int) -> None:
    """Remember the reply; if a concurrent duplicate stored one first, keep that one."""
    fast.execute(
        conn,
        _STORE_REPLY["postgresql" if conn.dialect.name == "postgresql" else "sqlite"],
        {"user_id": user_id, "frontend": frontend, "idempotency_key": key, "reply": reply, "created_ms": now_ms},
    )


def entries(conn: Connection, *, user_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
    statement = select(_audit).order_by(_audit.c.id.desc()).limit(limit)
    if user_id is not None:
        statement = statement.where(_audit.c.user_id == user_id)
    return [dict(row._mapping) for row in conn.execute(statement)]
