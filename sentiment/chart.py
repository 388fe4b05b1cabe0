"""PNG chart of a symbol's sentiment index and post volume (matplotlib, Agg backend, no pyplot)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure


def render_index_chart(symbol: str, times_ms: Sequence[int], values: Sequence[float], volumes: Sequence[int]) -> bytes:
    """Index line (green above zero, red below) over hourly post-volume bars, as PNG bytes."""
    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    index_axes, volume_axes = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    times = [datetime.fromtimestamp(ms / 1000, tz=UTC) for ms in times_ms]
    index_axes.plot(times, values, color="#1f77b4", linewidth=1.8)
    index_axes.fill_between(times, values, 0, where=[v >= 0 for v in values], color="#2ca02c", alpha=0.25)
    index_axes.fill_between(times, values, 0, where=[v < 0 for v in values], color="#d62728", alpha=0.25)
    index_axes.axhline(0, color="#888888", linewidth=0.8)
    index_axes.set_ylim(-1.05, 1.05)
    index_axes.set_ylabel("index")
    index_axes.set_title(f"{symbol} sentiment (UTC)")
    index_axes.grid(alpha=0.3)
    bar_width = (times[1] - times[0]).total_seconds() / 86_400 * 0.8 if len(times) > 1 else 0.03
    volume_axes.bar(times, volumes, width=bar_width, color="#7f7f7f")
    volume_axes.set_ylabel("posts")
    volume_axes.xaxis.set_major_formatter(DateFormatter("%m-%d %H:%M"))
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
