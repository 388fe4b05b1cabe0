"""TradingView benchmark: acknowledged alerts/s and latency under wrk, and alert-to-fill on paper.

    .venv/bin/python -m bench.tradingview [--seconds 20] [--paced 1000] [--rate 100]

Acknowledgement: ``POST /tradingview/{token}`` under wrk with 64 and then 200 connections for
``--seconds`` each, every request a new alert (a fresh ``id``), against uvicorn with uvloop and
httptools; each alert is stored durably before it is answered, and executed in the same process
after the answer. Beside it, in the same run, a bare FastAPI endpoint that parses the same body
with pydantic and returns a constant. Alert-to-fill: ``--paced`` alerts at ``--rate`` per second on
a fresh server; the time from the alert's receipt to its paper fill, from the stored timestamps.
Targets (issue 4): ratio >= 0.5, p99 < 20 ms at 200 senders.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from bench.hub import BIG, percentile
from bench.support.httpload import ServerProcess, WrkResult, post_lua, run_wrk

SERVER = """
import sys, uvicorn
from hub.app.settings import Settings
from hub.app.container import build
from hub.app.api import create_app
uvicorn.run(create_app(build(Settings())), host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop",
            http="httptools", log_level="warning", access_log=False)
"""

BARE_SERVER = """
import sys, uvicorn
from fastapi import FastAPI, Request
from pydantic import BaseModel
app = FastAPI()
class Alert(BaseModel):
    ticker: str
    action: str
    contracts: str
    id: str
@app.get("/healthz")
async def healthz():
    return {"status": "ok"}
@app.post("/tradingview/{token}")
async def bare(token: str, request: Request):
    Alert.model_validate_json(await request.body())
    return {"ok": True, "alert_id": "constant", "status": "accepted"}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop", http="httptools",
            log_level="warning", access_log=False)
"""

#: how many of the recorded alerts the separate executor process runs for the executions/s figure
DRAINED = 5000

#: wrk builds a new body per request so every alert is new (not a duplicate of the first)
UNIQUE_BODIES = """
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"ticker":"BTCUSDT","action":"buy","contracts":"0.0002","id":"%s-%d"}', run, counter)
  return wrk.format(nil, nil, nil, body)
end
"""


def alert_lua(run: str) -> str:
    body = json.dumps({"ticker": "BTCUSDT", "action": "buy", "contracts": "0.0002", "id": run})
    return post_lua(body, {"Content-Type": "application/json"}) + f'run = "{run}"\n' + UNIQUE_BODIES


def prepare(home: Path) -> tuple[str, dict[str, str]]:
    """A funded trader with a hook that is not rate limited; return the hook's URL path and env."""
    from hub.app.container import build
    from hub.app.settings import Settings
    from tradingview.hooks import HookStore
    from tradingview.schemas import HookCreate

    env = {"TRADEHUB_HOME": str(home), **{f"TRADEHUB_{k.upper()}": v for k, v in BIG.items()}}
    settings = Settings(home=home, paper_balance=Decimal(BIG["paper_balance"]))
    container = build(settings)
    user = container.add_user("bench")
    hooks = HookStore(container.db, container.clock, default_rate_limit="1000000/second")
    _hook, token = hooks.create(user.user_id, HookCreate(rate_limit="1000000/second"))
    container.close()
    return f"/tradingview/{token}", env


def acknowledgement(home: Path, seconds: int) -> dict[str, dict[int, WrkResult]]:
    """Bare endpoint, then tradehub executing in process, then tradehub only recording."""
    results: dict[str, dict[int, WrkResult]] = {"bare": {}, "execute": {}, "record": {}}
    with ServerProcess(BARE_SERVER) as bare:
        for senders in (64, 200):
            results["bare"][senders] = run_wrk(
                bare.url + "/tradingview/x", connections=senders, seconds=seconds, lua=alert_lua(uuid.uuid4().hex[:8])
            )
    for mode in ("execute", "record"):
        path, env = prepare(home / mode)
        env["TRADEHUB_TRADINGVIEW_EXECUTE"] = "true" if mode == "execute" else "false"
        with ServerProcess(SERVER, env) as ours:
            for senders in (64, 200):
                results[mode][senders] = run_wrk(
                    ours.url + path, connections=senders, seconds=seconds, lua=alert_lua(uuid.uuid4().hex[:8])
                )
    return results


