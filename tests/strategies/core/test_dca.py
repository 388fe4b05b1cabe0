"""DCA decisions bar by bar: schedule, safety orders, take-profit, budget, rejections."""

from __future__ import annotations

from decimal import Decimal

from strategies.core import OrderIntent, Side, StrategyFill, create_strategy
from strategies.core.dca import Dca
from tests.strategies.candles import HOUR, bar

D = Decimal


def make(cash: str = "1000", **params: str) -> Dca:
    dca = create_strategy("dca", strategy_id="d", symbols=("BTC/USDT",), cash=D(cash),
                          params={"amount": "100", "every": "24h"} | params)
    assert isinstance(dca, Dca)
    return dca


def fill_all(dca: Dca, intents: list, price: str, ts: int) -> None:
    """Fill every intent at ``price`` with no fee, as a venue would."""
    for intent in intents:
        assert isinstance(intent, OrderIntent)
        if intent.side is Side.BUY:
            quote = intent.quote_amount
            dca.on_fill(StrategyFill(intent.intent_id, "BTC/USDT", Side.BUY, quote / D(price), D(price), quote,
                                     D(0), ts))
        else:
            dca.on_fill(StrategyFill(intent.intent_id, "BTC/USDT", Side.SELL, intent.quantity, D(price),
                                     intent.quantity * D(price), D(0), ts))


def test_safety_orders_follow_the_step_and_volume_scales() -> None:
    dca = make(cash="100000", safety_orders="3", safety_step="1", safety_step_scale="2", safety_volume_scale="2",
               safety_amount="50")
    fill_all(dca, dca.on_bar(bar(0, "100")), "100", 0)

    assert [dca.safety_price(k) for k in (1, 2, 3)] == [D(99), D(97), D(93)]  # 1%, 1+2%, 1+2+4%
    assert [dca.safety_size(k) for k in (1, 2, 3)] == [D(50), D(100), D(200)]
    assert dca.wake().close_at_or_below == D(99)


def test_a_crash_through_two_levels_places_both_safety_orders_on_one_bar() -> None:
    dca = make(cash="100000", safety_orders="3", safety_step="1")
    fill_all(dca, dca.on_bar(bar(0, "100")), "100", 0)

    intents = dca.on_bar(bar(HOUR, "97.5"))

    assert [i.intent_id for i in intents] == ["d:dca:d0:so1", "d:dca:d0:so2"]


def test_take_profit_closes_the_deal_and_the_next_deal_starts_fresh() -> None:
    dca = make(cash="100000", safety_orders="1", safety_step="10", take_profit="5")
    fill_all(dca, dca.on_bar(bar(0, "100")), "100", 0)
    assert dca.wake().close_at_or_above == D(105)
    assert dca.on_bar(bar(HOUR, "104.99")) == []

    sell = dca.on_bar(bar(2 * HOUR, "105"))
    assert [(i.intent_id, i.side, i.quantity) for i in sell] == [("d:dca:d0:tp", Side.SELL, D(1))]
    assert dca.wake() == dca.wake()._replace(at_ms=None, symbol=None)  # idle while the sell is out
    fill_all(dca, sell, "105", 2 * HOUR)

    assert dca.position == 0 and dca.cash == D(100005)
    assert dca.deal == 1 and dca.deal_base is None and dca.take_profit_price() is None
    assert [i.intent_id for i in dca.on_bar(bar(24 * HOUR, "90"))] == ["d:dca:b1"]


def test_buying_stops_when_the_cash_left_is_less_than_the_amount() -> None:
    dca = make(cash="250")
    for day in range(3):
        fill_all(dca, dca.on_bar(bar(day * 24 * HOUR, "10")), "10", day * 24 * HOUR)

    assert dca.cash == D(50) and dca.buys == 2
    assert dca.wake().at_ms is None


def test_a_rejected_buy_releases_its_reserve_and_is_not_retried_on_the_same_schedule() -> None:
    dca = make()
    [intent] = dca.on_bar(bar(0, "10"))
    assert dca.available == D(900)

    dca.on_reject(intent.intent_id, "venue down")

    assert dca.available == D(1000)
    assert dca.on_bar(bar(HOUR, "10")) == []
    assert dca.wake().at_ms == 24 * HOUR


def test_state_round_trips_with_everything_as_strings() -> None:
    dca = make(cash="100000", safety_orders="2", take_profit="3", dip="5", dip_multiplier="2")
    fill_all(dca, dca.on_bar(bar(0, "100")), "100", 0)
    dca.on_bar(bar(HOUR, "98.5"))  # the first safety order, left pending

    state = dca.to_state()
    restored = Dca.from_state(state)

    assert all(isinstance(value, str) for value in state.values())
    assert restored.to_state() == state
    assert restored.pending_buys == {"d:dca:d0:so1": D(100)}
    assert restored.take_profit_price() == dca.take_profit_price()
