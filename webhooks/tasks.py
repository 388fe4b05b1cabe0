"""Celery tasks: ``tradehub.webhooks.deliver`` (a batch of deliveries, acks_late: a worker killed
mid-batch leaves the task unacknowledged and the broker hands it to the next worker) and
``tradehub.webhooks.pump`` (one relay + sweep pass, for beat or a manual kick)."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Coroutine
from typing import Any

from celery import Celery, shared_task
from kombu.exceptions import OperationalError

from engine.clock import SystemClock
from engine.storage.db import make_engine
from hub.app import migrate
from hub.app.settings import Settings
from webhooks.service import BrokerUnavailable, Enqueue, Pump, WebhookService, follow_up, from_app_settings

DELIVER = "tradehub.webhooks.deliver"


@functools.cache
def worker_service() -> WebhookService:
    settings = Settings()
    db = make_engine(settings.sqlalchemy_url)
    migrate.upgrade(db)
    return from_app_settings(db, SystemClock(), settings)


class _Loop:
    """One event loop thread and one pooled HTTP client per worker process, kept across tasks."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.client: Any = None  # aiohttp.ClientSession, made inside this loop
        threading.Thread(target=self.loop.run_forever, name="webhook-loop", daemon=True).start()

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()


@functools.cache
def _loop() -> _Loop:
    return _Loop()


async def _deliver(service: WebhookService, delivery_ids: list[int]) -> Any:
    runner = _loop()
    if runner.client is None:
        runner.client = service.deliverer.sender.client()
    return await service.deliverer.deliver(delivery_ids, client=runner.client)


def celery_enqueue(app: Celery) -> Enqueue:
    """An ``Enqueue`` over ``app``; a broker that cannot be reached raises ``BrokerUnavailable``."""
    connection = app.connection_for_write()
    errors = (OperationalError, *connection.connection_errors, *connection.channel_errors)

    def enqueue(delivery_ids: list[int], countdown_s: float) -> None:
        try:
            # nobody waits for a delivery task's result: without this, a down Redis backend fails the publish
            app.send_task(DELIVER, args=[delivery_ids], countdown=countdown_s or None, ignore_result=True)
        except errors as exc:
            raise BrokerUnavailable(f"{type(exc).__name__} from the broker") from exc

    return enqueue


@functools.cache
def _enqueue_from_settings() -> Enqueue:
    from hub.app.worker import make_celery

    return celery_enqueue(make_celery(Settings()))


@shared_task(name=DELIVER, acks_late=True, reject_on_worker_lost=True)
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries (those still due); queue short retries; return counts."""
    service = worker_service()
    result = _loop().run(_deliver(service, list(delivery_ids)))
    follow_up(service, result.recorded.retries, result.claim.later, _enqueue_from_settings())
    return {
        "attempted": len(result.outcomes),
        "delivered": result.recorded.delivered,
        "retrying": len(result.recorded.retries),
        "dead": result.recorded.dead,
    }


@shared_task(name="tradehub.webhooks.pump")
def pump() -> int:
    """Relay new outbox events and queue due retries once; returns how many deliveries were queued."""
    return Pump(worker_service(), _enqueue_from_settings()).pump_once()


@shared_task(name="tradehub.webhooks.noop", ignore_result=True)
def noop() -> None:
    """Does nothing: the benchmark's yardstick for the broker's bare task drain rate."""


@shared_task(name="tradehub.webhooks.marker")
def marker() -> bool:
    """Returns at once; queued after a run of tasks, its result says the worker got through them."""
    return True
