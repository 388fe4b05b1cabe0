"""Venue benchmark: what tradehub adds on top of ccxt per order, and DEX quote-to-swap time.

    .venv/bin/python -m bench.venues [--orders 300] [--swaps 30]

Order placement, against the local fake binance (tests/fakes) on 127.0.0.1, limit buys far below the
market so every order rests and balances never run out:
- baseline: ccxt's ``create_order`` called directly (request signing, HTTP, the fake, parsing);
- venue: ``CcxtVenue.submit`` (market lookup, rounding and limit checks, client id, schema parsing);
- hub: ``buy 0.001 BTC/USDT @ 20000 on binance-main`` through the hub (grammar, audit, idempotency,
  OMS risk checks and fund locking in SQLite, the venue registry, the lazily connected account).
The fake and the network are in every path, so ``overhead = path - baseline`` at the same percentile
excludes the fake's own time. The target is the venue adding under 2 ms and the hub under 15 ms at p50.
DEX: on the in-process Uniswap V2 chain (needs the npm artifacts, see tests/fakes/chain.py), the time
of ``quote`` and of ``execute`` (sign, send, mine, receipt to fill) per swap, alternating buys and sells.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

OVERHEAD_TARGET_MS = {"venue": 2.0, "hub": 15.0}
NO_THROTTLE: dict[str, Any] = {"enable_rate_limit": False, "close_grace_ms": 0}
BALANCES = {"USDT": Decimal(10**9), "BTC": Decimal(1), "ETH": Decimal(10)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _interleaved(count: int, warmup: int, actions: dict[str, Any]) -> dict[str, list[float]]:
    """Time each action once per round, in turn, so every path meets the fake in the same state
    (its book grows with each resting order) and the same machine load."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    names = list(actions)
    for index in range(warmup + count):
        shift = index % len(names)  # rotate who goes first: work one path leaves behind lands on each alike
        for name in names[shift:] + names[:shift]:
            action = actions[name]
            started = time.perf_counter_ns()
            await action(index)
            if index >= warmup:
                samples[name].append((time.perf_counter_ns() - started) / 1e6)
    return samples


