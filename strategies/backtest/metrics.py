"""Performance and risk metrics of an equity curve, following quantstats' definitions.

Returns are per bar: ``r_t = E_t / E_{t-1} - 1`` with ``E_{-1}`` the starting cash, so the first
bar's fee counts and ``total_return = E_last / cash - 1``. Annualisation uses the bar interval
(``periods`` bars a year: 8,760 for hourly candles), with a risk-free rate of 0. Definitions, as in
``quantstats.stats`` (0.0.8x):

- ``total_return`` = prod(1 + r) - 1; ``cagr`` = (1 + total_return) ** (periods / n) - 1
- ``volatility`` = std(r, ddof=1) * sqrt(periods); ``sharpe`` = mean(r) / std(r, ddof=1) * sqrt(periods)
- ``sortino`` = mean(r) / sqrt(sum(r[r < 0] ** 2) / n) * sqrt(periods)
- ``max_drawdown`` = min(E / running_max(E) - 1), the starting cash being the first peak
- ``calmar`` = cagr / |max_drawdown|
- ``max_drawdown_duration``: longest drawdown in days, counted like quantstats' ``drawdown_details``
  (calendar days from its first bar under water to its last, plus one)
- ``win_rate`` = share of positive returns among non-zero ones; ``profit_factor`` = sum(r >= 0) /
  |sum(r < 0)|; ``exposure`` = share of bars with a non-zero return, rounded up to a whole percent
- ``var_95`` / ``cvar_95`` (returns, negative is a loss): ``historical`` is the 5% quantile (linear
  interpolation) and the mean of the returns at or below it; ``parametric`` is the normal model
  (quantstats' ``value_at_risk`` and ``conditional_value_at_risk``); ``monte_carlo`` draws 100,000
  returns from that normal model with a fixed seed and takes the same quantile and tail mean.

Everything here is float64/numpy: it is analytics, not money movement.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from strategies.backtest.data import periods_per_year

CONFIDENCE = 0.95
MONTE_CARLO_DRAWS = 100_000
MONTE_CARLO_SEED = 20_240_601
_DAY_MS = 86_400_000


def period_returns(equity: np.ndarray, initial: float) -> np.ndarray:
    """Per-bar returns of the equity curve, the first one measured from the starting cash."""
    previous = np.empty_like(equity)
    previous[0] = initial
    previous[1:] = equity[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = equity / previous - 1.0
    returns[~np.isfinite(returns)] = np.nan
    return returns


def drawdown_series(returns: np.ndarray) -> np.ndarray:
    """Drawdown at each bar (0 at a new high, negative below it), starting from a peak of 1."""
    wealth = np.cumprod(1.0 + np.nan_to_num(returns, nan=0.0))
    peaks = np.maximum.accumulate(np.maximum(wealth, 1.0))
    return wealth / peaks - 1.0


def longest_drawdown_days(drawdown: np.ndarray, ts: np.ndarray) -> int:
    """Longest run of bars under water, in days as quantstats' ``drawdown_details`` counts them."""
    under = drawdown < 0
    if not under.any():
        return 0
    edges = np.diff(np.concatenate(([0], under.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    days = (ts[ends] - ts[starts]) // _DAY_MS + 1
    return int(days.max())


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator != 0 else math.nan


def value_at_risk(returns: np.ndarray, *, confidence: float = CONFIDENCE) -> dict[str, dict[str, float]]:
    """Historical, parametric (normal) and Monte Carlo VaR and CVaR of one bar's return."""
    alpha = 1.0 - confidence
    clean = returns[~np.isnan(returns)]
    if len(clean) < 2:
        empty = {"historical": math.nan, "parametric": math.nan, "monte_carlo": math.nan}
        return {"var_95": dict(empty), "cvar_95": dict(empty)}
    mean, std = float(clean.mean()), float(clean.std(ddof=1))
    historical = float(np.quantile(clean, alpha))
    var = {"historical": historical}
    cvar = {"historical": float(clean[clean <= historical].mean())}
    if std > 0:
        standard = NormalDist()
        var["parametric"] = NormalDist(mean, std).inv_cdf(alpha)
        cvar["parametric"] = mean - std * standard.pdf(standard.inv_cdf(alpha)) / alpha
        draws = np.random.default_rng(MONTE_CARLO_SEED).normal(mean, std, MONTE_CARLO_DRAWS)
        simulated = float(np.quantile(draws, alpha))
        var["monte_carlo"] = simulated
        cvar["monte_carlo"] = float(draws[draws <= simulated].mean())
    else:
        var["parametric"] = var["monte_carlo"] = cvar["parametric"] = cvar["monte_carlo"] = mean
    return {"var_95": var, "cvar_95": cvar}


def compute_metrics(
    ts: np.ndarray, equity: np.ndarray, *, initial: float, trades: int, periods: float | None = None,
) -> dict[str, object]:
    """All report metrics of one equity curve (see the module docstring for the definitions)."""
    periods = periods or periods_per_year(ts)
    returns = period_returns(equity, initial)
    clean = returns[~np.isnan(returns)]
    count = len(clean)
    total = float(np.prod(1.0 + clean) - 1.0) if count else math.nan
    wealth = 1.0 + total
    cagr = math.nan if count == 0 or wealth < 0 else abs(wealth) ** (periods / count) - 1.0
    std = float(clean.std(ddof=1)) if count > 1 else math.nan
    mean = float(clean.mean()) if count else math.nan
    downside = math.sqrt(float((clean[clean < 0] ** 2).sum()) / count) if count else math.nan
    drawdown = drawdown_series(returns)
    max_drawdown = float(drawdown.min()) if len(drawdown) else 0.0
    nonzero = clean[clean != 0]
    losses = abs(float(clean[clean < 0].sum()))
    gains = float(clean[clean >= 0].sum())
    metrics: dict[str, object] = {
        "total_return": total,
        "cagr": cagr,
        "volatility": std * math.sqrt(periods),
        "sharpe": _ratio(mean, std) * math.sqrt(periods),
        "sortino": _ratio(mean, downside) * math.sqrt(periods),
        "calmar": _ratio(cagr, abs(max_drawdown)),
        "max_drawdown": max_drawdown,
        "max_drawdown_duration": longest_drawdown_days(drawdown, ts),
        "win_rate": len(nonzero[nonzero > 0]) / len(nonzero) if len(nonzero) else 0.0,
        "profit_factor": (gains / losses) if losses else (math.inf if gains else 0.0),
        "exposure": math.ceil(len(nonzero) / count * 100) / 100 if count else 0.0,
        "trades": trades,
    }
    metrics.update(value_at_risk(returns))
    metrics.update({"bars": len(equity), "periods_per_year": periods,
                    "start_equity": initial, "end_equity": float(equity[-1]) if len(equity) else initial})
    return metrics
