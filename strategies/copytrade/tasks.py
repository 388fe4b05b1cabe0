"""Celery task ``tradehub.copytrade.sweep``: finish every leader fill whose fan-out did not (a crash
between the fill and its copies, a process without a running loop). Safe to run any time: copies are
keyed per (leader fill, follower)."""

from __future__ import annotations

import asyncio

from celery import shared_task


@shared_task(name="tradehub.copytrade.sweep")
def sweep() -> dict[str, int]:
    from hub.app.jobs import worker_container
    from strategies.copytrade import service_for

    results = asyncio.run(service_for(worker_container()).sweep())
    return {"fills": len(results), "mirrored": sum(r.mirrored for r in results),
            "skipped": sum(r.skipped for r in results)}  # fmt: skip
