"""Market data: real Binance hourly candles shipped with the package, and a replay feed that moves
prices while the server runs.

The replay position is a pure function of the wall clock, a shared ``epoch_ms`` and ``speed``
(simulated seconds per real second), so every process that shares the epoch sees the same price
without talking to each other. Inside a candle the price walks open -> low -> high -> close
(or open -> high -> low -> close for a down candle), so limit orders see the candle's range.
"""

from __future__ import annotations

import csv
import gzip
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from engine.clock import Clock
from engine.errors import UnknownSymbol

HOUR_MS = 3_600_000
_STEPS = 1000  # resolution of the intra-candle walk


@dataclass(frozen=True, slots=True)
class Candle:
    ts_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


class CandleSeries:
    """Candles of one symbol in time order, with lookup by timestamp."""

    def __init__(self, symbol: str, candles: list[Candle]) -> None:
        if not candles:
            raise ValueError(f"no candles for {symbol}")
        self.symbol = symbol
        self.candles = candles
        self.timestamps = [c.ts_ms for c in candles]

    @property
    def start_ms(self) -> int:
        return self.timestamps[0]

    @property
    def end_ms(self) -> int:
        return self.timestamps[-1] + HOUR_MS

    def index_at(self, ts_ms: int) -> int:
        """Index of the candle that covers ``ts_ms`` (the last one starting at or before it)."""
        return max(0, bisect_right(self.timestamps, ts_ms) - 1)

    def window(self, end_ms: int, count: int) -> list[Candle]:
        end = self.index_at(end_ms) + 1
        return self.candles[max(0, end - count) : end]


def load_csv(path: Path, symbol: str) -> CandleSeries:
    """Read ``timestamp_ms,open,high,low,close,volume`` (optionally gzip-compressed)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as handle:
        rows = [
            Candle(
                int(row["timestamp_ms"]),
                Decimal(row["open"]),
                Decimal(row["high"]),
                Decimal(row["low"]),
                Decimal(row["close"]),
                Decimal(row["volume"]),
            )
            for row in csv.DictReader(handle)
        ]
    rows.sort(key=lambda candle: candle.ts_ms)
    return CandleSeries(symbol, rows)


def bundled_data_dir() -> Path:
    return Path(str(resources.files("engine") / "data" / "binance-1h"))


class CandleStore(Mapping[str, CandleSeries]):
    """Candle files by symbol, each read on first use (start-up stays fast)."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self._paths = paths
        self._loaded: dict[str, CandleSeries] = {}

    def __getitem__(self, symbol: str) -> CandleSeries:
        series = self._loaded.get(symbol)
        if series is None:
            series = self._loaded[symbol] = load_csv(self._paths[symbol], symbol)
        return series

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def load_bundled(data_dir: Path | None = None) -> CandleStore:
    """Every ``BASE_QUOTE-1h.csv.gz`` in ``data_dir`` (default: the bundled candles), loaded lazily."""
    directory = data_dir or bundled_data_dir()
    paths = {}
    for path in sorted(directory.glob("*-1h.csv*")):
        base, quote = path.name.split("-1h")[0].split("_")
        paths[f"{base}/{quote}"] = path
    return CandleStore(paths)


class ReplayFeed:
    """Current prices from replayed candles, advancing ``speed`` times faster than real time."""

    def __init__(self, series: Mapping[str, CandleSeries], clock: Clock, *, speed: float, epoch_ms: int) -> None:
        if speed <= 0:
            raise ValueError("replay speed must be positive")
        self.series = series
        self.clock = clock
        self.speed = speed
        self.epoch_ms = epoch_ms

    @property
    def symbols(self) -> list[str]:
        return sorted(self.series)

    def simulated_ms(self, symbol: str, now_ms: int | None = None) -> int:
        """The replayed market time of ``symbol`` at wall time ``now_ms``; wraps to its first candle after
        its last (the bundled series share one range, so they stay in step)."""
        series = self._series(symbol)
        now = self.clock.now_ms() if now_ms is None else now_ms
        elapsed = int(max(0, now - self.epoch_ms) * self.speed)
        return series.start_ms + elapsed % (series.end_ms - series.start_ms)

    def _series(self, symbol: str) -> CandleSeries:
        if symbol not in self.series:
            raise UnknownSymbol(f"unknown symbol {symbol}: paper trading replays {', '.join(self.symbols)}")
        return self.series[symbol]

    def price(self, symbol: str, now_ms: int | None = None) -> Decimal:
        """The replayed price of ``symbol`` now."""
        series = self._series(symbol)
        sim = self.simulated_ms(symbol, now_ms)
        candle = series.candles[series.index_at(sim)]
        step = min(_STEPS, max(0, (sim - candle.ts_ms) * _STEPS // HOUR_MS))
        return _walk(candle, step)

    def candle_now(self, symbol: str, now_ms: int | None = None) -> Candle:
        series = self._series(symbol)
        return series.candles[series.index_at(self.simulated_ms(symbol, now_ms))]

    def history(self, symbol: str, count: int, now_ms: int | None = None) -> list[Candle]:
        """The last ``count`` candles up to the current replayed time (for charts and statistics)."""
        return self._series(symbol).window(self.simulated_ms(symbol, now_ms), count)

    def range_between(self, symbol: str, start_ms: int, end_ms: int) -> tuple[Decimal, Decimal]:
        """Lowest and highest replayed price between two wall times (used to trigger limit orders).

        The intra-candle walk is piecewise linear, so its extremes are at the interval's ends or at
        the walk's corners (open, the two extremes, close) that fall inside the interval.
        """
        points = [self.price(symbol, start_ms), self.price(symbol, end_ms)]
        series = self._series(symbol)
        sim_start, sim_end = self.simulated_ms(symbol, start_ms), self.simulated_ms(symbol, end_ms)
        if sim_end >= sim_start:  # after a wrap-around only the two ends are known
            corners = (0, _STEPS // 3, 2 * (_STEPS // 3), _STEPS)
            for candle in series.candles[series.index_at(sim_start) : series.index_at(sim_end) + 1]:
                for step in corners:
                    if sim_start <= candle.ts_ms + step * HOUR_MS // _STEPS <= sim_end:
                        points.append(_walk(candle, step))
        return min(points), max(points)


def _walk(candle: Candle, step: int) -> Decimal:
    """Price after ``step`` of ``_STEPS`` along open -> extreme -> other extreme -> close."""
    up = candle.close >= candle.open
    first, second = (candle.low, candle.high) if up else (candle.high, candle.low)
    legs = ((candle.open, first), (first, second), (second, candle.close))
    third = _STEPS // 3
    index = min(2, step // third)
    start, end = legs[index]
    fraction = Decimal(min(third, step - index * third)) / Decimal(third)
    exponent = candle.close.as_tuple().exponent
    value = start + (end - start) * fraction
    return value.quantize(Decimal(1).scaleb(exponent)) if isinstance(exponent, int) else value
