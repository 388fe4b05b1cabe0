"""The beat job ``tradehub.strategies_step``: scheduled every 60 s and run by a real Celery worker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.app.container import build
from hub.app.worker import make_celery
from tests.conftest import make_settings
from tests.strategies.live.helpers import instances, strategy_orders

#: starts a Celery worker / the whole product in a subprocess: generous on a loaded CI box
pytestmark = pytest.mark.timeout(600)


def test_the_step_is_on_the_beat_schedule(tmp_path: Path) -> None:
    app = make_celery(make_settings(tmp_path))

    entry = app.conf.beat_schedule["strategies-step"]

    assert entry["task"] == "tradehub.strategies_step" and entry["schedule"] == 60.0
    assert "strategies.live.tasks" in app.conf.include


async def test_a_worker_runs_the_step_and_the_strategy_trades(tmp_path: Path, template_db: Path) -> None:
    shutil.copy(template_db, tmp_path / "tradehub.db")
    settings = make_settings(tmp_path, replay_speed=3600.0)  # one replayed hour per real second
    built = build(settings)
    alice = built.add_user("alice")
    started = await built.hub.handle(alice, "dca $100 BTC/USDT every 1h budget=500", frontend="test")
    assert started.ok, started.text
    env = {**os.environ, "TRADEHUB_HOME": str(tmp_path), "TRADEHUB_REPLAY_SPEED": "3600"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "hub.app.worker", "worker", "--pool=solo", "--concurrency=1", "--loglevel=warning",
         "--without-gossip", "--without-mingle"],
        env=env,
    )  # fmt: skip
    try:
        time.sleep(1.2)  # let the first replayed bar complete
        report = make_celery(settings).send_task("tradehub.strategies_step").get(timeout=240)
    finally:
        worker.terminate()
        worker.wait(timeout=60)

    assert report["paused"] is False and report["instances"] == 1 and report["orders"] >= 1
    orders = strategy_orders(built)
    (instance,) = instances(built, alice.user_id)
    assert len(orders) == report["orders"]
    assert all(order.idempotency_key.startswith(f"strategy:{instance.id}:dca:b") for order in orders)
    assert instance.last_bar_ms is not None
    built.close()
