"""Background jobs. Each runs in a Celery worker with its own container built from the environment."""

from __future__ import annotations

import asyncio
import functools

from celery import shared_task

from hub.app.container import Container, build
from hub.app.settings import Settings


@functools.cache
def worker_container() -> Container:
    return build(Settings())


@shared_task(name="tradehub.pnl_snapshot")
def pnl_snapshot() -> int:
    """Store every account's end-of-day equity and P&L; returns how many accounts were snapshotted."""
    return asyncio.run(worker_container().services.portfolio.snapshot_all())


@shared_task(name="tradehub.sentiment_poll")
def sentiment_poll() -> dict[str, object]:
    """Poll every configured social source, score and store new posts, and publish sentiment shifts."""
    from engine.events import Event
    from engine.ids import new_id
    from engine.storage import repository
    from sentiment.service import poll_sources
    from sentiment.settings import SentimentSettings, build_sources

    container = worker_container()
    service = container.services.sentiment
    if service is None:
        return {"sources": 0}
    sources = build_sources(SentimentSettings(), container.db, container.clock.now_ms)
    report = poll_sources(service, sources)
    now = container.clock.now_ms()
    events = [
        Event(new_id("evt"), "sentiment.shift", now,
              {"symbol": shift.symbol, "old": shift.old, "new": shift.new, "z": shift.z})
        for shift in report.shifts
    ]  # fmt: skip
    with container.db.begin() as conn:
        repository.add_events(conn, events)
    for event in events:
        container.bus.publish(event)
    return {"sources": len(sources), "inserted": report.inserted, "errors": report.errors, "shifts": len(events)}


@shared_task(name="tradehub.sentiment_prune")
def sentiment_prune() -> int:
    """Drop sentiment posts and index points older than 30 days; returns how many posts were deleted."""
    from sentiment.service import prune_history

    service = worker_container().services.sentiment
    return 0 if service is None else prune_history(service, keep_days=30)
