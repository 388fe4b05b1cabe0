"""Discord benchmark: an interaction to the bot's reply arriving at the (fake) Discord API.

    .venv/bin/python -m bench.chat_discord [--updates 300] [--concurrency 8]

Gateway path (``measure``): the real app's gateway bot (discord.py, ``bots.discord.client``) is
connected to the local Discord fake (``tests/fakes/discord.py``); each ``/trade`` interaction is
dispatched over the gateway websocket as INTERACTION_CREATE, and the latency runs from just before
that dispatch to the moment the fake records the bot's interaction callback (the reply). HTTP path
(``measure_http``): the fake POSTs each interaction, Ed25519-signed, to ``/discord/interactions`` on
the real app under uvicorn; the reply is the HTTP response, so the latency is the round trip.
Commands alternate between ``price BTC`` and ``buy 0.001 BTC/USDT`` from a linked trader in a DM,
so every interaction goes through the gateway, the hub's idempotency store, the audit log and the
paper venue. ``updates/s`` comes from a separate run with ``--concurrency`` interactions in flight.
Target (issue 3): p99 < 50 ms on this machine.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.support.chatstats import run_main, summary

USER_ID = "4242"
COMMANDS = ("price BTC", "buy 0.001 BTC/USDT")
WARMUP = 10


def measure(n: int, *, concurrency: int = 8) -> dict[str, Any]:
    """p50/p99 ms from INTERACTION_CREATE to the reply at the fake (gateway bot), and updates/s."""
    with _fake_and_container() as (fake, container):
        latencies, rate = asyncio.run(_gateway_run(fake, container, n, concurrency))
    return {"path": "gateway", **summary(latencies), "updates_per_s": rate}


def measure_http(n: int, *, concurrency: int = 8) -> dict[str, Any]:
    """The same through the HTTP interactions endpoint (signed POST -> reply in the response)."""
    from hub.app.api import create_app
    from tests.conftest import LiveServer

    with _fake_and_container() as (fake, container), LiveServer(create_app(container, start_background=False)) as live:
        url = f"{live.url}/discord/interactions"
        latencies = [_deliver(fake, url, index) for index in range(n + WARMUP)][WARMUP:]
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(lambda index: _deliver(fake, url, index), range(n)))
        rate = n / (time.monotonic() - started)
    return {"path": "http endpoint", **summary(latencies), "updates_per_s": rate}


@contextlib.contextmanager
def _fake_and_container() -> Iterator[tuple[Any, Any]]:
    import discord.gateway
    import discord.http
    import yarl

    from hub.app import logs
    from hub.app.container import build
    from hub.app.settings import Settings
    from tests.fakes.discord import FakeDiscord

    logs.configure("warning")
    fake = FakeDiscord().start()
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            home=Path(home),
            discord_token=fake.token,
            discord_public_key=fake.public_key,
            discord_api_url=fake.api_base,
            confirm_above_usd="1000000",
            rate_limit="100000/second",
        )
        container = build(settings)
        container.add_user("bench")
        container.services.users.link("bench", "discord", USER_ID)
        try:
            yield fake, container
        finally:
            container.close()
            fake.stop()
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


async def _gateway_run(fake: Any, container: Any, n: int, concurrency: int) -> tuple[list[float], float]:
    from bots.discord.client import gateway_bot
    from tests.fakes.discord import CALLBACK, GLOBAL_COMMANDS

    async def reply_to(interaction: dict[str, Any]) -> Any:
        entry = await fake.journal.wait_for(CALLBACK, predicate=lambda e: interaction["id"] in e.path, timeout=10)
        if entry.status != 200:
            raise RuntimeError(f"callback answered {entry.status}: {entry.response}")
        return entry

    def push(index: int) -> dict[str, Any]:
        return fake.push_slash_command("trade", {"text": COMMANDS[index % 2]}, user_id=USER_ID, guild_id=None)

    async with gateway_bot(container):
        await fake.journal.wait_for(GLOBAL_COMMANDS, timeout=10)
        await fake.wait_until_identified(timeout=10)
        latencies = []
        for index in range(n + WARMUP):
            started = time.monotonic()
            entry = await reply_to(push(index))
            if index >= WARMUP:
                latencies.append((entry.at - started) * 1000)
        started = time.monotonic()
        for batch in range(0, n, concurrency):
            pushed = [push(index) for index in range(batch, min(n, batch + concurrency))]
            await asyncio.gather(*(reply_to(interaction) for interaction in pushed))
        rate = n / (time.monotonic() - started)
    return latencies, rate


def _deliver(fake: Any, url: str, index: int) -> float:
    interaction = fake.http_slash_command("trade", {"text": COMMANDS[index % 2]}, user_id=USER_ID, guild_id=None)
    started = time.monotonic()
    delivery = fake.deliver(url, interaction)
    elapsed = (time.monotonic() - started) * 1000
    if delivery.status != 200 or delivery.body.get("type") != 4:
        raise RuntimeError(f"interaction {index}: {delivery.status} {delivery.body}")
    return elapsed


def _all_paths(n: int, concurrency: int) -> list[dict[str, Any]]:
    return [measure(n, concurrency=concurrency), measure_http(n, concurrency=concurrency)]


def main() -> None:
    run_main(__doc__, "discord: interaction -> reply at the fake Discord API", _all_paths)


if __name__ == "__main__":
    main()
