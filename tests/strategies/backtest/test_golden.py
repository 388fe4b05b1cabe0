"""The fast backtest loop gives the same results as the reference loop on real data.

``golden_backtests.json`` was written by the backtester as it was before the speed work of issue #6
(commit bf093da): for DCA and grid runs on three bundled assets, the final Decimal balances, a
digest of every trade (time, id, side, liquidity, price, quantity, quote, fee, reason), two sums
over the equity curve and the report's metrics. Decimal fields must match exactly, floats to 1e-12.
"""

from __future__ import annotations

import hashlib
import json
import math
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from strategies.backtest.data import CandleSeries, load_candles
from strategies.backtest.run import run_backtest
from strategies.backtest.runner import run_simulation
from strategies.backtest.venue import Trade
from strategies.core import create_strategy
from tests.strategies.candles import REAL_DATA

GOLDEN = json.loads((Path(__file__).parent / "golden_backtests.json").read_text())
CASH = Decimal(100_000)
FEE = Decimal("0.001")
SLIPPAGE = Decimal("0.0005")

# name -> (kind, parameters); "{x}" is x times the first close, "{qN}" is N quote worth of base units
CASES: dict[str, tuple[str, dict[str, str]]] = {
    "dca-bench": ("dca", {"amount": "100", "every": "24h", "safety_orders": "3", "safety_step": "2",
                          "safety_volume_scale": "1.5", "take_profit": "3"}),
    "dca-dip": ("dca", {"amount": "250", "every": "8h", "dip": "2", "dip_multiplier": "2", "safety_orders": "5",
                        "safety_step": "1.5", "safety_step_scale": "1.2", "take_profit": "2"}),
    "grid-bench": ("grid", {"lower": "{0.6}", "upper": "{1.4}", "levels": "30", "mode": "geometric",
                            "quantity": "{q1000}"}),
    "grid-tp-sl": ("grid", {"lower": "{0.8}", "upper": "{1.3}", "levels": "12", "quantity": "{q500}",
                            "tp_price": "{2.5}", "sl_price": "{0.5}"}),
    "grid-stop": ("grid", {"lower": "{0.7}", "upper": "{1.2}", "levels": "8", "quantity": "{q500}",
                           "out_of_range": "stop"}),
}


@cache
def _series(asset: str) -> CandleSeries:
    return load_candles(REAL_DATA / f"{asset}-1h.csv.gz", symbol=asset.replace("_", "/"))


def _params(template: dict[str, str], first: Decimal) -> dict[str, str]:
    params = {}
    for key, value in template.items():
        if value.startswith("{q"):
            value = str((Decimal(value[2:-1]) / first).quantize(Decimal("0.000001")))
        elif value.startswith("{"):
            value = str(first * Decimal(value[1:-1]))
        params[key] = value
    return params


def _digest(trades: list[Trade]) -> str:
    text = "\n".join(f"{t.ts_ms},{t.intent_id},{t.side},{t.liquidity},{t.price},{t.quantity},{t.quote},{t.fee},"
                     f"{t.reason}" for t in trades)
    return hashlib.sha256(text.encode()).hexdigest()


def _flat(metrics: dict[str, object]) -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{inner}": item for inner, item in value.items()})
        else:
            flat[key] = value
    return flat


def _close(actual: object, expected: object) -> bool:
    if isinstance(expected, float) and isinstance(actual, float):
        return math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-12)
    return actual == expected


def test_the_golden_file_covers_every_case() -> None:
    assert set(GOLDEN) == {f"{name}/{asset}" for name in CASES for asset in ("BTC_USDT", "ETH_USDT", "XRP_USDT")}
    assert all(GOLDEN[key]["trades"] > 0 for key in GOLDEN)


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_results_match_the_reference_loop(key: str) -> None:
    name, asset = key.split("/")
    kind, template = CASES[name]
    expected = GOLDEN[key]
    series = _series(asset)
    params = _params(template, Decimal(series.text[0][3]))
    strategy = create_strategy(kind, strategy_id="golden", symbols=(series.symbol,), cash=CASH, params=params)
    simulation = run_simulation(strategy, [series], cash=CASH, fee=FEE, slippage=SLIPPAGE)
    venue = simulation.venue
    assert str(venue.cash) == expected["cash"]
    assert str(venue.positions[series.symbol]) == expected["position"]
    assert (len(venue.trades), len(venue.rejections)) == (expected["trades"], expected["rejections"])
    assert _digest(venue.trades) == expected["digest"]
    assert _close(float(simulation.equity[-1]), expected["equity_last"])
    assert _close(float(simulation.equity.sum()), expected["equity_sum"])

    report = run_backtest(kind, series.symbol, REAL_DATA / f"{asset}-1h.csv.gz", cash=str(CASH), fee=str(FEE),
                          slippage=str(SLIPPAGE), params=params).report
    metrics = _flat(report["metrics"])  # type: ignore[arg-type]
    assert set(metrics) == set(expected["metrics"])
    different = {name: (metrics[name], value) for name, value in expected["metrics"].items()
                 if not _close(metrics[name], value)}
    assert different == {}
