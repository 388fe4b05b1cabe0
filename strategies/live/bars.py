"""Completed hourly bars of the replayed market, on a timeline that never goes backwards.

The replay feed wraps to its first candle after its last. Strategies need monotonic bar times (a
DCA interval, a rebalance period), so bars here live on the *unwrapped* replay timeline: bar ``k``
opens at ``start + k * 1h`` and carries the candle the feed replays at that position of its loop.
A bar is complete once the replay clock has passed its end. A symbol whose data has a gap at that
time is absent from the bar (as ``Bar`` documents).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.marketdata import HOUR_MS, CandleSeries, ReplayFeed
from strategies.core.types import Bar, Candle


def _series(feed: ReplayFeed, symbol: str) -> CandleSeries:
    feed.price(symbol)  # raises UnknownSymbol with the list of replayed symbols
    return feed.series[symbol]


def replay_now_ms(feed: ReplayFeed, symbol: str, now_ms: int) -> int:
    """The unwrapped replay time of ``symbol`` at wall time ``now_ms``."""
    series = _series(feed, symbol)
    return series.start_ms + int(max(0, now_ms - feed.epoch_ms) * feed.speed)


def last_completed_bar_ms(feed: ReplayFeed, symbol: str, now_ms: int) -> int | None:
    """Open time of the most recent bar that has completed, or None before the first one ends."""
    series = _series(feed, symbol)
    completed = (replay_now_ms(feed, symbol, now_ms) - series.start_ms) // HOUR_MS
    return None if completed <= 0 else series.start_ms + (completed - 1) * HOUR_MS


def bar_at(feed: ReplayFeed, symbols: Sequence[str], ts_ms: int) -> Bar:
    """The bar opening at ``ts_ms`` (unwrapped) with each symbol's candle, stamped ``ts_ms``."""
    candles: dict[str, Candle] = {}
    for symbol in symbols:
        series = _series(feed, symbol)
        span = series.end_ms - series.start_ms
        wrapped = series.start_ms + (ts_ms - series.start_ms) % span
        candle = series.candles[series.index_at(wrapped)]
        if candle.ts_ms == wrapped:
            candles[symbol] = Candle(symbol, ts_ms, candle.open, candle.high, candle.low, candle.close, candle.volume)
    return Bar(ts_ms, candles)


def pending_bars(
    feed: ReplayFeed, symbols: Sequence[str], *, after_ms: int | None, now_ms: int, catch_up: int
) -> list[int]:
    """Open times of the completed bars after ``after_ms`` to evaluate now, oldest first.

    At most ``catch_up`` of the most recent ones: after downtime the strategy sees the latest
    bars, it does not replay every missed interval (market orders execute at today's price).
    """
    latest = last_completed_bar_ms(feed, symbols[0], now_ms)
    if latest is None or (after_ms is not None and latest <= after_ms):
        return []
    first = latest - (max(1, catch_up) - 1) * HOUR_MS
    if after_ms is not None:
        first = max(first, after_ms + HOUR_MS)
    return list(range(first, latest + 1, HOUR_MS))
