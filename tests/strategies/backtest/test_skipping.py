"""Skipping idle bars must change nothing: the same run with every bar processed is identical."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.backtest.data import CandleSeries, load_candles
from strategies.backtest.runner import Runner, Simulation
from strategies.backtest.venue import SimulatedVenue
from strategies.core import create_strategy
from tests.strategies.candles import HOUR, REAL_DATA, series

D = Decimal


class EveryBarRunner(Runner):
    """Calls the strategy on every bar, ignoring its wake."""

    def _next_event(self, start: int) -> int:
        return start


def run(runner_class: type[Runner], kind: str, data: list[CandleSeries], params: dict[str, str],
        *, fee: str = "0.001", slippage: str = "0.0005") -> Simulation:
    symbols = tuple(item.symbol for item in data)
    strategy = create_strategy(kind, strategy_id="t", symbols=symbols, cash=D(100_000), params=params)
    venue = SimulatedVenue(symbols, cash=D(100_000), fee=D(fee), slippage=D(slippage))
    return runner_class(strategy, data, venue).run()


def assert_same(kind: str, data: list[CandleSeries], params: dict[str, str]) -> Simulation:
    skipping = run(Runner, kind, data, params)
    every_bar = run(EveryBarRunner, kind, data, params)
    assert skipping.venue.trades == every_bar.venue.trades
    assert np.array_equal(skipping.equity, every_bar.equity)
    assert skipping.strategy.to_state() == every_bar.strategy.to_state()
    return skipping


def random_walk(seed: int, bars: int, symbol: str = "BTC/USDT") -> CandleSeries:
    rng = np.random.default_rng(seed)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, bars)))
    gaps = rng.integers(1, 4, bars)  # holes of up to 3 bars
    rows, previous, ts = [], 100.0, 0
    for close, gap in zip(closes, gaps, strict=True):
        wick = abs(rng.normal(0, 0.005)) * close
        high, low = max(previous, close) + wick, min(previous, close) - wick
        rows.append((ts, round(previous, 2), round(high, 2), round(low, 2), round(close, 2)))
        previous, ts = close, ts + int(gap) * HOUR
    return series(rows, symbol)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), every=st.sampled_from(["1h", "5h", "24h"]), take_profit=st.sampled_from(["1", "4"]))
def test_dca_skipping_matches_every_bar(seed: int, every: str, take_profit: str) -> None:
    params = {"amount": "1000", "every": every, "safety_orders": "3", "safety_step": "1",
              "safety_volume_scale": "2", "take_profit": take_profit, "dip": "2", "dip_multiplier": "2"}
    assert_same("dca", [random_walk(seed, 400)], params)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), levels=st.integers(2, 25), mode=st.sampled_from(["arithmetic", "geometric"]),
       out_of_range=st.sampled_from(["pause", "stop"]))
def test_grid_skipping_matches_every_bar(seed: int, levels: int, mode: str, out_of_range: str) -> None:
    params = {"lower": "85", "upper": "115", "levels": str(levels), "mode": mode, "quantity": "10",
              "out_of_range": out_of_range, "sl_price": "70", "tp_price": "140"}
    assert_same("grid", [random_walk(seed, 400)], params)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_rebalance_skipping_matches_every_bar(seed: int) -> None:
    from strategies.backtest.data import align

    data = align([random_walk(seed, 300, "BTC/USDT"), random_walk(seed + 1, 300, "ETH/USDT")])
    assert_same("rebalance", data, {"weights": "0.5,0.3", "every": "24h"})


def test_skipping_matches_every_bar_on_real_bitcoin_candles() -> None:
    btc = load_candles(REAL_DATA / "BTC_USDT-1h.csv.gz", symbol="BTC/USDT")
    dca = assert_same("dca", [btc], {"amount": "500", "every": "24h", "safety_orders": "3", "take_profit": "3"})
    grid = assert_same("grid", [btc], {"lower": "30000", "upper": "48000", "levels": "25", "quantity": "0.1"})
    assert dca.events < len(btc) / 10  # the point of skipping
    assert len(grid.venue.trades) > 50
