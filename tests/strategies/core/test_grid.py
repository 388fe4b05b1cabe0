"""Grid levels, the orders a grid places, and its reaction to fills, pauses and stops."""

from __future__ import annotations

from decimal import Decimal

from strategies.core import CancelIntent, OrderIntent, Side, StrategyFill, create_strategy
from strategies.core.grid import Grid, grid_levels
from tests.strategies.candles import bar

D = Decimal


def make(**params: str) -> Grid:
    values = {"lower": "90", "upper": "110", "levels": "5", "quantity": "1"} | params
    grid = create_strategy("grid", strategy_id="g", symbols=("BTC/USDT",), cash=D(1000), params=values)
    assert isinstance(grid, Grid)
    return grid


def test_arithmetic_levels_are_equally_spaced() -> None:
    assert grid_levels(D(90), D(110), 5, "arithmetic") == [D(90), D(95), D(100), D(105), D(110)]


def test_geometric_levels_have_equal_ratios_and_end_on_the_bounds() -> None:
    levels = grid_levels(D(100), D(400), 3, "geometric")
    assert levels[0] == 100 and levels[-1] == 400
    assert abs(levels[1] - 200) < D("1e-20")


def test_first_bar_places_one_buy_per_interval() -> None:
    intents = make().on_bar(bar(0, "100"))

    assert all(isinstance(intent, OrderIntent) and intent.side is Side.BUY for intent in intents)
    assert [intent.limit_price for intent in intents] == [D(90), D(95), D(100), D(105)]
    assert len({intent.intent_id for intent in intents}) == 4


def test_a_filled_buy_becomes_a_sell_one_level_up_and_a_filled_sell_a_new_buy() -> None:
    grid = make()
    buy = grid.on_bar(bar(0, "100"))[1]  # the buy at 95

    sell = grid.on_fill(StrategyFill(buy.intent_id, "BTC/USDT", Side.BUY, D("0.99"), D(95), D(95), D("0.95"), 1))
    assert [(i.side, i.limit_price, i.quantity) for i in sell] == [(Side.SELL, D(100), D("0.99"))]

    again = grid.on_fill(StrategyFill(sell[0].intent_id, "BTC/USDT", Side.SELL, D("0.99"), D(100), D(99), D(1), 2))
    assert [(i.side, i.limit_price) for i in again] == [(Side.BUY, D(95))]
    assert again[0].intent_id != buy.intent_id  # a new order needs a new idempotency key
    assert grid.cycles == 1 and grid.realized == D(99) - D(95)


def test_a_fill_for_an_unknown_or_finished_order_changes_nothing() -> None:
    grid = make()
    grid.on_bar(bar(0, "100"))
    before = grid.to_state()

    assert grid.on_fill(StrategyFill("g:other", "BTC/USDT", Side.BUY, D(0), D(95), D(0), D(0), 1)) == []
    assert grid.to_state() == before


def test_leaving_the_range_pauses_and_cancels_then_returning_replaces_the_orders() -> None:
    grid = make()
    placed = grid.on_bar(bar(0, "100"))

    paused = grid.on_bar(bar(1, "80"))
    assert {i.intent_id for i in paused if isinstance(i, CancelIntent)} == {i.intent_id for i in placed}
    assert grid.status == "paused" and grid.on_bar(bar(2, "79")) == []

    resumed = grid.on_bar(bar(3, "100"))
    assert len(resumed) == 4 and grid.status == "running"
    assert not {i.intent_id for i in resumed} & {i.intent_id for i in placed}


def test_wake_tracks_the_range_and_the_stops() -> None:
    grid = make(sl_price="80", tp_price="130")
    assert grid.wake().every_bar
    grid.on_bar(bar(0, "100"))
    wake = grid.wake()
    assert (wake.close_at_or_below, wake.close_at_or_above) == (D(90), D(110))
    grid.on_bar(bar(1, "85"))  # paused below the range
    wake = grid.wake()
    assert (wake.close_at_or_below, wake.close_at_or_above) == (D(80), D(90))


def test_take_profit_cancels_everything_and_sells_the_position() -> None:
    grid = make(tp_price="108")
    placed = grid.on_bar(bar(0, "100"))
    grid.on_fill(StrategyFill(placed[3].intent_id, "BTC/USDT", Side.BUY, D(1), D(100), D(100), D(0), 1))

    intents = grid.on_bar(bar(1, "108"))

    assert isinstance(intents[-1], OrderIntent) and intents[-1].side is Side.SELL
    assert intents[-1].quantity == D(1) and intents[-1].intent_id == "g:grid:exit"
    assert sum(isinstance(i, CancelIntent) for i in intents) == 4
    assert grid.stopped and grid.wake().close_at_or_above is None and grid.on_bar(bar(2, "100")) == []
