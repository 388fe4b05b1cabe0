"""Celery beat job: one runner step over every running strategy instance."""

from __future__ import annotations

import asyncio
import functools

from celery import shared_task

from strategies.live.service import StrategyService


@functools.cache
def worker_service() -> StrategyService:
    """The worker's strategy service, kept for the life of the process (its runner remembers
    whether it already restored resting orders after a restart)."""
    from hub.app.jobs import worker_container
    from strategies.live import build

    return build(worker_container())


@shared_task(name="tradehub.strategies_step")
def strategies_step() -> dict[str, object]:
    """Advance every running strategy by the bars completed since its last step."""
    return asyncio.run(worker_service().runner.step()).to_dict()
