"""Storage against both SQLite and the real PostgreSQL: migrations, exact money, atomic writes."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from engine.clock import FakeClock
from engine.domain import OrderStatus, Side
from engine.errors import InsufficientBalance
from engine.orders.intent import OrderIntent
from engine.storage import repository as repo
from engine.storage.db import make_engine
from hub.app import migrate
from hub.app.container import Container, build
from tests.conftest import START_MS, make_settings
from tests.kit.services import POSTGRES_URL, fresh_postgres_database, require


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with fresh_postgres_database(require(POSTGRES_URL, "PostgreSQL")) as url:
        yield url


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> Iterator[Container]:
    built = build(make_settings(tmp_path, database_url=database_url), clock=FakeClock(START_MS))
    yield built
    built.close()


def test_migrations_create_every_table_and_are_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    assert migrate.upgrade(engine) == migrate.head_revision()
    assert migrate.upgrade(engine) == migrate.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"orders", "fills", "positions", "balances", "outbox", "users", "api_keys", "audit_log"} <= tables
    engine.dispose()


def test_money_round_trips_exactly(store: Container) -> None:
    values = [D("0.000000000000000001"), D("123456789012.123456789012345678"), D("-0.1"), D("46240.04")]
    with store.db.begin() as conn:
        for index, value in enumerate(values):
            repo.set_balance(conn, 99, "paper", f"A{index}", value, D(0))
    with store.db.connect() as conn:
        stored = repo.balances(conn, 99, "paper")
    assert [stored[f"A{i}"][0] for i in range(len(values))] == values


async def test_full_order_flow(store: Container) -> None:
    alice = store.add_user("alice")
    oms = store.services.oms
    bought = await oms.place(OrderIntent(alice.user_id, "BTC/USDT", Side.BUY, "k1", quantity=D("0.01")))
    sold = await oms.place(OrderIntent(alice.user_id, "BTC/USDT", Side.SELL, "k2", quantity=D("0.004")))
    assert bought.order.status is sold.order.status is OrderStatus.FILLED
    with store.db.connect() as conn:
        position = repo.position(conn, alice.user_id, "paper", "BTC/USDT")
        balances = repo.balances(conn, alice.user_id, "paper")
    assert position.quantity == D("0.006")
    assert position.average_cost == D("46286.28004")
    # sell 0.004 at 46193.82 (5 bps below 46216.93), fee 0.18477528; realized = 184.77528 - 0.18477528 - 185.14512016
    assert position.realized_pnl == D("-0.55461544")
    assert balances["USDT"] == (D("10000") - D("462.8628004") + D("184.59050472"), D(0))


async def test_a_refused_order_leaves_no_row(store: Container) -> None:
    alice = store.add_user("alice")
    with pytest.raises(InsufficientBalance):
        await store.services.oms.place(OrderIntent(alice.user_id, "BTC/USDT", Side.BUY, "k", quantity=D("5")))
    with store.db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(repo.orders_t)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(repo.outbox_t)).scalar_one() == 0
