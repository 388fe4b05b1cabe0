"""Equity and drawdown chart of a backtest, as PNG bytes or a matplotlib figure for the PDF.

Uses ``matplotlib.figure.Figure`` directly (no pyplot): no global state, safe in worker threads.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure

from strategies.backtest.metrics import drawdown_series, period_returns


def equity_figure(
    ts: np.ndarray, equity: np.ndarray, benchmark: np.ndarray | None, *, initial: float, title: str,
) -> Figure:
    """Two panels: equity (with the buy-and-hold benchmark) and the strategy's drawdown in percent."""
    dates = ts.astype("datetime64[ms]")
    figure = Figure(figsize=(10, 6), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    top.plot(dates, equity, color="#1f77b4", linewidth=1.2, label="strategy")
    if benchmark is not None:
        top.plot(dates, benchmark, color="#7f7f7f", linewidth=0.9, alpha=0.8, label="buy and hold")
    top.axhline(initial, color="#bbbbbb", linewidth=0.7, linestyle="--")
    top.set_ylabel("equity (quote)")
    top.set_title(title)
    top.legend(loc="upper left")
    top.grid(alpha=0.3)
    drawdown = drawdown_series(period_returns(equity, initial)) * 100.0
    bottom.fill_between(dates, drawdown, 0.0, color="#d62728", alpha=0.4, linewidth=0)
    bottom.set_ylabel("drawdown %")
    bottom.grid(alpha=0.3)
    return figure


def equity_png(
    ts: np.ndarray, equity: np.ndarray, benchmark: np.ndarray | None, *, initial: float, title: str,
) -> bytes:
    """The equity/drawdown chart as PNG bytes (what the chat ``backtest`` reply attaches)."""
    buffer = io.BytesIO()
    equity_figure(ts, equity, benchmark, initial=initial, title=title).savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
