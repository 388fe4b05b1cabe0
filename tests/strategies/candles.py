"""Builders of candle data for the strategy and backtest tests."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from strategies.backtest.data import CandleSeries, parse_candles
from strategies.core.types import Bar, Candle

HOUR = 3_600_000
REAL_DATA = Path(__file__).resolve().parents[2] / "engine" / "data" / "binance-1h"
if not (REAL_DATA / "BTC_USDT-1h.csv.gz").is_file():
    REAL_DATA = Path("/work/shared/data/binance-1h")


def csv_text(rows: list[tuple[int, float, float, float, float]] | list[tuple]) -> str:
    """Rows of (ts_ms, open, high, low, close[, volume]) as CSV text with the standard header."""
    lines = ["timestamp_ms,open,high,low,close,volume"]
    for row in rows:
        ts, o, h, low, c, *rest = row
        volume = rest[0] if rest else 1
        lines.append(f"{ts},{o},{h},{low},{c},{volume}")
    return "\n".join(lines) + "\n"


def series(rows: list[tuple], symbol: str = "BTC/USDT") -> CandleSeries:
    return parse_candles(csv_text(rows), symbol=symbol, source="test")


def flat(closes: list[float], *, start: int = 0, step: int = HOUR) -> list[tuple]:
    """Candles whose open, high, low and close are all the given close."""
    return [(start + index * step, c, c, c, c) for index, c in enumerate(closes)]


def bar(ts_ms: int, close: str, symbol: str = "BTC/USDT", *, low: str | None = None,
        high: str | None = None) -> Bar:
    price = Decimal(close)
    candle = Candle(symbol, ts_ms, price, Decimal(high or close), Decimal(low or close), price, Decimal(1))
    return Bar(ts_ms, {symbol: candle})
