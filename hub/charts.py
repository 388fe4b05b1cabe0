"""PNG charts the chat replies attach: a symbol's recent price and an account's equity history.

matplotlib's object API (``Figure``, no pyplot): no global state, safe in the server's threads.
Floats are fine here: a chart is a picture of the Decimal figures the reply's text states exactly.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure


def _dates(times_ms: Sequence[int]) -> list[datetime]:
    return [datetime.fromtimestamp(ms / 1000, tz=UTC) for ms in times_ms]


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _line(title: str, ylabel: str, times_ms: Sequence[int], values: Sequence[Decimal], color: str) -> bytes:
    figure = Figure(figsize=(8, 4), layout="constrained")
    axes = figure.subplots()
    dates = _dates(times_ms)
    series = [float(v) for v in values]
    axes.plot(dates, series, color=color, linewidth=1.4)
    axes.fill_between(dates, series, min(series), color=color, alpha=0.12, linewidth=0)
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    return _png(figure)


def price_png(symbol: str, times_ms: Sequence[int], closes: Sequence[Decimal]) -> bytes | None:
    """Closing prices of the last candles; None when there is too little history to draw."""
    if len(closes) < 2:
        return None
    quote = symbol.split("/")[-1]
    return _line(f"{symbol}, last {len(closes)} hours", quote, times_ms, closes, "#1f77b4")


def equity_png(title: str, times_ms: Sequence[int], equity: Sequence[Decimal]) -> bytes | None:
    """Daily equity of an account; None when there are fewer than two points."""
    if len(equity) < 2:
        return None
    return _line(title, "equity (USDT)", times_ms, equity, "#2ca02c")
