"""Copy-trading tables on this package's own ``MetaData`` (migration ``0004_copytrade``).

- ``copytrade_leaders``: who opted in as a leader, since when, and their sealed Discord channel URL;
- ``copytrade_follows``: follower -> leader with the sizing rule and the quote amount allocated so far;
- ``copytrade_mirrors``: one row per (leader fill, follower): mirrored with the follower's order id, or
  skipped with the reason the follower sees. Unique per pair, so a redelivered fill never trades twice;
- ``copytrade_sources``: leader fills whose fan-out finished (the recovery sweep skips them).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    delete,
    select,
)

from engine.storage.db import Money
from engine.storage.repository import fills_t, orders_t

SOURCE = "copytrade"  # the ``source`` of every mirror order: its fills are never copied again
metadata = MetaData()

leaders_t = Table(
    "copytrade_leaders",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("discord_sealed", Text, nullable=True),
    Column("since_ms", BigInteger, nullable=False),
    Column("start_equity", Money, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

follows_t = Table(
    "copytrade_follows",
    metadata,
    Column("follower_id", Integer, primary_key=True),
    Column("leader_id", Integer, primary_key=True),
    Column("ratio", Money, nullable=True),
    Column("fixed", Money, nullable=True),
    Column("max_allocation", Money, nullable=True),
    Column("allocated", Money, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_copytrade_follows_leader_id", "leader_id"),
)

mirrors_t = Table(
    "copytrade_mirrors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("leader_fill_id", String(32), nullable=False),
    Column("leader_id", Integer, nullable=False),
    Column("follower_id", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("order_id", String(32), nullable=True),
    Column("symbol", String(32), nullable=False),
    Column("side", String(4), nullable=False),
    Column("quantity", Money, nullable=True),
    Column("reason", Text, nullable=True),
    Column("ts_ms", BigInteger, nullable=False),
    UniqueConstraint("leader_fill_id", "follower_id", name="uq_copytrade_mirrors_fill_follower"),
    Index("ix_copytrade_mirrors_follower_id", "follower_id"),
)

sources_t = Table(
    "copytrade_sources",
    metadata,
    Column("fill_id", String(32), primary_key=True),
    Column("leader_id", Integer, nullable=False),
    Column("mirrored", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("posted", String(16), nullable=True),
    Column("ts_ms", BigInteger, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Leader:
    user_id: int
    active: bool
    discord_sealed: str | None
    since_ms: int
    start_equity: Decimal


@dataclass(frozen=True, slots=True)
class Follow:
    """How ``follower_id`` copies ``leader_id``: a ``ratio`` of the leader's quantity or a ``fixed`` quote
    amount per trade (ratio 1 when neither), buys capped so ``allocated`` stays within ``max_allocation``."""

    follower_id: int
    leader_id: int
    ratio: Decimal | None
    fixed: Decimal | None
    max_allocation: Decimal | None
    allocated: Decimal
    created_ms: int


def _leader(row: Any) -> Leader:
    return Leader(row.user_id, bool(row.active), row.discord_sealed, row.since_ms, row.start_equity)


def _follow(row: Any) -> Follow:
    return Follow(row.follower_id, row.leader_id, row.ratio, row.fixed, row.max_allocation, row.allocated,
                  row.created_ms)  # fmt: skip


def leader(conn: Connection, user_id: int) -> Leader | None:
    row = conn.execute(select(leaders_t).where(leaders_t.c.user_id == user_id)).first()
    return None if row is None else _leader(row)


def active_leaders(conn: Connection) -> list[Leader]:
    rows = conn.execute(select(leaders_t).where(leaders_t.c.active.is_(True)).order_by(leaders_t.c.user_id))
    return [_leader(row) for row in rows]


def save_leader(
    conn: Connection, user_id: int, *, active: bool, discord_sealed: str | None, equity: Decimal, now_ms: int
) -> None:
    """Opt in or out. Opting in again while active keeps ``since_ms`` and ``start_equity`` (the baseline of
    the leader's return when no daily snapshot covers the window)."""
    current = leader(conn, user_id)
    if current is None:
        conn.execute(leaders_t.insert().values(user_id=user_id, active=active, discord_sealed=discord_sealed,
                                               since_ms=now_ms, start_equity=equity, updated_ms=now_ms))  # fmt: skip
        return
    keep = current.active and active
    conn.execute(
        leaders_t.update()
        .where(leaders_t.c.user_id == user_id)
        .values(active=active, discord_sealed=discord_sealed, since_ms=current.since_ms if keep else now_ms,
                start_equity=current.start_equity if keep else equity, updated_ms=now_ms)
    )


def follow(conn: Connection, follower_id: int, leader_id: int) -> Follow | None:
    row = conn.execute(
        select(follows_t).where(follows_t.c.follower_id == follower_id, follows_t.c.leader_id == leader_id)
    ).first()
    return None if row is None else _follow(row)


def save_follow(conn: Connection, rule: Follow) -> None:
    """Insert or replace the follow rule, keeping the allocation already used."""
    conn.execute(delete(follows_t).where(follows_t.c.follower_id == rule.follower_id,
                                         follows_t.c.leader_id == rule.leader_id))  # fmt: skip
    conn.execute(follows_t.insert().values(
        follower_id=rule.follower_id, leader_id=rule.leader_id, ratio=rule.ratio, fixed=rule.fixed,
        max_allocation=rule.max_allocation, allocated=rule.allocated, created_ms=rule.created_ms,
    ))  # fmt: skip


def remove_follow(conn: Connection, follower_id: int, leader_id: int) -> bool:
    result = conn.execute(
        delete(follows_t).where(follows_t.c.follower_id == follower_id, follows_t.c.leader_id == leader_id)
    )
    return result.rowcount == 1


def followers(conn: Connection, leader_id: int, *, since_ms: int) -> list[Follow]:
    """Follows of ``leader_id`` that existed at ``since_ms`` (a fill before a follow is not copied)."""
    rows = conn.execute(
        select(follows_t)
        .where(follows_t.c.leader_id == leader_id, follows_t.c.created_ms <= since_ms)
        .order_by(follows_t.c.follower_id)
    )
    return [_follow(row) for row in rows]


def follows_of(conn: Connection, follower_id: int) -> list[Follow]:
    rows = conn.execute(select(follows_t).where(follows_t.c.follower_id == follower_id).order_by(follows_t.c.leader_id))
    return [_follow(row) for row in rows]


def follower_counts(conn: Connection) -> dict[int, int]:
    rows = conn.execute(select(follows_t.c.leader_id, follows_t.c.follower_id))
    counts: dict[int, int] = {}
    for leader_id, _ in rows:
        counts[leader_id] = counts.get(leader_id, 0) + 1
    return counts


_SET_ALLOCATED = (
    follows_t.update()
    .where(follows_t.c.follower_id == bindparam("f_id"), follows_t.c.leader_id == bindparam("l_id"))
    .values(allocated=bindparam("amount"))
)


def set_allocated(conn: Connection, leader_id: int, allocations: dict[int, Decimal]) -> None:
    """Store the quote allocated to ``leader_id`` by each follower (``follower id -> amount``) in one statement."""
    if allocations:
        conn.execute(_SET_ALLOCATED, [{"f_id": follower, "l_id": leader_id, "amount": amount}
                                      for follower, amount in allocations.items()])  # fmt: skip


def done_followers(conn: Connection, fill_id: str) -> set[int]:
    rows = conn.execute(select(mirrors_t.c.follower_id).where(mirrors_t.c.leader_fill_id == fill_id))
    return {row[0] for row in rows}


def add_mirrors(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(mirrors_t.insert(), rows)


def mirrors_of(conn: Connection, follower_id: int, *, limit: int = 10) -> list[Any]:
    return list(conn.execute(
        select(mirrors_t).where(mirrors_t.c.follower_id == follower_id).order_by(mirrors_t.c.id.desc()).limit(limit)
    ))  # fmt: skip


def mirrors_of_fill(conn: Connection, fill_id: str) -> list[Any]:
    return list(conn.execute(
        select(mirrors_t).where(mirrors_t.c.leader_fill_id == fill_id).order_by(mirrors_t.c.follower_id)
    ))  # fmt: skip


def mark_done(conn: Connection, fill_id: str, leader_id: int, *, mirrored: int, skipped: int, now_ms: int) -> None:
    conn.execute(sources_t.insert().values(fill_id=fill_id, leader_id=leader_id, mirrored=mirrored,
                                           skipped=skipped, posted=None, ts_ms=now_ms))  # fmt: skip


def mark_posted(conn: Connection, fill_id: str, outcome: str) -> None:
    conn.execute(sources_t.update().where(sources_t.c.fill_id == fill_id).values(posted=outcome[:16]))


def source(conn: Connection, fill_id: str) -> Any:
    return conn.execute(select(sources_t).where(sources_t.c.fill_id == fill_id)).first()


def pending_fills(conn: Connection, *, since_ms: int, order_id: str | None = None, limit: int = 500) -> list[Any]:
    """Leader fills at or after ``since_ms`` (and after the leader opted in) whose fan-out has not finished,
    oldest first. Fills of mirror orders (``source``) are never copied again."""
    finished = select(sources_t.c.fill_id).where(sources_t.c.fill_id == fills_t.c.id).exists()
    query = (
        select(fills_t.c.id, fills_t.c.order_id, fills_t.c.user_id, fills_t.c.venue, fills_t.c.symbol,
               fills_t.c.side, fills_t.c.quantity, fills_t.c.price, fills_t.c.ts_ms)
        .join(orders_t, orders_t.c.id == fills_t.c.order_id)
        .join(leaders_t, leaders_t.c.user_id == fills_t.c.user_id)
        .where(leaders_t.c.active.is_(True), fills_t.c.ts_ms >= leaders_t.c.since_ms, fills_t.c.ts_ms >= since_ms,
               orders_t.c.source != SOURCE, ~finished)
        .order_by(fills_t.c.ts_ms, fills_t.c.id)
        .limit(limit)
    )
    if order_id is not None:
        query = query.where(fills_t.c.order_id == order_id)
    return list(conn.execute(query))
