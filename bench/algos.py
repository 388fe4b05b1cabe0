"""Execution algorithm benchmark: TWAP scheduler accuracy and overhead per child order.

    .venv/bin/python -m bench.algos [--slices 30] [--ticks 1.0,0.1] [--children 99]

Accuracy: a TWAP with one slice a second (``--slices`` of them) runs on the real clock under the same
background loop ``tradehub serve`` runs (``plugin.run_forever``), once per loop interval in
``--ticks``; the error of a slice is the time its child order was created minus the slice's due time.
The loop's interval bounds it: the target is p99 below the interval plus 50 ms.
Overhead: on a fake clock, ``--children`` due slices placed by one scheduler step, against the same
number of market orders placed straight through the OMS (the baseline) on a fresh account.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from engine.orders.algos.plan import MAX_SLICES

BIG = {
    "paper_balance": "1000000000",
    "max_position_notional": "1000000000000",
    "max_order_notional": "1000000000",
    "confirm_above_usd": "1000000000",
    "log_level": "warning",
}
SLACK_MS = 50


def _container(home: Path, clock: Any = None) -> Any:
    from hub.app.container import build
    from hub.app.settings import Settings

    return build(Settings(home=home, **BIG), clock=clock)  # type: ignore[arg-type]


def _intent(user_id: int, key: str, quantity: str) -> Any:
    from engine.domain import Side, UserId
    from engine.orders.intent import OrderIntent

    return OrderIntent(UserId(user_id), "ETH/USDT", Side.BUY, key, quantity=Decimal(quantity), source="bench")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def accuracy(home: Path, slices: int, tick_s: float) -> dict[str, float]:
    """Run a 1-slice-a-second TWAP under the background loop; return slice time errors in ms."""
    from engine.orders.algos.plugin import run_forever
    from engine.orders.algos.service import AlgoScheduler, AlgoSpec

    container = _container(home)
    user = container.add_user("bench")
    services = container.services
    scheduler = AlgoScheduler(services.db, services.oms, services.clock, twap_interval_s=1)
    intent = _intent(user.user_id, "bench:twap", str(slices))
    view, _ = await scheduler.start(intent, AlgoSpec("twap", duration_s=slices))
    await asyncio.sleep(tick_s / 2)  # the loop's phase against the schedule: half an interval, the average case
    loop = asyncio.create_task(run_forever(scheduler, tick_s))
    deadline = time.monotonic() + slices + 10 * tick_s + 5
    while scheduler.get(user.user_id, view.parent.id).parent.status.value == "working":
        if time.monotonic() > deadline:
            raise RuntimeError("the TWAP did not finish in time")
        await asyncio.sleep(0.05)
    loop.cancel()
    done = scheduler.get(user.user_id, view.parent.id)
    due = [int(s["due_ms"]) for s in done.parent.plan["slices"]]
    errors = [float(order.created_ms - due_ms) for order, due_ms in zip(done.orders, due, strict=True)]
    container.close()
    return {"children": len(errors), "p50": percentile(errors, 0.5), "p99": percentile(errors, 0.99),
            "max": max(errors), "min": min(errors)}  # fmt: skip


async def overhead(home: Path, children: int) -> dict[str, float]:
    """Per-child cost of a scheduler step against placing the same orders through the OMS directly."""
    from engine.clock import FakeClock
    from engine.orders.algos.service import AlgoScheduler, AlgoSpec

    clock = FakeClock(1_640_995_200_000)
    container = _container(home, clock)
    services = container.services
    direct_user = container.add_user("direct")
    algo_user = container.add_user("algo")
    size = "0.01"
    started = time.perf_counter()
    for index in range(children):
        await services.oms.place(_intent(direct_user.user_id, f"bench:direct-{index}", size))
    direct_s = time.perf_counter() - started

    scheduler = AlgoScheduler(services.db, services.oms, clock, twap_interval_s=1)
    total = str(Decimal(size) * (children + 1))
    view, _ = await scheduler.start(_intent(algo_user.user_id, "bench:algo", total),
                                    AlgoSpec("twap", duration_s=children + 1))  # fmt: skip
    clock.advance((children + 1) * 1000)
    started = time.perf_counter()
    await scheduler.step()
    step_s = time.perf_counter() - started
    placed = len(scheduler.get(algo_user.user_id, view.parent.id).orders) - 1
    container.close()
    if placed != children:
        raise RuntimeError(f"expected {children} children, the step placed {placed}")
    per_direct = direct_s / children * 1000
    per_child = step_s / children * 1000
    return {"direct_ms": per_direct, "child_ms": per_child, "overhead_ms": per_child - per_direct}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=30)
    parser.add_argument("--ticks", default="1.0,0.1", help="loop intervals in seconds, comma-separated")
    parser.add_argument("--children", type=int, default=99, help="at most 99 (a parent has at most 100 slices)")
    args = parser.parse_args()
    if not 1 <= args.children <= MAX_SLICES - 1:
        parser.error(f"--children must be between 1 and {MAX_SLICES - 1}")
    console = Console()

    table = Table(title=f"TWAP slice time error (child created - due), {args.slices} slices 1 s apart")
    for column in ("loop interval", "children", "p50 ms", "p99 ms", "max ms", "target p99", "p99 / target"):
        table.add_column(column, justify="right")
    for tick in (float(t) for t in args.ticks.split(",")):
        with tempfile.TemporaryDirectory() as home:
            result = asyncio.run(accuracy(Path(home), args.slices, tick))
        target = tick * 1000 + SLACK_MS
        table.add_row(f"{tick:g} s", str(int(result["children"])), f"{result['p50']:.0f}", f"{result['p99']:.0f}",
                      f"{result['max']:.0f}", f"< {target:.0f}", f"{result['p99'] / target:.2f}")  # fmt: skip
    console.print(table)

    with tempfile.TemporaryDirectory() as home:
        cost = asyncio.run(overhead(Path(home), args.children))
    costs = Table(title=f"Cost per child order ({args.children} due slices in one step, paper, SQLite)")
    for column in ("measure", "ms per order", "ratio to direct"):
        costs.add_column(column, justify="right")
    costs.add_row("OMS place (baseline)", f"{cost['direct_ms']:.3f}", "1.00")
    costs.add_row("scheduler child", f"{cost['child_ms']:.3f}", f"{cost['child_ms'] / cost['direct_ms']:.2f}")
    costs.add_row("overhead", f"{cost['overhead_ms']:.3f}", f"{cost['overhead_ms'] / cost['direct_ms']:.2f}")
    console.print(costs)


if __name__ == "__main__":
    main()
