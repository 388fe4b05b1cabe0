"""The backtest report: its JSON shape, the metric rows shared by the exports, the chat summary."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np

from strategies.backtest.data import CandleSeries, bar_interval_ms
from strategies.core.params import format_duration_ms

CONVENTIONS = (
    "Orders decided on a bar fill at that bar's close plus slippage (buys pay close*(1+S), sells get "
    "close*(1-S)).",
    "A fee F is charged on the quote amount traded: a buy of A gets A*(1-F)/price units; a sell of Q "
    "units gets Q*price*(1-F).",
    "Resting limit orders fill at their limit price along the bar's path: open, then low and high "
    "(low first when the bar closed at or above its open, high first otherwise), then close.",
    "Equity is cash plus positions marked at each bar's close, in quote currency.",
    "Returns are per bar, measured from the starting cash; annualised with the bar interval, rf = 0; "
    "definitions follow quantstats.",
    "buyhold invests all cash at the first close; several symbols are bought in equal parts.",
)

# label, key, format ("pct", "ratio", "int", "days")
METRIC_ROWS: tuple[tuple[str, str, str], ...] = (
    ("Total return", "total_return", "pct"),
    ("CAGR", "cagr", "pct"),
    ("Volatility (ann.)", "volatility", "pct"),
    ("Sharpe", "sharpe", "ratio"),
    ("Sortino", "sortino", "ratio"),
    ("Calmar", "calmar", "ratio"),
    ("Max drawdown", "max_drawdown", "pct"),
    ("Longest drawdown", "max_drawdown_duration", "days"),
    ("Win rate (bars)", "win_rate", "pct"),
    ("Profit factor", "profit_factor", "ratio"),
    ("Exposure", "exposure", "pct"),
    ("Trades", "trades", "int"),
    ("VaR 95% historical", "var_95.historical", "pct"),
    ("VaR 95% parametric", "var_95.parametric", "pct"),
    ("VaR 95% Monte Carlo", "var_95.monte_carlo", "pct"),
    ("CVaR 95% historical", "cvar_95.historical", "pct"),
    ("CVaR 95% parametric", "cvar_95.parametric", "pct"),
    ("CVaR 95% Monte Carlo", "cvar_95.monte_carlo", "pct"),
)


def metric_value(metrics: Mapping[str, object], key: str) -> float | int | None:
    """Look up ``key`` (``a.b`` for nested) and return it, or None when absent or not finite."""
    value: object = metrics
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def format_metric(value: float | int | None, kind: str) -> str:
    if value is None:
        return "n/a"
    if kind == "pct":
        return f"{value * 100:+.2f}%"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "days":
        return f"{int(value)} d"
    return f"{value:.2f}"


def json_safe(value: object) -> object:
    """Replace NaN and infinities (not valid JSON) with None, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.floating | np.integer):
        return json_safe(value.item())
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def correlation(series: list[CandleSeries]) -> dict[str, dict[str, float]]:
    """Correlation matrix of the per-bar close-to-close returns of the symbols."""
    returns = np.array([np.diff(item.close) / item.close[:-1] for item in series])
    if returns.shape[1] < 2:
        return {}
    matrix = np.corrcoef(returns)
    symbols = [item.symbol for item in series]
    return {a: {b: float(matrix[i, j]) for j, b in enumerate(symbols)} for i, a in enumerate(symbols)}


def _iso(ts_ms: int) -> str:
    return datetime.fromtimestamp(ts_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")


def build_report(
    *, strategy: str, series: list[CandleSeries], params: Mapping[str, str], cash: str, fee: str,
    slippage: str, metrics: Mapping[str, object], benchmark: Mapping[str, object], rejections: int,
) -> dict[str, object]:
    """The content of ``report.json``."""
    ts = series[0].ts
    report: dict[str, object] = {
        "strategy": strategy,
        "symbols": [item.symbol for item in series],
        "params": dict(params),
        "cash": cash,
        "fee": fee,
        "slippage": slippage,
        "start_ms": int(ts[0]),
        "end_ms": int(ts[-1]),
        "bars": len(ts),
        "bar_interval": format_duration_ms(bar_interval_ms(ts)),
        "rejected_orders": rejections,
        "conventions": list(CONVENTIONS),
        "metrics": dict(metrics),
        "benchmark": dict(benchmark),
    }
    if len(series) > 1:
        report["correlation"] = correlation(series)
    return json_safe(report)  # type: ignore[return-value]


def summary_text(report: Mapping[str, object]) -> str:
    """A short plain-text summary for chat replies and the CLI."""
    metrics = report["metrics"]
    benchmark = report["benchmark"]
    assert isinstance(metrics, Mapping) and isinstance(benchmark, Mapping)
    symbols = ", ".join(report["symbols"])  # type: ignore[arg-type]
    lines = [
        f"Backtest {report['strategy']} {symbols}: {_iso(int(report['start_ms']))} to "  # type: ignore[call-overload]
        f"{_iso(int(report['end_ms']))} UTC, {report['bars']:,} bars of {report['bar_interval']}",
        f"{'':20s} {'strategy':>12s} {'buy & hold':>12s}",
    ]
    shown = ("total_return", "cagr", "sharpe", "sortino", "max_drawdown", "max_drawdown_duration",
             "trades", "var_95.historical")
    for label, key, kind in METRIC_ROWS:
        if key in shown:
            lines.append(f"{label:20s} {format_metric(metric_value(metrics, key), kind):>12s} "
                         f"{format_metric(metric_value(benchmark, key), kind):>12s}")
    end_equity = metric_value(metrics, "end_equity")
    lines.append(f"Final equity {end_equity:,.2f} from {report['cash']}" if end_equity is not None
                 else "Final equity n/a")
    return "\n".join(lines)
