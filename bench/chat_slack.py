"""Slack benchmark: a signed Slack request to the bot's reply arriving at the (fake) Slack Web API.

    .venv/bin/python -m bench.chat_slack [--updates 300] [--concurrency 8]

The real app runs under uvicorn with bolt behind ``POST /slack/events``; each update is an Events API
``message`` event (a direct message from a linked trader), signed with the signing secret like Slack
signs it and POSTed to the app. Latency is from just before that POST to the moment the Slack fake
(``tests/fakes/slack.py``) records the bot's ``chat.postMessage``. Then the same over Socket Mode
(the envelope sent on the fake's websocket to the ``chat.postMessage``). Commands alternate between
``price BTC/USDT`` and ``buy 0.001 BTC/USDT``, so every update goes through bolt's signature check,
the gateway, the hub's idempotency store, the audit log and the paper venue. ``updates/s`` comes from
a separate HTTP run with ``--concurrency`` requests in flight. Target (issue 3): p99 < 50 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.support.chatstats import run_main, summary

SIGNING_SECRET = "bench-signing-secret"
TEAM_USER = "U0BENCH"
COMMANDS = ("price BTC/USDT", "buy 0.001 BTC/USDT")
WARMUP = 10
REPLY = "chat.postMessage"


def measure(n: int, *, concurrency: int = 8) -> dict[str, Any]:
    """p50/p99 ms from signed POST to reply at the fake Web API (HTTP mode), and updates/s."""
    with _served() as (fake, url, _container):
        latencies, rate = asyncio.run(_http_run(fake, url, n, concurrency))
    return {"path": "http events", **summary(latencies), "updates_per_s": rate}


def measure_socket_mode(n: int) -> dict[str, Any]:
    """The same latency over Socket Mode (envelope on the fake's websocket to the reply)."""
    with _served() as (fake, _url, container):
        latencies = asyncio.run(_socket_latencies(fake, container, n))
    return {"path": "socket mode", **summary(latencies), "updates_per_s": 1000.0 / statistics.fmean(latencies)}


@contextlib.contextmanager
def _served() -> Iterator[tuple[Any, str, Any]]:
    from hub.app import logs
    from hub.app.api import create_app
    from hub.app.container import build
    from hub.app.settings import Settings
    from tests.conftest import LiveServer
    from tests.fakes.slack import FakeSlack

    logs.configure("warning")
    fake = FakeSlack().start()
    with tempfile.TemporaryDirectory() as home:
        values: dict[str, Any] = {
            "home": Path(home),
            "slack_bot_token": fake.bot_token,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_app_token": fake.app_token,
            "slack_api_url": fake.api_url,
            "confirm_above_usd": "1000000",
            "rate_limit": "100000/second",
        }
        container = build(Settings(_env_file=None, **values))  # type: ignore[call-arg]
        container.add_user("bench")
        container.services.users.link("bench", "slack", f"{fake.team_id}:{TEAM_USER}")
        try:
            with LiveServer(create_app(container, start_background=False)) as live:
                yield fake, f"{live.url}/slack/events", container
        finally:
            container.close()
            fake.stop()


def _signed_event(fake: Any, index: int) -> tuple[bytes, dict[str, str]]:
    from tests.fakes.slack import http_body, signed_headers

    event = fake.message_event(COMMANDS[index % 2], user=TEAM_USER, channel="D0BENCH")
    body, content_type = http_body(fake.event_callback(event))
    return body, {"Content-Type": content_type, **signed_headers(body, signing_secret=SIGNING_SECRET)}


async def _wait_for_replies(fake: Any, count: int, *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(fake.requests(REPLY)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(fake.requests(REPLY))} of {count} replies arrived")
        await asyncio.sleep(0.0005)


async def _http_run(fake: Any, url: str, n: int, concurrency: int) -> tuple[list[float], float]:
    latencies = []
    async with httpx.AsyncClient(timeout=10) as client:
        for index in range(n + WARMUP):
            body, headers = _signed_event(fake, index)
            before = len(fake.requests(REPLY))
            started = time.monotonic()
            response = await client.post(url, content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"update {index}: {response.status_code} {response.text}")
            await _wait_for_replies(fake, before + 1)
            reply = fake.requests(REPLY)[before]
            if reply.status != 200:
                raise RuntimeError(f"update {index}: reply answered {reply.status}")
            if index >= WARMUP:
                latencies.append((reply.at - started) * 1000)
        rate = await _http_rate(fake, client, url, n, concurrency)
    return latencies, rate


async def _http_rate(fake: Any, client: httpx.AsyncClient, url: str, n: int, concurrency: int) -> float:
    requests = [_signed_event(fake, index) for index in range(n)]
    before = len(fake.requests(REPLY))
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)

    async def worker() -> None:
        while not queue.empty():
            body, headers = queue.get_nowait()
            response = await client.post(url, content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"request answered {response.status_code}")

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await _wait_for_replies(fake, before + n, timeout=60)
    return n / (time.monotonic() - started)


async def _socket_latencies(fake: Any, container: Any, n: int) -> list[float]:
    from bots.slack.socket_mode import socket_mode

    latencies = []
    async with socket_mode(container):
        for index in range(n + WARMUP):
            before = len(fake.requests(REPLY))
            started = time.monotonic()
            fake.push_message_event(COMMANDS[index % 2], user=TEAM_USER, channel="D0BENCH")
            await _wait_for_replies(fake, before + 1)
            if index >= WARMUP:
                latencies.append((fake.requests(REPLY)[before].at - started) * 1000)
    return latencies


def _all_paths(n: int, concurrency: int) -> list[dict[str, Any]]:
    return [measure(n, concurrency=concurrency), {**measure_socket_mode(n), "sequential": True}]


def main() -> None:
    run_main(__doc__, "slack: signed request -> reply at the fake Web API", _all_paths)


if __name__ == "__main__":
    main()
