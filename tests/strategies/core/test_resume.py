"""A strategy restored from its state carries on exactly as if it had never stopped."""

from __future__ import annotations

from decimal import Decimal

import pytest

from strategies.backtest.data import align, load_candles
from strategies.backtest.runner import Runner
from strategies.backtest.venue import SimulatedVenue
from strategies.core import create_strategy, restore_strategy
from tests.strategies.candles import REAL_DATA, bar

D = Decimal
CASES = {
    "buyhold": ({}, ("BTC/USDT",)),
    "dca": ({"amount": "500", "every": "24h", "safety_orders": "3", "safety_step": "2", "take_profit": "3",
             "dip": "3", "dip_multiplier": "2"}, ("BTC/USDT",)),
    "grid": ({"lower": "30000", "upper": "48000", "levels": "20", "mode": "geometric", "quantity": "0.1",
              "sl_price": "17000"}, ("BTC/USDT",)),
    "rebalance": ({"weights": "BTC/USDT:0.5,ETH/USDT:0.4", "every": "7d", "threshold": "5"},
                  ("BTC/USDT", "ETH/USDT")),
}


class RestartingRunner(Runner):
    """Serialises the strategy and resumes it from that state before every bar it processes."""

    restarts = 0

    def _process(self, index: int) -> None:
        state = self.strategy.to_state()
        assert all(isinstance(key, str) and isinstance(value, str) for key, value in state.items())
        self.strategy = restore_strategy(state)
        self.restarts += 1
        super()._process(index)


def _run(runner_class: type[Runner], kind: str) -> Runner:
    params, symbols = CASES[kind]
    data = align([load_candles(REAL_DATA / f"{s.replace('/', '_')}-1h.csv.gz", symbol=s) for s in symbols])
    strategy = create_strategy(kind, strategy_id="live1", symbols=symbols, cash=D(100_000), params=params)
    runner = runner_class(strategy, data, SimulatedVenue(symbols, cash=D(100_000), fee=D("0.001"),
                                                         slippage=D("0.0005")))
    runner.run()
    return runner


@pytest.mark.parametrize("kind", sorted(CASES))
def test_restarting_before_every_bar_repeats_and_skips_nothing(kind: str) -> None:
    steady = _run(Runner, kind)
    restarted = _run(RestartingRunner, kind)

    assert restarted.restarts > 0
    assert restarted.venue.trades == steady.venue.trades
    assert restarted.strategy.to_state() == steady.strategy.to_state()
    assert len({trade.intent_id for trade in steady.venue.trades}) == len(steady.venue.trades)


@pytest.mark.parametrize(("kind", "params"), [
    ("dca", {"amount": "100", "every": "1h"}),
    ("grid", {"lower": "90", "upper": "110", "levels": "5", "quantity": "1"}),
    ("buyhold", {}),
])
def test_replaying_a_bar_from_the_persisted_state_yields_the_same_intent_ids(kind: str, params: dict) -> None:
    """A crash after submitting but before persisting replays the bar: the engine sees the same keys."""
    strategy = create_strategy(kind, strategy_id="s7", symbols=("BTC/USDT",), cash=D(10_000), params=params)
    persisted = strategy.to_state()

    first = strategy.on_bar(bar(0, "100"))
    replayed = restore_strategy(persisted).on_bar(bar(0, "100"))

    assert first and first == replayed
    assert restore_strategy(strategy.to_state()).on_bar(bar(0, "100")) != first  # the step is done


def test_a_resumed_dca_waits_for_its_interval_instead_of_buying_again() -> None:
    strategy = create_strategy("dca", strategy_id="s1", symbols=("BTC/USDT",), cash=D(1000),
                               params={"amount": "100", "every": "24h"})
    assert strategy.on_bar(bar(0, "100"))
    resumed = restore_strategy(strategy.to_state())

    assert resumed.on_bar(bar(23 * 3_600_000, "100")) == []
    assert [intent.intent_id for intent in resumed.on_bar(bar(24 * 3_600_000, "100"))] == ["s1:dca:b1"]
