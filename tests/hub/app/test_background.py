"""Background work runs through Celery both ways: the embedded filesystem broker and Redis."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.storage import repository as repo
from hub.app.container import build
from hub.app.ratelimit import RateLimiter
from hub.app.worker import make_celery
from tests.conftest import make_settings
from tests.kit.services import REDIS_URL, require

#: starts a Celery worker / the whole product in a subprocess: generous on a loaded CI box
pytestmark = pytest.mark.timeout(600)


def run_snapshot_job(tmp_path: Path, template_db: Path, redis_url: str | None) -> list[tuple[int, D]]:
    shutil.copy(template_db, tmp_path / "tradehub.db")
    settings = make_settings(tmp_path, redis_url=redis_url)
    built = build(settings)
    alice = built.add_user("alice")
    env = {**os.environ, "TRADEHUB_HOME": str(tmp_path), "TRADEHUB_REPLAY_SPEED": "1"}
    if redis_url:
        env["TRADEHUB_REDIS_URL"] = redis_url
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hub.app.worker",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=warning",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
    )
    try:
        result = make_celery(settings).send_task("tradehub.pnl_snapshot").get(timeout=240)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    assert result == 1
    with built.db.connect() as conn:
        rows = conn.execute(select(repo.snapshots_t).where(repo.snapshots_t.c.user_id == alice.user_id)).all()
    built.close()
    return [(row.user_id, row.equity) for row in rows]


def test_end_of_day_snapshot_runs_on_the_embedded_broker(tmp_path: Path, template_db: Path) -> None:
    assert run_snapshot_job(tmp_path, template_db, None) == [(1, D("10000"))]


@pytest.mark.redis
def test_end_of_day_snapshot_runs_through_redis(tmp_path: Path, template_db: Path) -> None:
    url = require(REDIS_URL.rsplit("/", 1)[0] + "/9", "Redis")
    import redis

    redis.Redis.from_url(url).flushdb()  # no tasks or results left in db 9 by an earlier, interrupted run
    assert run_snapshot_job(tmp_path, template_db, url) == [(1, D("10000"))]


@pytest.mark.redis
def test_rate_limit_is_shared_through_redis_across_processes() -> None:
    import uuid

    url = require(REDIS_URL, "Redis")
    namespace = f"tradehub-test-{uuid.uuid4().hex}"
    replica_a = RateLimiter("2/minute", redis_url=url, namespace=namespace)
    replica_b = RateLimiter("2/minute", redis_url=url, namespace=namespace)
    assert replica_a.backend == "redis"
    replica_a.hit("key-1")
    replica_b.hit("key-1")
    from engine.errors import RateLimited

    with pytest.raises(RateLimited) as limited:
        replica_a.hit("key-1")
    assert 1 <= limited.value.retry_after <= 60
    replica_b.hit("key-2")  # other keys are unaffected


def test_sentiment_jobs_poll_configured_feeds_and_prune(tmp_path: Path, template_db: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The beat jobs run the real pipeline: an RSS feed served locally is polled, scored and stored."""
    import http.server
    import threading

    from hub.app import jobs

    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>news</title>'
        b"<item><guid>n1</guid><title>Bitcoin rallies as ETF inflows surge</title>"
        b"<pubDate>Sat, 01 Jan 2022 00:00:00 GMT</pubDate></item></channel></rss>"
    )

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(feed)

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    shutil.copy(template_db, tmp_path / "tradehub.db")
    monkeypatch.setenv("TRADEHUB_HOME", str(tmp_path))
    monkeypatch.setenv("TRADEHUB_SENTIMENT_RSS_FEEDS", f'["http://127.0.0.1:{server.server_port}/feed.xml"]')
    jobs.worker_container.cache_clear()
    try:
        result = jobs.sentiment_poll.run()
        assert result["sources"] == 1 and sum(result["inserted"].values()) == 1
        again = jobs.sentiment_poll.run()  # the same post is not stored twice
        assert sum(again["inserted"].values()) == 0
        assert jobs.sentiment_prune.run() == 1  # the 2022 post is older than 30 days
    finally:
        server.shutdown()
        jobs.worker_container.cache_clear()
