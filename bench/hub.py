"""Hub benchmark: dispatch of a market order from text to paper fill, in process and over HTTP.

    .venv/bin/python -m bench.hub [--orders 100000] [--seconds 20] [--connections 50] [--skip-http]

In process: ``Hub.handle`` of ``buy 0.0002 BTC/USDT`` with a fresh idempotency key each time, through
parsing, permission check, risk checks, the paper fill, the durable SQLite writes and the audit log.
Over HTTP: ``POST /api/v1/commands`` under wrk (50 connections, 20 s) against uvicorn with uvloop and
httptools, beside a bare FastAPI endpoint that returns a constant, measured in the same run.
Targets (issue 2): p99 < 1 ms and >= 10,000 orders/s in process; HTTP ratio >= 0.5.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.support.httpload import ServerProcess, WrkResult, post_lua, run_wrk

BIG = {
    "paper_balance": "1000000000",
    "max_position_notional": "1000000000000",
    "max_order_notional": "1000000000",
    "rate_limit": "1000000/second",
    "confirm_above_usd": "1000000000",
    "log_level": "warning",
}

HUB_SERVER = """
import sys, uvicorn
from hub.app.settings import Settings
from hub.app.container import build
from hub.app.api import create_app
uvicorn.run(create_app(build(Settings())), host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop",
            http="httptools", log_level="warning", access_log=False)
"""

BARE_SERVER = """
import sys, uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
app = FastAPI()
class CommandIn(BaseModel):
    text: str
@app.get("/healthz")
async def healthz():
    return {"status": "ok"}
@app.post("/api/v1/commands")
async def bare(body: CommandIn):
    return {"ok": True, "text": "constant", "data": {}}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", http="httptools",
            log_level="warning", access_log=False)
"""


def big_settings(home: Path):  # type: ignore[no-untyped-def]
    """Settings with limits and balances large enough that no order of the run is refused."""
    from hub.app.settings import Settings

    return Settings(home=home, **BIG)  # type: ignore[arg-type]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def in_process(orders: int, home: Path) -> dict[str, float]:
    from hub.app.container import build
    from hub.principals import Role

    settings = big_settings(home)
    container = build(settings)
    user = container.add_user("bench", role=Role.TRADER)
    hub = container.hub
    latencies: list[float] = []
    cpu_ns = 0

    async def run() -> float:
        nonlocal cpu_ns
        for i in range(200):  # warm-up
            await hub.handle(user, "buy 0.0002 BTC/USDT", frontend="bench", idempotency_key=f"warm-{i}")
        started = time.perf_counter()
        cpu_started = time.thread_time_ns()
        for i in range(orders):
            t0 = time.perf_counter_ns()
            reply = await hub.handle(user, "buy 0.0002 BTC/USDT", frontend="bench", idempotency_key=f"o-{i}")
            latencies.append((time.perf_counter_ns() - t0) / 1e6)
            if not reply.ok:
                raise RuntimeError(reply.text)
        cpu_ns = time.thread_time_ns() - cpu_started
        return time.perf_counter() - started

    elapsed = asyncio.run(run())
    container.close()
    return {
        "orders": orders,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "orders_per_s": orders / elapsed,
        "cpu_ms_per_order": cpu_ns / 1e6 / orders,  # steadier than wall time on a shared machine
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def over_http(home: Path, seconds: int, connections: int) -> tuple[dict[str, float], dict[str, float]]:
    from hub.app.container import build

    container = build(big_settings(home))
    container.add_user("http")
    key = container.services.users.create_key("http")
    container.close()
    env = {"TRADEHUB_HOME": str(home), **{f"TRADEHUB_{k.upper()}": v for k, v in BIG.items()}}
    lua = post_lua(
        json.dumps({"text": "buy 0.0002 BTC/USDT"}),
        {"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    with ServerProcess(BARE_SERVER) as bare:
        bare_result = run_wrk(bare.url + "/api/v1/commands", connections=connections, seconds=seconds, lua=lua)
    with ServerProcess(HUB_SERVER, env) as hub:
        hub_result = run_wrk(hub.url + "/api/v1/commands", connections=connections, seconds=seconds, lua=lua)
    return _figures(hub_result), _figures(bare_result)


def _figures(result: WrkResult) -> dict[str, float]:
    return {
        "rps": result.requests_per_s,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "non_2xx": result.non_2xx,
        "errors": result.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    console = Console()
    table = Table(title="tradehub hub benchmark (target in brackets)")
    for column in ("workload", "figure", "value", "baseline", "ratio"):
        table.add_column(column)
    with tempfile.TemporaryDirectory() as tmp:
        local = in_process(args.orders, Path(tmp) / "inproc")
        table.add_row("in process", "orders", f"{local['orders']:,}", "", "")
        table.add_row("in process", "p50 latency", f"{local['p50_ms']:.3f} ms", "", "")
        table.add_row(
            "in process",
            "p99 latency [< 1 ms]",
            f"{local['p99_ms']:.3f} ms",
            "1 ms target",
            f"{local['p99_ms'] / 1.0:.1f}x",
        )
        table.add_row(
            "in process",
            "orders/s [>= 10,000]",
            f"{local['orders_per_s']:,.0f}",
            "10,000 target",
            f"{local['orders_per_s'] / 10_000:.2f}",
        )
        table.add_row("in process", "CPU per order", f"{local['cpu_ms_per_order']:.3f} ms", "", "")
        table.add_row("in process", "peak RSS", f"{local['peak_rss_mib']:.0f} MiB", "", "")
        if not args.skip_http:
            ours, bare = over_http(Path(tmp) / "http", args.seconds, args.connections)
            table.add_row(
                "HTTP POST /commands",
                "requests/s [ratio >= 0.5]",
                f"{ours['rps']:,.0f}",
                f"bare FastAPI {bare['rps']:,.0f}",
                f"{ours['rps'] / bare['rps']:.2f}",
            )
            table.add_row(
                "HTTP POST /commands",
                "p50 / p99",
                f"{ours['p50_ms']:.1f} / {ours['p99_ms']:.1f} ms",
                f"{bare['p50_ms']:.1f} / {bare['p99_ms']:.1f} ms",
                "",
            )
            table.add_row(
                "HTTP POST /commands",
                "non-2xx / socket errors",
                f"{ours['non_2xx']} / {ours['errors']}",
                f"{bare['non_2xx']} / {bare['errors']}",
                "",
            )
    console.print(table)


if __name__ == "__main__":
    main()
