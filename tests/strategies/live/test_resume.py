"""Restart-resume: a runner that dies in the middle of a step (after placing some of a bar's orders,
or just before persisting) is replaced by a new process over the same database, and the result is
exactly what an uninterrupted run does: one order per intent, nothing repeated, nothing skipped."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.clock import FakeClock
from engine.orders.intent import OrderIntent, PlaceResult
from engine.orders.oms import OrderManager
from hub.app.container import build
from strategies.live import InstanceStore, LiveRunner
from strategies.live import build as build_strategies
from tests.conftest import START_MS, make_settings
from tests.kit.services import POSTGRES_URL, fresh_postgres_database, require
from tests.strategies.live.helpers import HOUR_MS, instances, orders_per_key, strategy_orders


class SimulatedCrash(BaseException):
    """The process dies here (a BaseException, so nothing in the runner can swallow it)."""


class CrashingOms:
    """The real OMS, except that the process dies right after the ``after``-th order was placed."""

    def __init__(self, oms: OrderManager, *, after: int) -> None:
        self._oms = oms
        self._left = after

    def __getattr__(self, name: str) -> Any:
        return getattr(self._oms, name)

    async def place(self, intent: OrderIntent) -> PlaceResult:
        result = await self._oms.place(intent)
        self._left -= 1
        if self._left == 0:
            raise SimulatedCrash
        return result


class CrashingStore(InstanceStore):
    """The real store, except that the process dies when the runner persists its step."""

    def save(self, *args: Any, **kwargs: Any) -> int:
        raise SimulatedCrash


class World:
    """One tradehub installation (its own database and fake clock) with a funded user."""

    def __init__(self, home: Path, template_db: Path, database_url: str | None = None) -> None:
        home.mkdir()
        shutil.copy(template_db, home / "tradehub.db")
        self.settings = make_settings(home) if database_url is None else make_settings(home, database_url=database_url)
        self.clock = FakeClock(START_MS)
        self.container = build(self.settings, clock=self.clock)
        self.user = self.container.add_user("alice")
        self.runner = build_strategies(self.container).runner

    def restart(self) -> None:
        """A new process: new container (empty paper venue memory), new runner, same database."""
        self.container.close()
        self.container = build(self.settings, clock=self.clock)
        self.runner = build_strategies(self.container).runner

    def crashing_runner(self, point: str) -> LiveRunner:
        container = self.container
        oms: Any = container.services.oms
        store = InstanceStore(container.db, container.bus)
        if point.startswith("place"):
            oms = CrashingOms(oms, after=int(point.removeprefix("place")))
        else:
            store = CrashingStore(container.db, container.bus)
        return LiveRunner(container.db, oms, container.feed, self.clock, store)

    async def run(self, command: str, hours: int, *, crash_hour: int | None = None, point: str = "") -> None:
        reply = await self.container.hub.handle(self.user, command, frontend="test", idempotency_key="start")
        assert reply.ok, reply.text
        for hour in range(1, hours + 1):
            self.clock.advance(HOUR_MS)
            if hour == crash_hour:
                with pytest.raises(SimulatedCrash):
                    await self.crashing_runner(point).step()
                self.restart()
            await self.runner.step()

    def outcome(self) -> dict[str, Any]:
        """Orders and the strategy's state, with the random instance id taken out."""
        (instance,) = instances(self.container, self.user.user_id)

        def plain(text: str) -> str:
            return text.replace(instance.id, "ID")

        orders = [(plain(o.idempotency_key), o.status.value, o.quantity, o.price, o.filled_quantity,
                   o.average_fill_price) for o in strategy_orders(self.container)]  # fmt: skip
        state = {key: plain(value) for key, value in instance.state.items()}
        return {"orders": sorted(orders), "state": state, "cursor": sorted(plain(key) for key in instance.fill_cursor)}


@pytest.fixture
def worlds(tmp_path: Path, template_db: Path) -> Iterator[tuple[World, World]]:
    reference, crashed = World(tmp_path / "reference", template_db), World(tmp_path / "crashed", template_db)
    yield reference, crashed
    reference.container.close()
    crashed.container.close()


SCENARIOS = [
    ("dca $100 BTC/USDT every 1h safety_orders=2 safety_step=0.2 take_profit=0.5", 12, 3, "place1"),
    ("dca $100 BTC/USDT every 1h safety_orders=2 safety_step=0.2 take_profit=0.5", 12, 6, "save"),
    ("grid BTC/USDT 46600 47200 4 quantity=0.01 budget=2000", 10, 1, "place2"),
    ("grid BTC/USDT 46600 47200 4 quantity=0.01 budget=2000", 10, 6, "save"),
    ("rebalance BTC=40% ETH=40% USDT=20% every 3h threshold 1%", 10, 1, "place1"),
    ("rebalance BTC=40% ETH=40% USDT=20% every 3h threshold 1%", 10, 4, "save"),
]


@pytest.mark.parametrize(("command", "hours", "crash_hour", "point"), SCENARIOS)
async def test_a_crash_mid_step_resumes_without_repeating_or_skipping(
    worlds: tuple[World, World], command: str, hours: int, crash_hour: int, point: str
) -> None:
    reference, crashed = worlds

    await reference.run(command, hours)
    await crashed.run(command, hours, crash_hour=crash_hour, point=point)

    expected = reference.outcome()
    assert len(expected["orders"]) > crash_hour  # the scenario trades before and after the crash
    assert crashed.outcome() == expected
    assert set(orders_per_key(crashed.container).values()) == {1}


async def test_resume_on_postgresql(tmp_path: Path, template_db: Path) -> None:
    command = "grid BTC/USDT 46600 47200 4 quantity=0.01 budget=2000"
    server = require(POSTGRES_URL, "PostgreSQL")
    with fresh_postgres_database(server) as first_url, fresh_postgres_database(server) as second_url:
        reference = World(tmp_path / "reference", template_db, first_url)
        crashed = World(tmp_path / "crashed", template_db, second_url)
        try:
            await reference.run(command, 8)
            await crashed.run(command, 8, crash_hour=2, point="save")
            assert crashed.outcome() == reference.outcome()
            assert set(orders_per_key(crashed.container).values()) == {1}
        finally:
            reference.container.close()
            crashed.container.close()
