"""Telegram benchmark: an inbound update to the bot's reply arriving at the (fake) Bot API.

    .venv/bin/python -m bench.chat_telegram [--updates 300] [--concurrency 8]

The real app runs under uvicorn with the Telegram webhook enabled; the Bot API fake
(``tests/fakes/telegram.py``) POSTs each update to ``/telegram/webhook`` as Telegram does, and the
latency is from just before that POST to the moment the fake records the bot's ``sendMessage``.
Then the same through long polling (the update queued at the fake, PTB's held ``getUpdates`` picks
it up). Commands alternate between ``price BTC`` and ``buy 0.001 BTC/USDT`` from a linked trader, so
every update goes through the gateway, the hub's idempotency store, the audit log and the paper venue.
``updates/s`` comes from a separate run with ``--concurrency`` webhook deliveries in flight.
Target (issue 3): p99 < 50 ms on this machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.support.chatstats import run_main, summary

SECRET = "bench-webhook-secret"
USER_ID = 4242
COMMANDS = ("price BTC", "buy 0.001 BTC/USDT")
REPLY_METHODS = ("sendMessage", "sendPhoto")


def measure(n: int, *, concurrency: int = 8) -> dict[str, Any]:
    """p50/p99 ms from inbound update to reply at the fake Bot API (webhook path), and updates/s."""
    with _served(webhook=True) as (fake, url, _container):
        latencies = asyncio.run(_webhook_latencies(fake, url, n))
        rate = asyncio.run(_webhook_rate(fake, url, n, concurrency))
    return {"path": "webhook", **summary(latencies), "updates_per_s": rate}


def measure_polling(n: int) -> dict[str, Any]:
    """The same latency through long polling (PTB ``getUpdates`` held at the fake)."""
    with _served(webhook=False) as (fake, _url, container):
        latencies = asyncio.run(_polling_latencies(fake, container, n))
    return {"path": "polling", **summary(latencies), "updates_per_s": 1000.0 / statistics.fmean(latencies)}


@contextlib.contextmanager
def _served(*, webhook: bool) -> Iterator[tuple[Any, str, Any]]:
    from hub.app import logs
    from hub.app.api import create_app
    from hub.app.container import build
    from hub.app.settings import Settings
    from tests.conftest import LiveServer
    from tests.fakes.telegram import FakeTelegram

    logs.configure("warning")
    fake = FakeTelegram().start()
    with tempfile.TemporaryDirectory() as home:
        values: dict[str, Any] = {
            "home": Path(home),
            "telegram_token": fake.token,
            "telegram_api_url": fake.api_root,
            "confirm_above_usd": "1000000",
            "rate_limit": "100000/second",
        }
        if webhook:
            values["telegram_webhook_secret"] = SECRET
        container = build(Settings(_env_file=None, **values))  # type: ignore[call-arg]
        container.add_user("bench")
        container.services.users.link("bench", "telegram", str(USER_ID))
        try:
            with LiveServer(create_app(container, start_background=False)) as live:
                if webhook:
                    fake.webhook = {"url": f"{live.url}/telegram/webhook", "secret_token": SECRET}
                yield fake, live.url, container
        finally:
            container.close()
            fake.stop()


async def _webhook_latencies(fake: Any, url: str, n: int) -> list[float]:
    latencies = []
    for index in range(n + 10):  # the first few warm up caches and connections
        update = fake.message_update(COMMANDS[index % 2], user_id=USER_ID)
        before = len(_replies(fake))
        started = time.monotonic()
        status = await fake.deliver_webhook(update)
        sent = _replies(fake)
        if status != 200 or len(sent) != before + 1 or sent[-1].status != 200:
            raise RuntimeError(f"update {index}: webhook {status}, {len(sent) - before} replies")
        if index >= 10:
            latencies.append((sent[-1].at - started) * 1000)
    return latencies


async def _webhook_rate(fake: Any, url: str, n: int, concurrency: int) -> float:
    updates = [fake.message_update(COMMANDS[i % 2], user_id=USER_ID) for i in range(n)]
    before = len(_replies(fake))
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for update in updates:
        queue.put_nowait(update)

    async def worker() -> None:
        while not queue.empty():
            status = await fake.deliver_webhook(queue.get_nowait())
            if status != 200:
                raise RuntimeError(f"webhook answered {status}")

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    delivered = len(_replies(fake)) - before
    if delivered != n:
        raise RuntimeError(f"{delivered} replies for {n} updates")
    return n / elapsed


async def _polling_latencies(fake: Any, container: Any, n: int) -> list[float]:
    from bots.telegram.config import TelegramConfig
    from bots.telegram.runtime import polling

    config = dataclasses.replace(TelegramConfig.from_settings(container.settings), poll_timeout_s=2)
    latencies = []
    async with polling(container, config):
        for index in range(n + 10):
            started = time.monotonic()
            fake.push_message(COMMANDS[index % 2], user_id=USER_ID)
            sent = await _wait_reply(fake, started)
            if index >= 10:
                latencies.append((sent.at - started) * 1000)
    return latencies


def _replies(fake: Any) -> list[Any]:
    """What the bot sent (a ``price`` reply is a photo once the replay has a day of candles)."""
    return [r for r in fake.requests() if r.name in REPLY_METHODS]


async def _wait_reply(fake: Any, since: float) -> Any:
    while True:
        for entry in reversed(fake.requests()):
            if entry.at < since:
                break
            if entry.name in REPLY_METHODS:
                return entry
        await asyncio.sleep(0.001)


def _all_paths(n: int, concurrency: int) -> list[dict[str, Any]]:
    return [measure(n, concurrency=concurrency), {**measure_polling(n), "sequential": True}]


def main() -> None:
    run_main(__doc__, "telegram: update -> reply at the fake Bot API", _all_paths)


if __name__ == "__main__":
    main()
