"""Small readers over the store for the copy-trading tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.storage import repository as repo
from hub.app.container import Container
from strategies.copytrade.storage import mirrors_t


def orders_of(container: Container, user_id: int) -> list[Any]:
    with container.db.connect() as conn:
        return repo.list_orders(conn, user_id=user_id, limit=1000)


def mirrors(container: Container, **where: object) -> list[Any]:
    query = select(mirrors_t).order_by(mirrors_t.c.id)
    for column, value in where.items():
        query = query.where(mirrors_t.c[column] == value)
    with container.db.connect() as conn:
        return list(conn.execute(query))


def outbox(container: Container, event_type: str, user_id: int | None = None) -> list[dict[str, Any]]:
    query = select(repo.outbox_t.c.payload).where(repo.outbox_t.c.type == event_type).order_by(repo.outbox_t.c.id)
    if user_id is not None:
        query = query.where(repo.outbox_t.c.user_id == user_id)
    with container.db.connect() as conn:
        return [row[0] for row in conn.execute(query)]


def count_orders(container: Container) -> int:
    with container.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(repo.orders_t)).scalar_one()
