"""Shared helpers: read the engine's orders and the stored instances the way a user would see them."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.domain import Order
from engine.storage import repository as repo
from hub.app.container import Container
from strategies.live import storage
from strategies.live.storage import Instance

HOUR_MS = 3_600_000


def strategy_orders(container: Container) -> list[Order]:
    """Every order placed by a strategy, oldest first."""
    with container.db.connect() as conn:
        orders = repo.list_orders(conn, user_id=None, limit=100_000)
    return sorted((o for o in orders if o.source == "strategy"), key=lambda o: (o.created_ms, o.idempotency_key))


def orders_per_key(container: Container) -> dict[str, int]:
    orders_t = repo.orders_t
    with container.db.connect() as conn:
        rows = conn.execute(select(orders_t.c.idempotency_key, func.count()).group_by(orders_t.c.idempotency_key)).all()
    return {key: count for key, count in rows}


def instances(container: Container, user_id: int) -> list[Instance]:
    with container.db.connect() as conn:
        return storage.of_user(conn, user_id)


def outbox_types(container: Container) -> list[str]:
    with container.db.connect() as conn:
        return [row.type for row in conn.execute(select(repo.outbox_t.c.type).order_by(repo.outbox_t.c.id))]
