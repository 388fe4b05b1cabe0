"""The ``strategy_instances`` table and the functions that read and write it.

One row per live strategy instance: its owner, kind, symbols and parameters, the strategy's own
``to_state()``, its status, the last bar it completed and the fill cursor. The fill cursor maps every
intent whose order is still being followed to the ids of the fills already delivered for it, so a
fill is delivered exactly once whatever order the venue records them in (fill ids are not
insertion-ordered across processes, so a single "last id" would be unsafe). Writes check a
``version`` column: a concurrent writer (a ``stop`` during a runner step) never gets overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Connection, Integer, MetaData, String, Table, Text, select, update

from engine.errors import Conflict, NotFound
from engine.storage.db import Money

metadata = MetaData()

instances_t = Table(
    "strategy_instances",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("symbols", JSON, nullable=False),
    Column("params", JSON, nullable=False),
    Column("state", JSON, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("last_bar_ms", BigInteger, nullable=True),
    Column("fill_cursor", JSON, nullable=False),
    Column("initial_equity", Money, nullable=False),
    Column("reason", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)


class Status(StrEnum):
    """Stored status; while the kill switch is on every running instance is shown as paused."""

    RUNNING = "running"
    STOPPED = "stopped"


FillCursor = dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class Instance:
    """A stored strategy instance (see the module docstring for the fields)."""

    id: str
    user_id: int
    kind: str
    symbols: tuple[str, ...]
    params: Mapping[str, str]
    state: Mapping[str, str]
    status: Status
    last_bar_ms: int | None
    fill_cursor: Mapping[str, tuple[str, ...]]
    initial_equity: Decimal
    version: int
    created_ms: int
    updated_ms: int
    reason: str | None = None


def _from_row(row: Any) -> Instance:
    return Instance(
        id=row.id,
        user_id=row.user_id,
        kind=row.kind,
        symbols=tuple(row.symbols),
        params=dict(row.params),
        state=dict(row.state),
        status=Status(row.status),
        last_bar_ms=row.last_bar_ms,
        fill_cursor={key: tuple(ids) for key, ids in row.fill_cursor.items()},
        initial_equity=row.initial_equity,
        version=row.version,
        created_ms=row.created_ms,
        updated_ms=row.updated_ms,
        reason=row.reason,
    )


def insert(conn: Connection, instance: Instance) -> None:
    conn.execute(
        instances_t.insert(),
        {
            "id": instance.id,
            "user_id": instance.user_id,
            "kind": instance.kind,
            "symbols": list(instance.symbols),
            "params": dict(instance.params),
            "state": dict(instance.state),
            "status": instance.status.value,
            "last_bar_ms": instance.last_bar_ms,
            "fill_cursor": {key: list(ids) for key, ids in instance.fill_cursor.items()},
            "initial_equity": instance.initial_equity,
            "reason": instance.reason,
            "version": instance.version,
            "created_ms": instance.created_ms,
            "updated_ms": instance.updated_ms,
        },
    )


def get(conn: Connection, instance_id: str) -> Instance | None:
    row = conn.execute(select(instances_t).where(instances_t.c.id == instance_id)).first()
    return None if row is None else _from_row(row)


def owned(conn: Connection, user_id: int, instance_id: str) -> Instance:
    """The instance ``instance_id`` of ``user_id``; ``NotFound`` for another user's id too."""
    instance = get(conn, instance_id)
    if instance is None or instance.user_id != user_id:
        raise NotFound(f"no strategy {instance_id}; `strategies` lists yours")
    return instance


def running(conn: Connection) -> list[Instance]:
    statement = select(instances_t).where(instances_t.c.status == Status.RUNNING.value).order_by(instances_t.c.id)
    return [_from_row(row) for row in conn.execute(statement)]


def of_user(conn: Connection, user_id: int) -> list[Instance]:
    statement = (
        select(instances_t).where(instances_t.c.user_id == user_id).order_by(instances_t.c.created_ms, instances_t.c.id)
    )
    return [_from_row(row) for row in conn.execute(statement)]


def save(
    conn: Connection,
    instance: Instance,
    *,
    state: Mapping[str, str],
    last_bar_ms: int | None,
    fill_cursor: Mapping[str, list[str]],
    now_ms: int,
    status: Status | None = None,
    reason: str | None = None,
) -> int:
    """Write the state, bar id and fill cursor together; return the new version.

    Raises ``Conflict`` when the row changed since ``instance`` was read (another writer won).
    """
    values: dict[str, object] = {
        "state": dict(state),
        "last_bar_ms": last_bar_ms,
        "fill_cursor": {key: list(ids) for key, ids in fill_cursor.items()},
        "version": instance.version + 1,
        "updated_ms": now_ms,
    }
    if status is not None:
        values["status"] = status.value
    if reason is not None:
        values["reason"] = reason
    result = conn.execute(
        update(instances_t)
        .where(instances_t.c.id == instance.id, instances_t.c.version == instance.version)
        .values(**values)
    )
    if result.rowcount != 1:
        raise Conflict(f"strategy {instance.id} changed while it was being updated")
    return instance.version + 1
