"""Redis restarted in the middle of a burst (its queue lost with it): every event still arrives.

The test runs its own throw-away redis-server on a free port, so restarting it disturbs nothing else.
Messages that were sitting in Redis when it died are found again by the database lease sweep.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_tasks import emit, pump_until, tradehub, worker

REDIS_SERVER = shutil.which("redis-server")


@contextmanager
def redis_server(port: int, workdir: Path) -> Iterator[subprocess.Popen[bytes]]:
    assert REDIS_SERVER is not None
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    import redis

    client = redis.Redis(port=port)
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.mark.timeout(900)  # ~70 s idle; two phases of up to 300 s each if CI is very busy
def test_a_burst_survives_a_redis_restart(tmp_path: Path, template_db: Path) -> None:
    if REDIS_SERVER is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    count = 1000
    expected = {f"msg_evt_r{i}" for i in range(count)}
    with Receiver() as receiver, tradehub(tmp_path, template_db, url, queue_window_s=3) as (built, pump):
        alice = built.add_user("alice")
        pump.service.store.create(alice, f"{receiver.url}/ok", ["order.*"])
        emit(built, alice.user_id, count, "evt_r")
        with worker(tmp_path, url):  # one worker throughout: it has to reconnect by itself
            with redis_server(port, tmp_path):
                pump_until(pump, lambda: len(receiver.received()) >= count // 5, 300)
            # Redis is gone, and its queue with it, while the worker and the pump keep running
            for _ in range(5):
                pump.pump_once()  # enqueueing fails without Redis: nothing may be taken as sent
                time.sleep(0.1)
            with redis_server(port, tmp_path):
                pump_until(pump, lambda: {r.headers["webhook-id"] for r in receiver.received()} >= expected, 300)
        seen = {r.headers["webhook-id"] for r in receiver.received()}
        assert seen == expected  # none lost, nothing unexpected; deduplicated by webhook-id as the spec says


def test_a_pass_with_the_broker_down_raises_nothing_and_loses_nothing(tmp_path: Path, template_db: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with Receiver() as receiver, tradehub(tmp_path, template_db, url, queue_window_s=1) as (built, pump):
        alice = built.add_user("alice")
        pump.service.store.create(alice, f"{receiver.url}/ok", ["order.*"])
        emit(built, alice.user_id, 3, "evt_d")
        assert pump.pump_once() == 0  # relayed, but nothing could be handed to the broker
        deadline = time.monotonic() + 30
        while len(pump.service.ledger.due()) < 3:  # the three deliveries come due again after their lease
            assert time.monotonic() < deadline, "the deliveries did not come due again"
            time.sleep(0.2)
        assert pump.pump_once() == 0
        assert receiver.received() == []
