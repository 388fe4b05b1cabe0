"""Copy-trade fan-out benchmark: one leader fill copied to N followers on the paper venue.

    .venv/bin/python -m bench.copytrade [--followers 100,1000] [--batches 1,250,1000] [--rounds 3]

Each run is a fresh tradehub home (SQLite, WAL) with one leader and N funded followers copying at
ratio 0.1. The leader's fill is committed by an OMS whose events go nowhere (as if the process had
died right after it), then the timed part is ``CopyTradeService.sweep()``: finding the fill, sizing
every copy, N ``OrderManager.place`` calls with the followers' own checks, the paper fills, the
mirror records and the outbox events, ``--batch`` followers per transaction (1 = a transaction per
follower, the OMS's own granularity). Median of ``--rounds`` fills. Baseline row "OMS loop": the same
orders placed by a plain ``OrderManager.place`` loop. Target (issue 6): 1,000 followers within 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import structlog
from rich.console import Console
from rich.table import Table

TARGET_S = 1.0


async def run(followers: int, batch: int, rounds: int) -> list[tuple[float, float]]:
    """Time ``rounds`` fan-outs; ``batch`` 0 is the baseline: a plain ``OrderManager.place`` loop over the
    followers (same sizes and keys, a transaction and bus publication per order, no mirror records)."""
    from engine.clock import SystemClock
    from engine.domain import Side, UserId
    from engine.orders.intent import OrderIntent
    from engine.orders.oms import OrderManager
    from hub.app.container import build
    from hub.app.settings import Settings
    from hub.events import EventBus
    from strategies.copytrade import CopyTradeSettings, service_for

    with tempfile.TemporaryDirectory() as home:
        settings = Settings(_env_file=None, home=Path(home), replay_speed=1.0)  # type: ignore[call-arg]
        container = build(settings, clock=SystemClock())
        try:
            service = service_for(container, CopyTradeSettings(batch_size=max(batch, 1)))
            leader = container.add_user("leader")
            await service.lead(leader.user_id, on=True, discord_url=None)
            follower_ids = []
            for index in range(followers):
                user = container.add_user(f"follower{index}")
                follower_ids.append(user.user_id)
                if batch:
                    service.follow(user.user_id, "leader", ratio=Decimal("0.1"), fixed=None, max_allocation=None)
            services = container.services
            silent = OrderManager(container.db, services.venues, limits=services.oms.limits, clock=container.clock,
                                  publisher=EventBus())  # fmt: skip
            timings = []
            for round_ in range(rounds):
                intent = OrderIntent(UserId(leader.user_id), "BTC/USDT", Side.BUY if round_ % 2 == 0 else Side.SELL,
                                     f"bench-{round_}", quantity=Decimal("0.01"))  # fmt: skip
                await silent.place(intent)
                started, cpu = time.perf_counter(), time.process_time()
                if batch == 0:
                    for user_id in follower_ids:
                        copy = OrderIntent(UserId(user_id), "BTC/USDT", intent.side, f"base:{round_}:{user_id}",
                                           quantity=Decimal("0.001"), source="copytrade")  # fmt: skip
                        await services.oms.place(copy)
                    timings.append((time.perf_counter() - started, time.process_time() - cpu))
                    continue
                (result,) = await service.sweep()
                timings.append((time.perf_counter() - started, time.process_time() - cpu))
                if result.mirrored != followers:
                    raise RuntimeError(f"{result.mirrored} of {followers} copied: {result.reasons}")
            return timings
        finally:
            container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", default="100,1000")
    parser.add_argument("--batches", default="0,1,100,500", help="0: the plain OrderManager.place baseline")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    console = Console(width=120)
    table = Table(title="Copy-trade fan-out: one leader fill to N followers (paper, SQLite)")
    for column in ("followers", "batch", "seconds (median)", "CPU seconds", "mirrors/s", "vs 1 s target"):
        table.add_column(column, justify="right")
    for followers in (int(n) for n in args.followers.split(",")):
        for batch in (int(b) for b in args.batches.split(",")):
            timings = asyncio.run(run(followers, batch, args.rounds))
            seconds = statistics.median(wall for wall, _ in timings)
            cpu = statistics.median(used for _, used in timings)
            scaled = seconds * 1000 / followers  # the time the same rate would need for 1,000 followers
            label = str(batch) if batch else "OMS loop"
            table.add_row(str(followers), label, f"{seconds:.3f}", f"{cpu:.3f}", f"{followers / seconds:,.0f}",
                          f"{TARGET_S / scaled:.2f}x" + (" (at 1,000)" if followers != 1000 else ""))  # fmt: skip
            console.print(f"followers={followers} batch={batch}: " + ", ".join(f"{w:.3f} s" for w, _ in timings))
    console.print(table)
    console.print("vs 1 s target: >= 1.00x meets 1,000 followers within 1 s (rows below 1,000 scaled linearly). "
                  f"Load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    main()
