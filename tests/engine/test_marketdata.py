from __future__ import annotations

from decimal import Decimal as D

import pytest

from engine.clock import FakeClock
from engine.errors import UnknownSymbol
from engine.marketdata import HOUR_MS, ReplayFeed, load_bundled

START_MS = 1_640_995_200_000


def feed(clock: FakeClock, speed: float = 3600.0) -> ReplayFeed:
    return ReplayFeed(load_bundled(), clock, speed=speed, epoch_ms=START_MS)


def test_bundled_candles_cover_six_markets_with_real_prices() -> None:
    candles = load_bundled()
    assert sorted(candles) == ["ADA/USDT", "BNB/USDT", "BTC/USDT", "ETH/USDT", "SOL/USDT", "XRP/USDT"]
    first = candles["BTC/USDT"].candles[0]
    assert (first.ts_ms, first.open, first.close) == (START_MS, D("46216.93"), D("46656.13"))


def test_price_starts_at_the_first_open_and_moves_with_the_clock() -> None:
    clock = FakeClock(START_MS)
    replay = feed(clock)
    assert replay.price("BTC/USDT") == D("46216.93")
    clock.advance(1000)  # one replayed hour at speed 3600
    assert replay.price("BTC/USDT") == D("46656.14")  # the second candle's open


def test_price_walks_through_the_candle_extremes() -> None:
    clock = FakeClock(START_MS)
    replay = feed(clock, speed=1.0)
    clock.advance(HOUR_MS // 3)  # first corner of an up candle: its low
    assert replay.price("BTC/USDT") == D("46208.37")
    clock.advance(HOUR_MS // 3)  # second corner: its high
    assert replay.price("BTC/USDT") == D("46731.39")


def test_range_between_covers_every_crossed_candle() -> None:
    clock = FakeClock(START_MS)
    replay = feed(clock)
    low, high = replay.range_between("BTC/USDT", START_MS, START_MS + 5000)
    series = load_bundled()["BTC/USDT"].candles[:5]
    assert low == min(c.low for c in series)
    assert high == max(c.high for c in series)


def test_replay_wraps_after_the_last_candle() -> None:
    clock = FakeClock(START_MS)
    replay = feed(clock, speed=1.0)
    series = load_bundled()["BTC/USDT"]
    clock.advance(series.end_ms - series.start_ms)
    assert replay.price("BTC/USDT") == D("46216.93")


def test_unknown_symbol_names_the_known_ones() -> None:
    with pytest.raises(UnknownSymbol, match=r"DOGE/USDT.*BTC/USDT"):
        feed(FakeClock(START_MS)).price("DOGE/USDT")