async def orders(count: int) -> dict[str, list[float]]:
    from cryptography.fernet import Fernet

    from engine.domain import ClientOrderId, OrderType, Side
    from engine.venues.accounts import ExchangeAccountSpec, VenueAccounts
    from engine.venues.base import OrderRequest
    from engine.venues.ccxt import CcxtVenue, CcxtVenueConfig, build_exchange
    from engine.venues.credentials import CredentialBox
    from hub.app.container import build
    from hub.app.settings import Settings
    from tests.fakes.exchange import FakeExchange
    from tests.fakes.exchange_binance import BINANCE
    from tests.fakes.exchange_conftest import TEST_CREDENTIALS
    from tests.kit.hubdriver import HubDriver

    credentials = TEST_CREDENTIALS["binance"]
    fake = FakeExchange(BINANCE, api_key=credentials.api_key, secret=credentials.secret, balances=dict(BALANCES))
    await fake.start()
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), master_key=Fernet.generate_key().decode(), log_level="warning",
                            confirm_above_usd=Decimal(10**9),
                            max_position_notional=Decimal(10**12))  # type: ignore[call-arg]  # fmt: skip
        container = build(settings)
        service = VenueAccounts(container.db, container.services.venues, CredentialBox(settings.master_key
                                .get_secret_value()), container.clock, exchange_overrides=NO_THROTTLE)  # fmt: skip
        owner = container.add_user("bench")
        service.add_exchange(owner.user_id, ExchangeAccountSpec(
            "binance-main", "binance", credentials.api_key, credentials.secret, api_url=fake.url))  # fmt: skip
        config = CcxtVenueConfig("binance", credentials=credentials, api_url=fake.url, **NO_THROTTLE)
        venue = CcxtVenue.from_config(config)
        exchange = build_exchange(config)  # the same configuration, called directly for the baseline
        try:
            await venue.load_markets()
            await exchange.load_markets()

            async def raw(index: int) -> None:
                await exchange.create_order("BTC/USDT", "limit", "buy", "0.001", "20000",
                                            {"clientOrderId": f"raw{index}"})  # fmt: skip

            async def ours(index: int) -> None:
                await venue.submit(OrderRequest(ClientOrderId(f"ven-{index}"), "BTC/USDT", Side.BUY, OrderType.LIMIT,
                                                Decimal("0.001"), Decimal("20000")))  # fmt: skip

            driver = HubDriver(container, owner)

            async def hub(index: int) -> None:
                reply = await driver.push("buy 0.001 BTC/USDT @ 20000 on binance-main", key=f"bench-{index}")
                if not reply.ok:
                    raise RuntimeError(reply.text)

            results = await _interleaved(count, max(5, count // 10), {"baseline": raw, "venue": ours, "hub": hub})
        finally:
            await venue.close()
            await exchange.close()
            await service.close()
            container.close()
            await fake.stop()
    return results


async def swaps(count: int) -> dict[str, list[float]] | None:
    from engine.domain import ClientOrderId, Side
    from engine.venues.dex import ChainConfig, DexVenue, DexVenueConfig, TokenConfig
    from tests.fakes.chain import LocalChain, artifacts_dir

    if artifacts_dir() is None:
        return None
    chain = LocalChain()
    deployment = await chain.setup_uniswap(("TKA", "TKB"))
    await chain.add_liquidity("TKA", "TKB", Decimal(100_000), Decimal(200_000))
    wallet = await chain.new_wallet(native=Decimal(100), tokens={"TKA": Decimal(1000), "TKB": Decimal(2000)})
    tokens = tuple(TokenConfig(symbol, contract.address, 18) for symbol, contract in deployment.tokens.items())
    chain_config = ChainConfig("local", 131277322940537, "http://127.0.0.1:8545", deployment.router.address,
                               deployment.factory.address, tokens)  # fmt: skip
    venue = DexVenue(DexVenueConfig(chain_config, "", "", receipt_poll_s=0.001), chain.w3, wallet)
    for side in (Side.BUY, Side.SELL):  # approvals happen once per token: not part of a swap's time
        await venue.execute(await venue.quote("TKA/TKB", side, Decimal(1)), ClientOrderId(f"warm-{side.value}"))
    quoted, executed = [], []
    for index in range(count):
        side = Side.BUY if index % 2 == 0 else Side.SELL
        started = time.perf_counter_ns()
        swap_quote = await venue.quote("TKA/TKB", side, Decimal(1))
        middle = time.perf_counter_ns()
        update = await venue.execute(swap_quote, ClientOrderId(f"swap-{index}"))
        ended = time.perf_counter_ns()
        if update.status.value != "filled":
            raise RuntimeError(f"swap {index} did not fill: {update.reason}")
        quoted.append((middle - started) / 1e6)
        executed.append((ended - middle) / 1e6)
    total = [quote + swap for quote, swap in zip(quoted, executed, strict=True)]
    return {"quote": quoted, "swap": executed, "quote to filled": total}


def report(order_times: dict[str, list[float]], swap_times: dict[str, list[float]] | None) -> Table:
    table = Table(title="tradehub venues: placement overhead over ccxt (fake binance) and DEX quote-to-swap")
    for column in ("path", "n", "p50 ms", "p99 ms", "mean ms", "overhead p50", "overhead p99", "target", "ratio"):
        table.add_column(column, justify="left" if column == "path" else "right")
    base = order_times["baseline"]
    base50, base99 = percentile(base, 0.5), percentile(base, 0.99)
    for name, samples in order_times.items():
        p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
        target = OVERHEAD_TARGET_MS.get(name)
        overhead = "" if name == "baseline" else f"{p50 - base50:.2f}"
        overhead99 = "" if name == "baseline" else f"{p99 - base99:.2f}"
        ratio = "" if target is None else f"{(p50 - base50) / target:.2f}x of target"
        table.add_row(f"order: {name}", str(len(samples)), f"{p50:.2f}", f"{p99:.2f}",
                      f"{statistics.fmean(samples):.2f}", overhead, overhead99,
                      "" if target is None else f"< {target:.0f} ms", ratio)  # fmt: skip
    if swap_times is None:
        table.add_row("dex", "skipped: Uniswap V2 artifacts not installed (see tests/fakes/chain.py)")
    else:
        for name, samples in swap_times.items():
            p50, p99, mean = percentile(samples, 0.5), percentile(samples, 0.99), statistics.fmean(samples)
            table.add_row(f"dex: {name}", str(len(samples)), f"{p50:.2f}", f"{p99:.2f}", f"{mean:.2f}", "", "", "", "")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--swaps", type=int, default=30)
    args = parser.parse_args()

    async def run() -> tuple[dict[str, list[float]], dict[str, list[float]] | None]:
        return await orders(args.orders), await swaps(args.swaps)

    order_times, swap_times = asyncio.run(run())
    Console(width=160).print(report(order_times, swap_times))


if __name__ == "__main__":
    main()
