"""Backtester throughput: candle-steps per second for buyhold, DCA and grid on the bundled assets.

Usage: ``python -m bench.backtest [DATA_DIR] [--repeat N]`` (default data dir: engine/data/binance-1h,
falling back to /work/shared/data/binance-1h). Each strategy runs over every ``*.csv.gz`` file in the
directory; the figure is total candles divided by the best-of-N wall time of the simulation loop
(loading the CSV is excluded; the metrics and report are timed separately as "full"). The runner keeps
per-series lookup tables (range extrema, timestamp list) across runs, so the first repeat is also
shown ("cold"): it includes building them, as a single backtest of a fresh file does.
"""

from __future__ import annotations

import argparse
import os
import time
from decimal import Decimal
from pathlib import Path

from strategies.backtest.data import CandleSeries, load_candles
from strategies.backtest.metrics import compute_metrics
from strategies.backtest.runner import run_simulation
from strategies.core import create_strategy

_DEFAULT_DIRS = (Path("engine/data/binance-1h"), Path("/work/shared/data/binance-1h"))
CASH = Decimal(100_000)
FEE = Decimal("0.001")
SLIPPAGE = Decimal("0.0005")


def strategy_params(kind: str, series: CandleSeries) -> dict[str, str]:
    """Typical settings, scaled to the asset's first price so every asset gets a comparable grid."""
    first = Decimal(series.text[0][3])
    if kind == "dca":
        return {"amount": "100", "every": "24h", "safety_orders": "3", "safety_step": "2",
                "safety_volume_scale": "1.5", "take_profit": "3"}
    if kind == "grid":
        quantity = (Decimal(1_000) / first).quantize(Decimal("0.000001"))
        return {"lower": str(first * Decimal("0.6")), "upper": str(first * Decimal("1.4")),
                "levels": "30", "mode": "geometric", "quantity": str(quantity)}
    return {}


def bench(kind: str, assets: list[CandleSeries], repeat: int) -> tuple[float, float, float, float, int, int]:
    """Rates: best-of-``repeat`` simulation wall clock, simulation CPU time, simulation + metrics, and
    the first (cold) repeat's simulation wall clock."""
    candles = sum(len(series) for series in assets)
    best_loop = best_cpu = best_full = float("inf")
    cold = 0.0
    events = trades = 0
    for series in assets:
        series.cache.clear()  # the first repeat starts cold, as a single backtest of a fresh file does
    for attempt in range(repeat):
        loop = cpu = full = 0.0
        events = trades = 0
        for series in assets:
            strategy = create_strategy(kind, strategy_id="bench", symbols=(series.symbol,), cash=CASH,
                                       params=strategy_params(kind, series))
            started, started_cpu = time.perf_counter(), time.process_time()
            simulation = run_simulation(strategy, [series], cash=CASH, fee=FEE, slippage=SLIPPAGE)
            middle, middle_cpu = time.perf_counter(), time.process_time()
            compute_metrics(simulation.ts, simulation.equity, initial=float(CASH),
                            trades=len(simulation.venue.trades))
            loop += middle - started
            cpu += middle_cpu - started_cpu
            full += time.perf_counter() - started
            events += simulation.events
            trades += len(simulation.venue.trades)
        best_loop, best_cpu, best_full = min(best_loop, loop), min(best_cpu, cpu), min(best_full, full)
        if attempt == 0:
            cold = loop
    return candles / best_loop, candles / max(best_cpu, 1e-9), candles / best_full, candles / cold, events, trades


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    directory = args.data_dir or next(path for path in _DEFAULT_DIRS if path.is_dir())
    files = sorted(directory.glob("*.csv.gz"))
    assets = [load_candles(path, symbol=path.name.split("-")[0].replace("_", "/")) for path in files]
    total = sum(len(series) for series in assets)
    print(f"{len(assets)} assets, {total:,} candles from {directory}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for kind in ("buyhold", "dca", "grid"):
        loop_rate, cpu_rate, full_rate, cold_rate, events, trades = bench(kind, assets, args.repeat)
        print(f"{kind:8s} {loop_rate:>13,.0f} candle-steps/s wall  {cpu_rate:>13,.0f}/s CPU time  "
              f"{cold_rate:>11,.0f}/s cold  {full_rate:>11,.0f}/s with metrics  "
              f"active bars {events:,}  trades {trades:,}")


if __name__ == "__main__":
    main()
