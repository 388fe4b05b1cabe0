"""Webhook delivery benchmark: 100 endpoints on a local receiver, 20,000 events, one Celery worker.

    .venv/bin/python -m bench.webhooks [--events 20000] [--endpoints 100] [--paced 1000] [--rate 200]
                                       [--broker embedded|redis|both] [--concurrency 1]

Events are written to the outbox in transactions (as fills write them), the relay pump turns them
into deliveries and queues batches; a Celery worker (subprocess) signs and POSTs them to a receiver
(aiohttp, its own process) that records the first arrival of every webhook-id.
- throughput: all events written as fast as possible; signed deliveries/s from the first write to
  the last arrival; lost = events never received, duplicated = arrivals beyond one per webhook-id.
- latency: ``--paced`` events at ``--rate``/s, one per transaction; fill-to-first-attempt p50/p99.
- yardstick: the same worker drains ``--noop`` no-op tasks; its tasks/s is printed beside ours. (The
  embedded filesystem broker lists its queue folder for every message, so its drain rate falls
  with the queue's length: our batches keep that queue short, a deep no-op queue does not.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

RECEIVER = """
import sys, time
from aiohttp import web
first, counts = {}, {"requests": 0}
async def hook(request):
    await request.read()
    counts["requests"] += 1
    first.setdefault(request.headers["webhook-id"], time.time())
    return web.Response(text="ok")
async def stats(request):
    return web.json_response({"requests": counts["requests"], "first": first})
async def reset(request):
    first.clear(); counts["requests"] = 0
    return web.Response(text="ok")
app = web.Application()
app.router.add_get("/stats", stats)
app.router.add_get("/reset", reset)
app.router.add_post("/{tail:.*}", hook)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None, backlog=2048)
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own receiver on 127.0.0.1)
        return json.loads(response.read())


def wait_http(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            get_json(url)
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


class Run:
    """One tradehub home, receiver, worker and relay pump for one broker."""

    def __init__(self, broker: str, endpoints: int, concurrency: int) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
        self.redis_url = None
        if broker == "redis":
            import redis

            base = os.environ.get("TRADEHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
            self.redis_url = base.rsplit("/", 1)[0] + "/12"
            redis.Redis.from_url(self.redis_url).flushdb()
        self.env = {**os.environ, "TRADEHUB_HOME": str(self.home), "TRADEHUB_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
                    "TRADEHUB_LOG_LEVEL": "warning"}
        self.env.pop("TRADEHUB_REDIS_URL", None)
        self.env.pop("TRADEHUB_DATABASE_URL", None)
        if self.redis_url:
            self.env["TRADEHUB_REDIS_URL"] = self.redis_url
        os.environ.update({k: v for k, v in self.env.items() if k.startswith("TRADEHUB_")})
        if not self.redis_url:
            os.environ.pop("TRADEHUB_REDIS_URL", None)
        self.port = free_port()
        self.receiver_url = f"http://127.0.0.1:{self.port}"
        self.processes = [subprocess.Popen([sys.executable, "-c", RECEIVER, str(self.port)], env=self.env)]
        wait_http(f"{self.receiver_url}/stats")
        self._build(endpoints)
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "hub.app.worker", "worker", f"--concurrency={concurrency}",
             "--pool=solo" if concurrency == 1 else "--pool=prefork", "--loglevel=warning",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=self.env,
        ))

    def _build(self, endpoints: int) -> None:
        from engine.clock import SystemClock
        from hub.app.container import build
        from hub.app.settings import Settings
        from hub.app.worker import make_celery
        from webhooks.service import Pump, build_service
        from webhooks.tasks import celery_enqueue

        settings = Settings()
        self.container = build(settings)
        self.celery = make_celery(settings)
        service = build_service(self.container.db, SystemClock(), home=self.home, master_key=None)
        self.users = []
        for index in range(endpoints):
            user = self.container.services.users.add_user(f"user{index}")
            service.store.create(user, f"{self.receiver_url}/hooks/{index}", ["order.*"])
            self.users.append(user.user_id)
        self.pump = Pump(service, celery_enqueue(self.celery))
        self.pump.start()

    def write(self, first: int, count: int) -> None:
        from engine.events import Event
        from engine.storage import repository as repo

        now = int(time.time() * 1000)
        events = [
            Event(f"evt_{first + i}", "order.filled", now, {"order_id": f"o{first + i}", "qty": "0.01"},
                  self.users[(first + i) % len(self.users)])
            for i in range(count)
        ]
        with self.container.db.begin() as conn:
            repo.add_events(conn, events)
        self.pump.kick()

    def noop_rate(self, count: int) -> float:
        self.celery.send_task("tradehub.webhooks.marker").get(timeout=120)  # the worker is up
        started = time.perf_counter()
        with self.celery.producer_pool.acquire(block=True) as producer:
            for _ in range(count):
                self.celery.send_task("tradehub.webhooks.noop", producer=producer)
        self.celery.send_task("tradehub.webhooks.marker").get(timeout=600)
        return count / (time.perf_counter() - started)

    def wait_for(self, count: int, timeout_s: float) -> dict:
        deadline = time.monotonic() + timeout_s
        while True:
            stats = get_json(f"{self.receiver_url}/stats")
            if len(stats["first"]) >= count or time.monotonic() > deadline:
                return stats
            time.sleep(0.05)

    def close(self) -> None:
        self.pump.stop()
        for process in reversed(self.processes):
            process.terminate()
            process.wait(timeout=30)
        self.container.close()
        shutil.rmtree(self.home, ignore_errors=True)


