"""Rebalancing decisions: target weights, sells before buys, threshold and minimum trade."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.errors import UserInputError
from strategies.core import Bar, Candle, OrderIntent, Side, StrategyFill, create_strategy
from strategies.core.rebalance import Rebalance, parse_weights

D = Decimal
SYMBOLS = ("BTC/USDT", "ETH/USDT")


def prices(ts: int, btc: str, eth: str) -> Bar:
    def candle(symbol: str, close: str) -> Candle:
        return Candle(symbol, ts, D(close), D(close), D(close), D(close), D(1))

    return Bar(ts, {"BTC/USDT": candle("BTC/USDT", btc), "ETH/USDT": candle("ETH/USDT", eth)})


def make(**params: str) -> Rebalance:
    strategy = create_strategy("rebalance", strategy_id="r", symbols=SYMBOLS, cash=D(1000),
                               params={"weights": "60%,40%", "threshold": "5", "min_trade": "1"} | params)
    assert isinstance(strategy, Rebalance)
    return strategy


def execute(strategy: Rebalance, intents: list, closes: dict[str, str]) -> list:
    """Fill intents without fees; return what the strategy asked for next."""
    follow = []
    for intent in intents:
        assert isinstance(intent, OrderIntent)
        price = D(closes[intent.symbol])
        if intent.side is Side.BUY:
            quantity, quote = intent.quote_amount / price, intent.quote_amount
        else:
            quantity, quote = intent.quantity, intent.quantity * price
        follow += strategy.on_fill(StrategyFill(intent.intent_id, intent.symbol, intent.side, quantity, price,
                                                quote, D(0), 0))
    return follow


def test_weights_parse_by_name_or_position_as_fractions_or_percentages() -> None:
    assert parse_weights("ETH/USDT:0.3, BTC/USDT:0.5", SYMBOLS) == {"ETH/USDT": D("0.3"), "BTC/USDT": D("0.5")}
    assert parse_weights("60%,40%", SYMBOLS) == {"BTC/USDT": D("0.6"), "ETH/USDT": D("0.4")}
    with pytest.raises(UserInputError, match="at most 1"):
        parse_weights("0.7,0.7", SYMBOLS)
    with pytest.raises(UserInputError, match="one weight per symbol"):
        parse_weights("1", SYMBOLS)


def test_needs_a_period_or_a_threshold() -> None:
    with pytest.raises(UserInputError, match="every"):
        create_strategy("rebalance", strategy_id="r", symbols=SYMBOLS, cash=D(1000), params={"weights": "0.5,0.5"})


def test_first_bar_buys_the_target_weights() -> None:
    strategy = make()
    intents = strategy.on_bar(prices(0, "100", "10"))

    assert [(i.symbol, i.side, i.quote_amount) for i in intents] == [
        ("BTC/USDT", Side.BUY, D(600)), ("ETH/USDT", Side.BUY, D(400))]


def test_drift_past_the_threshold_sells_first_then_buys_with_the_proceeds() -> None:
    strategy = make()
    execute(strategy, strategy.on_bar(prices(0, "100", "10")), {"BTC/USDT": "100", "ETH/USDT": "10"})
    assert strategy.on_bar(prices(1, "104", "10")) == []  # drift 1.4 points: below the threshold

    sells = strategy.on_bar(prices(2, "150", "10"))  # BTC now 900 of 1300 = 69%

    assert [(i.symbol, i.side) for i in sells] == [("BTC/USDT", Side.SELL)]
    assert sells[0].quantity == (D(900) - D("0.6") * 1300) / 150
    assert strategy.on_bar(prices(3, "150", "10")) == []  # waiting for the sell
    buys = execute(strategy, sells, {"BTC/USDT": "150", "ETH/USDT": "10"})
    assert [(i.symbol, i.side, i.quote_amount) for i in buys] == [("ETH/USDT", Side.BUY, D(120))]
    execute(strategy, buys, {"BTC/USDT": "150", "ETH/USDT": "10"})
    assert strategy.drift({"BTC/USDT": D(150), "ETH/USDT": D(10)}) == 0


def test_adjustments_below_min_trade_are_skipped() -> None:
    strategy = make(min_trade="200", threshold="1")
    execute(strategy, strategy.on_bar(prices(0, "100", "10")), {"BTC/USDT": "100", "ETH/USDT": "10"})

    assert strategy.on_bar(prices(1, "110", "10")) == []  # 60 out of balance, under 200
    assert strategy.rounds == 2  # it did look


def test_periodic_rebalance_waits_for_its_fills_then_wakes_at_the_next_period() -> None:
    strategy = make(threshold="", every="7d")
    intents = strategy.on_bar(prices(1_000, "100", "10"))

    waiting = strategy.wake()
    assert not waiting.every_bar and waiting.at_ms is None  # nothing to do until the fills arrive
    execute(strategy, intents, {"BTC/USDT": "100", "ETH/USDT": "10"})
    assert strategy.wake().at_ms == 1_000 + 7 * 86_400_000
    assert strategy.on_bar(prices(1_000 + 6 * 86_400_000, "300", "10")) == []  # drift alone does not count
