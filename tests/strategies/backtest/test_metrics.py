"""Report metrics agree with quantstats (the reference library) on real candles."""

from __future__ import annotations

import math
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import quantstats as qs

from strategies.backtest.data import load_candles
from strategies.backtest.metrics import compute_metrics, period_returns
from strategies.backtest.runner import run_simulation
from strategies.core import create_strategy
from tests.strategies.candles import REAL_DATA

HOURLY = 8760
CASH = 100_000.0
RUNS = {
    "buyhold": {},
    "dca": {"amount": "250", "every": "24h", "safety_orders": "3", "safety_step": "2", "take_profit": "4"},
    "grid": {"lower": "0.5", "upper": "1.5", "levels": "30", "mode": "geometric", "quantity": "1"},
}


def _params(kind: str, first: float) -> dict[str, str]:
    params = dict(RUNS[kind])
    if kind == "grid":  # scale the range and size to the asset
        params.update(lower=str(first * 0.5), upper=str(first * 1.5), quantity=f"{1_500 / first:.6f}")
    return params


def _simulate(kind: str, asset: str, *, drop_every: int = 0):
    data = load_candles(REAL_DATA / f"{asset}_USDT-1h.csv.gz", symbol=f"{asset}/USDT")
    if drop_every:  # punch holes into the data
        keep = np.ones(len(data), dtype=bool)
        keep[::drop_every] = False
        data = data.take(np.flatnonzero(keep))
    strategy = create_strategy(kind, strategy_id="m", symbols=(data.symbol,), cash=Decimal(int(CASH)),
                               params=_params(kind, float(data.close[0])))
    return run_simulation(strategy, [data], cash=Decimal(int(CASH)), fee=Decimal("0.001"),
                          slippage=Decimal("0.0005"))


def _reference(returns: pd.Series) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        details = qs.stats.drawdown_details(qs.stats.to_drawdown_series(returns))
        return {
            "total_return": qs.stats.comp(returns),
            "cagr": qs.stats.cagr(returns, periods=HOURLY),
            "volatility": qs.stats.volatility(returns, periods=HOURLY),
            "sharpe": qs.stats.sharpe(returns, periods=HOURLY),
            "sortino": qs.stats.sortino(returns, periods=HOURLY),
            "calmar": qs.stats.calmar(returns, periods=HOURLY),
            "max_drawdown": qs.stats.max_drawdown(returns),
            "max_drawdown_duration": float(details["days"].max()) if len(details) else 0.0,
            "win_rate": qs.stats.win_rate(returns),
            "profit_factor": qs.stats.profit_factor(returns),
            "exposure": qs.stats.exposure(returns),
            "var_95.parametric": qs.stats.value_at_risk(returns),
            "cvar_95.parametric": qs.stats.conditional_value_at_risk(returns),
            "var_95.historical": returns.quantile(0.05),
            "cvar_95.historical": qs.stats.conditional_value_at_risk(returns, method="historical"),
        }


def _ours(metrics: dict, key: str) -> float:
    head, _, tail = key.partition(".")
    value = metrics[head][tail] if tail else metrics[head]
    return float(value)


@pytest.mark.parametrize("kind", sorted(RUNS))
@pytest.mark.parametrize("asset", ["BTC", "ETH", "SOL"])
def test_metrics_agree_with_quantstats_to_1e_6(kind: str, asset: str) -> None:
    simulation = _simulate(kind, asset)
    metrics = compute_metrics(simulation.ts, simulation.equity, initial=CASH, trades=len(simulation.venue.trades))
    returns = pd.Series(period_returns(simulation.equity, CASH), index=pd.to_datetime(simulation.ts, unit="ms"))

    assert metrics["periods_per_year"] == HOURLY
    for key, expected in _reference(returns).items():
        assert _ours(metrics, key) == pytest.approx(expected, rel=1e-6, abs=1e-6), key


def test_metrics_agree_with_quantstats_on_data_with_gaps() -> None:
    simulation = _simulate("dca", "XRP", drop_every=7)
    metrics = compute_metrics(simulation.ts, simulation.equity, initial=CASH, trades=0)
    returns = pd.Series(period_returns(simulation.equity, CASH), index=pd.to_datetime(simulation.ts, unit="ms"))

    assert metrics["periods_per_year"] == HOURLY  # the median bar is still an hour
    for key, expected in _reference(returns).items():
        assert _ours(metrics, key) == pytest.approx(expected, rel=1e-6, abs=1e-6), key


def test_monte_carlo_var_converges_to_the_normal_model_and_is_reproducible() -> None:
    simulation = _simulate("buyhold", "BNB")
    first = compute_metrics(simulation.ts, simulation.equity, initial=CASH, trades=1)
    again = compute_metrics(simulation.ts, simulation.equity, initial=CASH, trades=1)

    assert first["var_95"] == again["var_95"]
    assert first["var_95"]["monte_carlo"] == pytest.approx(first["var_95"]["parametric"], rel=0.02)
    assert first["cvar_95"]["monte_carlo"] == pytest.approx(first["cvar_95"]["parametric"], rel=0.02)
    assert first["cvar_95"]["historical"] < first["var_95"]["historical"] < 0


def test_hand_computed_metrics_of_a_tiny_curve() -> None:
    ts = np.array([0, 3_600_000, 7_200_000, 10_800_000], dtype=np.int64)
    equity = np.array([100.0, 110.0, 99.0, 99.0])

    metrics = compute_metrics(ts, equity, initial=100.0, trades=2)

    assert metrics["total_return"] == pytest.approx(-0.01)
    assert metrics["max_drawdown"] == pytest.approx(-0.1)  # 110 -> 99
    assert metrics["win_rate"] == pytest.approx(0.5)  # one gain, one loss, two flat bars
    assert metrics["exposure"] == pytest.approx(0.5)
    assert metrics["profit_factor"] == pytest.approx(1.0)  # +10% and -10%
    assert metrics["cagr"] == pytest.approx(0.99 ** (8760 / 4) - 1)
    assert metrics["trades"] == 2
    assert not math.isnan(metrics["sharpe"])
