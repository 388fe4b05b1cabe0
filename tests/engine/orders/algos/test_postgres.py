"""Two replicas on one PostgreSQL database step the same schedules: each slice is placed once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.clock import FakeClock
from engine.domain import Side, UserId
from engine.orders.algos.service import AlgoScheduler, AlgoSpec
from engine.orders.algos.storage import ParentStatus
from engine.orders.intent import OrderIntent
from engine.storage.models import OrderRow
from hub.app.container import Container, build
from tests.conftest import START_MS, make_settings
from tests.kit.services import POSTGRES_URL, fresh_postgres_database, require

MINUTE = 60_000


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[list[Container]]:
    with fresh_postgres_database(require(POSTGRES_URL, "PostgreSQL")) as url:
        clock = FakeClock(START_MS)
        built = []
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            built.append(build(make_settings(tmp_path / name, database_url=url), clock=clock))
        try:
            yield built
        finally:
            for container in built:
                container.close()


async def test_two_replicas_place_each_slice_once(replicas: list[Container]) -> None:
    first, second = replicas
    alice = first.add_user("alice")
    schedulers = [AlgoScheduler(c.db, c.services.oms, c.clock) for c in replicas]
    intent = OrderIntent(UserId(alice.user_id), "ETH/USDT", Side.BUY, "pg:twap-1", quantity=Decimal("0.7"),
                         source="test")  # fmt: skip
    view, _ = await schedulers[0].start(intent, AlgoSpec("twap", duration_s=600))
    for _ in range(10):
        first.clock.advance(MINUTE)  # type: ignore[attr-defined]
        await asyncio.gather(*(s.step() for s in schedulers))
    done = schedulers[1].get(alice.user_id, view.parent.id)
    assert done.parent.status is ParentStatus.DONE
    with second.db.connect() as conn:
        keys = list(conn.execute(select(OrderRow.idempotency_key).where(OrderRow.user_id == alice.user_id)).scalars())
    assert sorted(keys) == sorted(view.parent.child_key(i) for i in range(10))
    assert sum(o.quantity for o in done.orders) == Decimal("0.7") and done.filled_quantity == Decimal("0.7")