def throughput(run: Run, events: int) -> dict:
    started = time.time()
    for first in range(0, events, 100):
        run.write(first, min(100, events - first))
    written = time.time() - started
    stats = run.wait_for(events, 600)
    last = max(stats["first"].values())
    return {"events": events, "write_s": written, "received": len(stats["first"]), "requests": stats["requests"],
            "deliveries_per_s": len(stats["first"]) / (last - started)}


def latency(run: Run, events: int, rate: float, offset: int) -> dict:
    written: dict[str, float] = {}
    started = time.perf_counter()
    for i in range(events):
        target = started + i / rate
        pause = target - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        written[f"msg_evt_{offset + i}"] = time.time()
        run.write(offset + i, 1)
    stats = run.wait_for(offset + events, 120)
    delays = sorted((stats["first"][m] - t) * 1000 for m, t in written.items() if m in stats["first"])
    quantiles = statistics.quantiles(delays, n=100) if len(delays) > 1 else delays * 99
    return {"p50_ms": quantiles[49], "p99_ms": quantiles[98], "max_ms": delays[-1], "received": len(delays)}


def bench(broker: str, args: argparse.Namespace) -> dict:
    run = Run(broker, args.endpoints, args.concurrency)
    try:
        noop = run.noop_rate(args.noop)
        result = throughput(run, args.events)
        result.update(latency(run, args.paced, args.rate, args.events))
        result["noop_tasks_per_s"] = noop
        result["ratio"] = result["deliveries_per_s"] / noop
        final = get_json(f"{run.receiver_url}/stats")
        result["lost"] = args.events + args.paced - len(final["first"])
        result["duplicated"] = final["requests"] - len(final["first"])
        return result
    finally:
        run.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--endpoints", type=int, default=100)
    parser.add_argument("--paced", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--noop", type=int, default=2000, help="no-op tasks for the yardstick")
    parser.add_argument("--broker", choices=("embedded", "redis", "both"), default="both")
    args = parser.parse_args()
    brokers = ("embedded", "redis") if args.broker == "both" else (args.broker,)
    print(f"{args.endpoints} endpoints, {args.events} events burst + {args.paced} paced at {args.rate:g}/s, "
          f"worker concurrency {args.concurrency}, {os.cpu_count()} CPUs")
    header = f"{'broker':<9} {'deliveries/s':>12} {'no-op tasks/s':>13} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8} " \
             f"{'lost':>5} {'dup':>5}"
    rows = []
    for broker in brokers:
        r = bench(broker, args)
        rows.append(f"{broker:<9} {r['deliveries_per_s']:>12.0f} {r['noop_tasks_per_s']:>13.0f} {r['ratio']:>6.2f} "
                    f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['lost']:>5} {r['duplicated']:>5}")
    print(header)
    print("\n".join(rows))
    print("targets: >= 2000 deliveries/s, ratio >= 1.0, p99 < 100 ms fill-to-first-attempt")


if __name__ == "__main__":
    main()
