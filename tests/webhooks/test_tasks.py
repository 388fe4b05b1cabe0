"""Deliveries through real Celery workers (subprocesses) on the embedded broker and on Redis:
a burst arrives exactly once per webhook-id, and a worker killed mid-delivery loses nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from engine.clock import SystemClock
from engine.events import Event
from engine.storage import repository as repo
from hub.app.container import Container, build
from hub.app.worker import make_celery
from tests.conftest import make_settings
from tests.kit.services import REDIS_URL, require
from tests.webhooks.receiver import Receiver
from webhooks.config import WebhookSettings
from webhooks.service import Pump, WebhookService, build_service
from webhooks.tasks import celery_enqueue

FAST = {
    "TRADEHUB_WEBHOOK_TIMEOUT_S": "5",
    "TRADEHUB_WEBHOOK_LEASE_MARGIN_S": "0.5",
    "TRADEHUB_WEBHOOK_RETRY_SCHEDULE": "0,1,1,1",
}


@contextmanager
def tradehub(
    tmp_path: Path, template_db: Path, redis_url: str | None, *, queue_window_s: float
) -> Iterator[tuple[Container, Pump]]:
    """The app side: database, endpoints and the relay pump; the sweep re-queues after ``queue_window_s``."""
    shutil.copy(template_db, tmp_path / "tradehub.db")
    settings = make_settings(tmp_path, redis_url=redis_url)
    built = build(settings)
    options = {k.removeprefix("TRADEHUB_WEBHOOK_").lower(): v for k, v in FAST.items()}
    webhook_settings = WebhookSettings(**options, queue_window_s=queue_window_s)
    svc = build_service(built.db, SystemClock(), home=tmp_path, master_key=None, settings=webhook_settings)
    try:
        yield built, Pump(svc, celery_enqueue(make_celery(settings)))
    finally:
        built.close()


def start_worker(home: Path, redis_url: str | None) -> subprocess.Popen[bytes]:
    env = {**os.environ, **FAST, "TRADEHUB_HOME": str(home), "TRADEHUB_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
    env.pop("TRADEHUB_REDIS_URL", None)
    if redis_url:
        env["TRADEHUB_REDIS_URL"] = redis_url
    command = [
        sys.executable,
        "-m",
        "hub.app.worker",
        "worker",
        "--pool=solo",
        "--loglevel=warning",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-Q",
        "celery",
    ]
    return subprocess.Popen(command, env=env)


@contextmanager
def worker(home: Path, redis_url: str | None) -> Iterator[subprocess.Popen[bytes]]:
    process = start_worker(home, redis_url)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def emit(built: Container, user_id: int, count: int, prefix: str) -> None:
    now = int(time.time() * 1000)
    events = [Event(f"{prefix}{i}", "order.filled", now, {"n": i}, user_id) for i in range(count)]
    with built.db.begin() as conn:
        repo.add_events(conn, events)


def pump_until(pump: Pump, done: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, "deliveries did not arrive in time"
        pump.pump_once()
        time.sleep(0.1)


def wait_until(done: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``done`` (without pumping) until it holds; a generous deadline, as CI shares 2 busy cores."""
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, f"{what} within {timeout_s} s"
        time.sleep(0.1)


def fresh_redis(db: int) -> str:
    url = require(REDIS_URL.rsplit("/", 1)[0] + f"/{db}", "Redis")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


def burst_is_delivered_once(tmp_path: Path, template_db: Path, redis_url: str | None, count: int) -> None:
    # The queue window outlasts the whole burst even on a slow machine: nothing is re-queued here.
    with Receiver() as receiver, tradehub(tmp_path, template_db, redis_url, queue_window_s=900) as (built, pump):
        alice = built.add_user("alice")
        service: WebhookService = pump.service
        service.store.create(alice, f"{receiver.url}/fail/1/burst", ["order.*"])  # the first attempt fails
        emit(built, alice.user_id, count, "evt_b")
        with worker(tmp_path, redis_url):
            pump_until(pump, lambda: len({r.headers["webhook-id"] for r in receiver.received()}) >= count, 480)
            time.sleep(0.5)  # anything duplicated would arrive now
        ids = [r.headers["webhook-id"] for r in receiver.received() if r is not receiver.received()[0]]
        assert len(ids) == count and len(set(ids)) == count  # one 500, then each message exactly once
        assert set(ids) == {f"msg_evt_b{i}" for i in range(count)}
        order = [int(r.headers["webhook-id"].removeprefix("msg_evt_b")) for r in receiver.received()]
        assert order[1:] == list(range(count))  # one endpoint: in outbox order, the failed one first again


@pytest.mark.timeout(600)  # 10,000 deliveries through one worker: ~40 s idle, far longer on a loaded CI box
def test_a_burst_is_delivered_once_each_on_the_embedded_broker(tmp_path: Path, template_db: Path) -> None:
    burst_is_delivered_once(tmp_path, template_db, None, 10_000)


@pytest.mark.redis
@pytest.mark.timeout(600)
def test_a_burst_is_delivered_once_each_through_redis(tmp_path: Path, template_db: Path) -> None:
    burst_is_delivered_once(tmp_path, template_db, fresh_redis(10), 10_000)


def killed_mid_delivery_is_delivered_after_restart(tmp_path: Path, template_db: Path, redis_url: str | None) -> None:
    with Receiver() as receiver, tradehub(tmp_path, template_db, redis_url, queue_window_s=2) as (built, pump):
        alice = built.add_user("alice")
        pump.service.store.create(alice, f"{receiver.url}/hang/3/kill", ["order.*"])
        emit(built, alice.user_id, 1, "evt_k")
        with worker(tmp_path, redis_url) as first:
            pump_until(pump, lambda: len(receiver.received()) == 1, 120)
            first.kill()  # SIGKILL while the receiver still holds the request
            first.wait(timeout=10)
        with worker(tmp_path, redis_url):
            pump_until(pump, lambda: len(receiver.received()) >= 2, 120)

            def statuses() -> list[str]:
                endpoint = pump.service.store.list(alice)[0]
                return [d["status"] for d in pump.service.store.deliveries(alice, endpoint.id)]

            # the second attempt is answered after the receiver's 3 s hang: wait for its outcome, not 3.5 s
            wait_until(lambda: statuses() == ["delivered"], 120, "the delivery was not recorded as delivered")
        assert statuses() == ["delivered"]
        assert {r.headers["webhook-id"] for r in receiver.received()} == {"msg_evt_k0"}


@pytest.mark.timeout(600)  # two Celery worker start-ups (subprocesses) on a loaded CI box
def test_a_worker_killed_mid_delivery_loses_nothing(tmp_path: Path, template_db: Path) -> None:
    killed_mid_delivery_is_delivered_after_restart(tmp_path, template_db, None)


@pytest.mark.redis
@pytest.mark.timeout(600)
def test_a_worker_killed_mid_delivery_loses_nothing_with_redis(tmp_path: Path, template_db: Path) -> None:
    killed_mid_delivery_is_delivered_after_restart(tmp_path, template_db, fresh_redis(11))