def drain_rate(home: Path) -> tuple[int, float]:
    """Execute up to ``DRAINED`` of what the recording-only server stored, in a separate process
    (``tradehub tradingview execute``): (alerts executed, seconds spent executing)."""
    env = {**os.environ, "TRADEHUB_HOME": str(home / "record"), **{f"TRADEHUB_{k.upper()}": v for k, v in BIG.items()}}
    done = subprocess.run(
        [sys.executable, "-m", "hub.app.cli", "tradingview", "execute", "--once", "--max", str(DRAINED)],
        env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    found = re.search(r"executed (\d+) alert\(s\) in ([\d.]+) s", done.stdout)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"tradehub tradingview execute failed: {done.stdout[-500:]} {done.stderr[-2000:]}")
    return int(found.group(1)), float(found.group(2))


def alert_to_fill(home: Path, count: int, rate: float) -> dict[str, float]:
    """Paced alerts on a fresh server; receipt-to-fill from the stored times, ack from the client."""
    path, env = prepare(home)
    acks: list[float] = []
    with ServerProcess(SERVER, env) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        started = time.perf_counter()
        for i in range(count):
            pause = started + i / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            body = json.dumps({"ticker": "BTCUSDT", "action": "buy", "contracts": "0.0002", "id": f"paced-{i}"})
            sent = time.perf_counter()
            response = client.post(path, content=body, headers={"Content-Type": "application/json"})
            acks.append((time.perf_counter() - sent) * 1000)
            response.raise_for_status()
        delays = _wait_for_fills(home, count)
    return {
        "count": len(delays),
        "ack_p50_ms": statistics.median(acks),
        "ack_p99_ms": percentile(acks, 0.99),
        "fill_p50_ms": statistics.median(delays),
        "fill_p99_ms": percentile(delays, 0.99),
    }


def _wait_for_fills(home: Path, count: int, timeout_s: float = 120) -> list[float]:
    from sqlalchemy import select

    from engine.storage.db import make_engine
    from engine.storage.models import FillRow
    from tradingview.storage import alerts

    engine = make_engine(f"sqlite:///{(home / 'tradehub.db').resolve()}")
    statement = select(alerts.c.received_ms, FillRow.ts_ms).join(FillRow, FillRow.order_id == alerts.c.order_id)
    deadline = time.monotonic() + timeout_s
    while True:
        with engine.connect() as conn:
            rows = conn.execute(statement).all()
        if len(rows) >= count or time.monotonic() > deadline:
            engine.dispose()
            return [float(fill_ms - received_ms) for received_ms, fill_ms in rows]
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--paced", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0)
    args = parser.parse_args()
    table = Table(title="tradehub TradingView benchmark (target in brackets)")
    for column in ("workload", "figure", "tradehub", "bare FastAPI + pydantic", "ratio"):
        table.add_column(column)
    with tempfile.TemporaryDirectory() as tmp:
        results = acknowledgement(Path(tmp) / "ack", args.seconds)
        labels = {"execute": "record + execute in process", "record": "record only"}
        for mode in ("execute", "record"):
            for senders in (64, 200):
                ours, bare = results[mode][senders], results["bare"][senders]
                where = f"{labels[mode]}, {senders} senders"
                ratio = ours.requests_per_s / bare.requests_per_s
                table.add_row(where, "alerts/s [ratio >= 0.5]", f"{ours.requests_per_s:,.0f}",
                              f"{bare.requests_per_s:,.0f}", f"{ratio:.2f}")  # fmt: skip
                table.add_row(where, "p50 / p99 [p99 < 20 ms]", f"{ours.p50_ms:.1f} / {ours.p99_ms:.1f} ms",
                              f"{bare.p50_ms:.1f} / {bare.p99_ms:.1f} ms", "")  # fmt: skip
                table.add_row(where, "non-2xx / socket errors", f"{ours.non_2xx} / {ours.errors}",
                              f"{bare.non_2xx} / {bare.errors}", "")  # fmt: skip
        executed, elapsed = drain_rate(Path(tmp) / "ack")
        table.add_row("recorded alerts, executed after", "executions/s (separate process)",
                      f"{executed / elapsed:,.0f} ({executed:,} in {elapsed:.0f} s)", "", "")  # fmt: skip
        paced = alert_to_fill(Path(tmp) / "paced", args.paced, args.rate)
        where = f"{paced['count']:.0f} alerts at {args.rate:.0f}/s"
        table.add_row(where, "ack p50 / p99 (client)",
                      f"{paced['ack_p50_ms']:.1f} / {paced['ack_p99_ms']:.1f} ms", "", "")  # fmt: skip
        table.add_row(where, "alert-to-fill p50 / p99", f"{paced['fill_p50_ms']:.0f} / {paced['fill_p99_ms']:.0f} ms",
                      "", "")  # fmt: skip
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
