"""Algo fixtures: the scheduler on the test container, intents for alice, clock helpers."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.clock import FakeClock
from engine.domain import Side, UserId
from engine.orders.algos.service import AlgoScheduler
from engine.orders.intent import OrderIntent
from engine.storage.models import OrderRow
from hub.app.container import Container
from tests.kit.hubdriver import HubDriver

_keys = itertools.count(1)


@pytest.fixture
def scheduler(container: Container) -> AlgoScheduler:
    services = container.services
    return AlgoScheduler(services.db, services.oms, services.clock)


@pytest.fixture
def intent(hub: HubDriver) -> Callable[..., OrderIntent]:
    def make(
        quantity: str, symbol: str = "ETH/USDT", *, side: Side = Side.BUY, price: str | None = None
    ) -> OrderIntent:
        return OrderIntent(
            UserId(hub.user.user_id), symbol, side, f"test:key-{next(_keys)}", quantity=Decimal(quantity),
            price=None if price is None else Decimal(price), source="test",
        )  # fmt: skip

    return make


def order_count(container: Container) -> int:
    with container.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(OrderRow)).scalar_one()


def advance_until(
    container: Container, condition: Callable[[], bool], *, step_ms: int = 5_000, limit_ms: int = 6 * 3_600_000
) -> None:
    """Move the fake clock in steps until ``condition`` holds (the replayed price moves with it)."""
    clock = container.clock
    assert isinstance(clock, FakeClock)
    waited = 0
    while not condition():
        clock.advance(step_ms)
        waited += step_ms
        if waited > limit_ms:
            raise AssertionError("the replayed price never got there")
