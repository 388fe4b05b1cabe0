"""Load OHLCV candles from CSV (optionally gzip) into numpy arrays for the backtester.

Format: a header naming at least ``timestamp_ms,open,high,low,close,volume`` (any order, extra
columns ignored), one row per candle, timestamps in integer milliseconds UTC. Rows are sorted by
time; when a timestamp repeats, the last row wins. Gaps and unaligned timestamps are kept as they
are: nothing assumes one row per interval.

Prices live twice: as float64 arrays (fast scans for the next bar a strategy cares about) and as
the original text, turned into ``Decimal`` only for the bars where something happens, so decisions
see exactly the prices in the file.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import UserInputError
from strategies.core.types import Candle

COLUMNS = ("timestamp_ms", "open", "high", "low", "close", "volume")
_HOUR_MS = 3_600_000
_new = tuple.__new__  # a Candle without the NamedTuple's Python-level __new__: one per active bar
_YEAR_MS = 365 * 86_400_000


@dataclass(frozen=True, slots=True)
class CandleSeries:
    """One symbol's candles: arrays indexed by bar, plus the price text for exact decisions."""

    symbol: str
    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    text: tuple[tuple[str, str, str, str, str], ...]
    # derived lookups (the runner's range-extrema tables, the timestamp list), built once per series and
    # reused by every run over it; the arrays are treated as read-only
    cache: dict[object, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ts)

    def candle(self, index: int, ts_ms: int | None = None) -> Candle:
        """The bar at ``index`` with exact ``Decimal`` prices (``ts_ms`` saves a numpy lookup)."""
        o, h, low, c, v = self.text[index]
        return _new(Candle, (self.symbol, int(self.ts[index]) if ts_ms is None else ts_ms, Decimal(o), Decimal(h),
                             Decimal(low), Decimal(c), Decimal(v)))

    def ts_list(self) -> list[int]:
        """The timestamps as a Python list (for ``bisect``), built once per series."""
        cached = self.cache.get("ts_list")
        if cached is None:
            cached = self.cache["ts_list"] = self.ts.tolist()
        return cached

    def take(self, indices: np.ndarray) -> CandleSeries:
        """The sub-series at ``indices`` (used to align several symbols on common timestamps)."""
        text = self.text
        return CandleSeries(self.symbol, self.ts[indices], self.open[indices], self.high[indices],
                            self.low[indices], self.close[indices], self.volume[indices],
                            tuple(text[i] for i in indices.tolist()))


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UserInputError(f"cannot read candle file {path}: {error.strerror}") from None
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8-sig")


def parse_candles(text: str, *, symbol: str, source: str = "CSV") -> CandleSeries:
    """Parse CSV text; errors name the source and the offending line."""
    lines = text.splitlines()
    if not lines:
        raise UserInputError(f"{source} is empty")
    header = [name.strip().lower() for name in lines[0].split(",")]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise UserInputError(f"{source} lacks the column(s) {', '.join(missing)}; "
                             f"expected {','.join(COLUMNS)}")
    positions = [header.index(name) for name in COLUMNS]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split(",")
        if len(cells) != len(header):
            raise UserInputError(f"{source} line {number}: {len(cells)} fields, expected {len(header)}")
        rows.append([cells[p].strip() for p in positions])
    if not rows:
        raise UserInputError(f"{source} has a header but no candles")
    return _to_series(rows, symbol=symbol, source=source)


def _to_series(rows: list[list[str]], *, symbol: str, source: str) -> CandleSeries:
    columns = list(zip(*rows, strict=True))
    try:
        ts = np.array(columns[0], dtype=np.int64)
        values = np.array(columns[1:], dtype=np.float64)
    except ValueError as error:
        raise UserInputError(f"{source}: {error}") from None
    if not np.isfinite(values).all() or (values[:4] <= 0).any() or (values[4] < 0).any():
        raise UserInputError(f"{source}: prices must be positive numbers and volumes not negative")
    if (values[1] < values[2]).any():
        raise UserInputError(f"{source}: a candle has its high below its low")
    order = np.argsort(ts, kind="stable")
    ts = ts[order]
    keep = np.ones(len(ts), dtype=bool)
    keep[:-1] = ts[1:] != ts[:-1]  # of repeated timestamps, keep the last row
    order = order[keep]
    text = tuple(tuple(rows[i][1:6]) for i in order.tolist())
    values = values[:, order]
    return CandleSeries(symbol, ts[keep], values[0].copy(), values[1].copy(), values[2].copy(),
                        values[3].copy(), values[4].copy(), text)  # type: ignore[arg-type]


def load_candles(path: str | Path, *, symbol: str) -> CandleSeries:
    """Load one CSV or CSV.GZ file of candles for ``symbol``."""
    path = Path(path)
    return parse_candles(_read_text(path), symbol=symbol, source=str(path))


def align(series: list[CandleSeries]) -> list[CandleSeries]:
    """Keep only the timestamps every series has, so a multi-asset bar always has every symbol."""
    if len(series) == 1:
        return series
    common = series[0].ts
    for other in series[1:]:
        common = np.intersect1d(common, other.ts, assume_unique=True)
    if len(common) == 0:
        raise UserInputError("the candle files have no timestamp in common")
    return [item.take(np.searchsorted(item.ts, common)) for item in series]


def bar_interval_ms(ts: np.ndarray) -> int:
    """The typical spacing of bars: the median gap (robust to gaps in the data)."""
    if len(ts) < 2:
        return _HOUR_MS
    return max(1, int(np.median(np.diff(ts))))


def periods_per_year(ts: np.ndarray) -> float:
    """Bars per year for annualising: 8,760 for hourly candles, 365 for daily ones."""
    return _YEAR_MS / bar_interval_ms(ts)
