"""The ``algo_parents`` and ``algo_children`` tables and the functions that read and write them.

A parent row is the whole algorithm: what to trade, its plan (slices and due times, or the iceberg's
visible size, or the bracket's exit prices), its progress (``next_index``: children placed so far)
and its status. A child row links slice ``index`` of a parent to the OMS order placed for it. Writes
of a parent check its ``version``, so two schedulers (two replicas, or a step racing a cancel) never
overwrite each other's progress.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    update,
)

from engine.domain import Side, UserId
from engine.errors import Conflict
from engine.storage.db import Money

metadata = MetaData()

parents_t = Table(
    "algo_parents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("venue", String(32), nullable=False),
    Column("symbol", String(32), nullable=False),
    Column("side", String(4), nullable=False),
    Column("quantity", Money, nullable=False),
    Column("price", Money, nullable=True),
    Column("plan", JSON, nullable=False),
    Column("next_index", Integer, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("idempotency_key", String(200), nullable=False),
    Column("source", String(32), nullable=False),
    Column("reason", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    UniqueConstraint("user_id", "idempotency_key", name="uq_algo_parents_user_key"),
)

children_t = Table(
    "algo_children",
    metadata,
    Column("parent_id", String(32), nullable=False),
    Column("slice_index", Integer, nullable=False),
    Column("role", String(16), nullable=False),
    Column("order_id", String(32), nullable=False, index=True),
    PrimaryKeyConstraint("parent_id", "slice_index", name="pk_algo_children"),
)


class ParentStatus(StrEnum):
    WORKING = "working"
    DONE = "done"
    CANCELED = "canceled"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self is not ParentStatus.WORKING


@dataclass(frozen=True, slots=True)
class Parent:
    id: str
    user_id: UserId
    kind: str  # twap | vwap | iceberg | bracket
    venue: str
    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal | None
    plan: dict[str, Any]
    next_index: int
    status: ParentStatus
    idempotency_key: str
    source: str
    created_ms: int
    updated_ms: int
    reason: str | None = None
    version: int = 1

    def child_key(self, index: int) -> str:
        """The child's idempotency key: the same for every attempt at slice ``index``."""
        return f"{self.idempotency_key}#{index}"


@dataclass(frozen=True, slots=True)
class Child:
    parent_id: str
    index: int
    role: str  # slice | entry | take_profit | stop_loss
    order_id: str


def insert_parent(conn: Connection, parent: Parent) -> None:
    conn.execute(insert(parents_t).values(_values(parent)))


def save_parent(conn: Connection, parent: Parent) -> Parent:
    """Write ``parent`` if nobody changed it since it was read; return it with its new version."""
    saved = replace(parent, version=parent.version + 1)
    result = conn.execute(
        update(parents_t)
        .where(parents_t.c.id == parent.id, parents_t.c.version == parent.version)
        .values(_values(saved))
    )
    if result.rowcount != 1:
        raise Conflict(f"algo order {parent.id} changed meanwhile")
    return saved


def parent(conn: Connection, parent_id: str) -> Parent | None:
    row = conn.execute(select(parents_t).where(parents_t.c.id == parent_id)).first()
    return None if row is None else _parent(row)


def parent_by_key(conn: Connection, user_id: int, idempotency_key: str) -> Parent | None:
    row = conn.execute(
        select(parents_t).where(parents_t.c.user_id == user_id, parents_t.c.idempotency_key == idempotency_key)
    ).first()
    return None if row is None else _parent(row)


def working_parents(conn: Connection, user_id: int | None = None) -> list[Parent]:
    query = select(parents_t).where(parents_t.c.status == ParentStatus.WORKING.value)
    if user_id is not None:
        query = query.where(parents_t.c.user_id == user_id)
    return [_parent(row) for row in conn.execute(query.order_by(parents_t.c.created_ms, parents_t.c.id))]


def recent_parents(conn: Connection, user_id: int, *, limit: int = 20) -> list[Parent]:
    query = select(parents_t).where(parents_t.c.user_id == user_id)
    rows = conn.execute(query.order_by(parents_t.c.created_ms.desc(), parents_t.c.id.desc()).limit(limit))
    return [_parent(row) for row in rows]


def add_child(conn: Connection, child: Child) -> None:
    conn.execute(insert(children_t).values(
        parent_id=child.parent_id, slice_index=child.index, role=child.role, order_id=child.order_id
    ))  # fmt: skip


def has_child(conn: Connection, parent_id: str, index: int) -> bool:
    query = select(children_t.c.order_id).where(children_t.c.parent_id == parent_id, children_t.c.slice_index == index)
    return conn.execute(query).first() is not None


def children(conn: Connection, parent_id: str) -> list[Child]:
    query = select(children_t).where(children_t.c.parent_id == parent_id).order_by(children_t.c.slice_index)
    return [Child(r.parent_id, r.slice_index, r.role, r.order_id) for r in conn.execute(query)]


def child_order_ids(conn: Connection, user_id: int) -> set[str]:
    """Ids of every order placed by one of the user's parents (to show them under their parent)."""
    query = select(children_t.c.order_id).join(parents_t, parents_t.c.id == children_t.c.parent_id)
    return set(conn.execute(query.where(parents_t.c.user_id == user_id)).scalars())


def _values(parent: Parent) -> dict[str, Any]:
    return {
        "id": parent.id, "user_id": parent.user_id, "kind": parent.kind, "venue": parent.venue,
        "symbol": parent.symbol, "side": parent.side.value, "quantity": parent.quantity, "price": parent.price,
        "plan": parent.plan, "next_index": parent.next_index, "status": parent.status.value,
        "idempotency_key": parent.idempotency_key, "source": parent.source, "reason": parent.reason,
        "version": parent.version, "created_ms": parent.created_ms, "updated_ms": parent.updated_ms,
    }  # fmt: skip


def _parent(row: Any) -> Parent:
    return Parent(
        row.id, UserId(row.user_id), row.kind, row.venue, row.symbol, Side(row.side), row.quantity, row.price,
        dict(row.plan), row.next_index, ParentStatus(row.status), row.idempotency_key, row.source,
        row.created_ms, row.updated_ms, row.reason, row.version,
    )  # fmt: skip
