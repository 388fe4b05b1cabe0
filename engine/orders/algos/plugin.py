"""Registration with the composition root (hub/app/extensions.py): the tables (``METADATA``) and the
loop that steps the schedules while the server runs (``BACKGROUND``). Imports lazily; the container
is only typed (the engine never imports hub at run time).

Why an in-process loop and not a Celery beat task: children fall due every few seconds and a
bracket's stop must react to the replayed price within a tick, finer than beat's schedule plus the
broker's latency, and a step is a few database reads. Several replicas may each run the loop safely:
children are placed under derived idempotency keys and parent writes check a version, so a second
scheduler only ever finds the work done.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from hub.app.container import Container

log = structlog.get_logger(__name__)


def metadata() -> MetaData:
    from engine.orders.algos.storage import metadata as tables

    return tables


@contextlib.asynccontextmanager
async def background(container: Container) -> AsyncIterator[None]:
    """Step the schedules every ``tick_interval_s`` for as long as the server runs."""
    from engine.orders.algos.service import AlgoScheduler

    services = container.services
    scheduler = AlgoScheduler(services.db, services.oms, services.clock)
    task = asyncio.create_task(run_forever(scheduler, container.settings.tick_interval_s))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def run_forever(scheduler: Any, interval_s: float) -> None:
    """Step every working parent each ``interval_s``; a failed step is logged and the loop goes on.
    Ticks keep a fixed cadence (the time a step takes does not push later ticks back)."""
    clock = asyncio.get_running_loop()
    next_tick = clock.time()
    while True:
        next_tick = max(next_tick + interval_s, clock.time())
        await asyncio.sleep(next_tick - clock.time())
        try:
            await scheduler.step()
        except Exception:
            log.exception("algo scheduler step failed")
