"""Hand-computed equity curves and the bar-matching rules of the backtest loop."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from strategies.backtest.runner import run_simulation
from strategies.core import create_strategy
from tests.strategies.candles import HOUR, flat, series

D = Decimal


def simulate(kind: str, rows: list[tuple], *, cash: str = "1000", fee: str = "0", slippage: str = "0",
             **params: str):
    strategy = create_strategy(kind, strategy_id="t", symbols=("BTC/USDT",), cash=D(cash), params=params)
    return run_simulation(strategy, [series(rows)], cash=D(cash), fee=D(fee), slippage=D(slippage))


def test_buyhold_equity_is_units_bought_at_first_close_times_each_close() -> None:
    result = simulate("buyhold", flat([100, 110, 90, 120]), fee="0.01", slippage="0.02")

    units = 1000 * 0.99 / 102  # buy at 100 * (1 + 0.02), fee taken from the amount
    assert result.equity == pytest.approx([units * c for c in (100, 110, 90, 120)], rel=1e-12)
    assert len(result.venue.trades) == 1
    assert result.venue.trades[0].price == D("102.00")
    assert result.venue.cash == 0


def test_dca_buys_on_first_bar_then_24h_after_the_previous_buy_across_gaps_while_cash_lasts() -> None:
    # unaligned timestamps and a hole between 25h and 49h30
    stamps = [0, 12 * HOUR, 25 * HOUR, 40 * HOUR, 49 * HOUR + 1_800_000, 73 * HOUR + 1_800_000, 120 * HOUR]
    closes = [100, 50, 80, 40, 200, 100, 100]
    rows = [(ts, c, c, c, c) for ts, c in zip(stamps, closes, strict=True)]

    result = simulate("dca", rows, cash="250", fee="0.01", amount="100", every="24h")

    bought = [trade.ts_ms for trade in result.venue.trades]
    assert bought == [0, 25 * HOUR]  # 49h30 is due but only 50 of cash is left: buying stops
    units_after = [0.99, 0.99, 0.99 + 99 / 80, 0.99 + 99 / 80, 0.99 + 99 / 80, 0.99 + 99 / 80, 0.99 + 99 / 80]
    cash_after = [150, 150, 50, 50, 50, 50, 50]
    expected = [cash + units * close for cash, units, close in zip(cash_after, units_after, closes, strict=True)]
    assert result.equity == pytest.approx(expected, rel=1e-12)


def test_dca_take_profit_sells_the_deal_and_safety_orders_trigger_at_their_deviation() -> None:
    closes = [100, 98.5, 97.9, 96.5, 95, 101, 104.9, 105, 99]
    result = simulate("dca", flat(closes), cash="10000", amount="100", every="1000h", safety_orders="2",
                      safety_step="2", safety_step_scale="2", safety_volume_scale="3", take_profit="3")

    trades = [(t.intent_id, t.side, t.price) for t in result.venue.trades]
    # SO1 at 2% below 100 = 98, SO2 at (2 + 4)% below = 94 -> never reached; SO1 spends 100, SO2 would 300
    assert trades[:2] == [("t:dca:b0", "buy", D(100)), ("t:dca:d0:so1", "buy", D("97.9"))]
    units = 1 + 100 / 97.9
    take_profit = 200 / units * 1.03  # average cost 98.95..., +3% = 101.92
    assert 101 < take_profit < 104.9
    assert trades[2] == ("t:dca:d0:tp", "sell", D("104.9"))
    assert len(trades) == 3
    assert result.equity[-1] == pytest.approx(10_000 - 200 + units * 104.9, rel=1e-12)


def test_dca_dip_multiplier_boosts_a_scheduled_buy_after_a_drop() -> None:
    result = simulate("dca", flat([100, 100, 89, 95], step=24 * HOUR), amount="10", every="24h", dip="10",
                      dip_multiplier="3")

    assert [t.quote for t in result.venue.trades] == [D(10), D(10), D(30), D(10)]


def zigzag(cycles: int) -> list[tuple]:
    """Start flat at 100, then alternate a bar dipping to 94 (close 96) and one rising to 101."""
    rows = [(0, 100, 100, 100, 100)]
    for index in range(cycles):
        ts = (2 * index + 1) * HOUR
        rows.append((ts, 100, 100, 94, 96))
        rows.append((ts + HOUR, 96, 101, 96, 101))
    return rows


def test_grid_completes_one_cycle_per_zigzag_and_books_the_level_spread() -> None:
    cycles = 5
    result = simulate("grid", zigzag(cycles), cash="1000", lower="90", upper="110", levels="5", quantity="1")

    grid = result.strategy
    assert grid.cycles == cycles
    sides = [(t.side, t.price) for t in result.venue.trades]
    # start: buys at 100 and 105 are marketable at 100, so both fill there
    assert sides[:2] == [("buy", D(100)), ("buy", D(100))]
    assert sides[2:] == [("buy", D(95)), ("sell", D(100))] * cycles
    # cash: 1000 - 200 + 5 * (100 - 95); holding 2 units marked at 101
    assert result.equity[-1] == pytest.approx(800 + 5 * cycles + 2 * 101)
    assert result.venue.cash == D(800 + 5 * cycles)


def test_grid_fills_buy_then_sell_inside_one_rising_bar_but_not_inside_a_falling_one() -> None:
    params = {"lower": "90", "upper": "110", "levels": "5", "quantity": "1"}
    rising = [(0, 100, 100, 100, 100), (HOUR, 99, 101, 94, 100.5)]  # open->low->high->close
    falling = [(0, 100, 100, 100, 100), (HOUR, 99, 101, 94, 98)]  # open->high->low->close

    up = simulate("grid", rising, **params)
    down = simulate("grid", falling, **params)

    assert up.strategy.cycles == 1
    assert down.strategy.cycles == 0
    assert [t.side for t in down.venue.trades[2:]] == ["buy"]


def test_grid_with_fees_receives_less_and_sells_what_it_received() -> None:
    result = simulate("grid", zigzag(1), cash="1000", fee="0.01", lower="90", upper="110", levels="5",
                      quantity="1")

    buy, sell = result.venue.trades[2], result.venue.trades[3]
    assert buy.quantity == D("0.99") and buy.quote == D(95)
    assert sell.quantity == D("0.99") and sell.quote == D("0.99") * 100 * D("0.99")


def test_grid_pauses_outside_the_range_and_resumes_inside_it() -> None:
    closes = [100, 100, 80, 75, 100, 100]
    result = simulate("grid", flat(closes), cash="1000", lower="90", upper="110", levels="5", quantity="1")

    grid = result.strategy
    assert grid.status == "running"
    assert grid.epoch == 2  # placed at the start, placed again on re-entry
    # the falling bar to 80 filled the buys at 95 and 90 before the close paused the grid
    prices = [(t.side, t.price) for t in result.venue.trades]
    assert ("buy", D(95)) in prices and ("buy", D(90)) in prices


def test_grid_out_of_range_stop_cancels_orders_and_keeps_holdings() -> None:
    result = simulate("grid", flat([100, 120, 100]), lower="90", upper="110", levels="5", quantity="1",
                      out_of_range="stop")

    assert result.strategy.stopped
    assert not result.venue.buys["BTC/USDT"] and not result.venue.sells["BTC/USDT"]
    # the bar to 120 sold at 105 and 110 on its way up, then the grid stopped
    assert [t.side for t in result.venue.trades] == ["buy", "buy", "sell", "sell"]


def test_grid_stop_loss_sells_everything_at_the_close() -> None:
    result = simulate("grid", flat([100, 100, 85]), lower="90", upper="110", levels="5", quantity="1",
                      sl_price="88")

    last = result.venue.trades[-1]
    assert last.intent_id == "t:grid:exit" and last.price == D(85)
    assert result.venue.positions["BTC/USDT"] == 0
    assert result.strategy.stopped


def test_equity_has_one_row_per_candle_even_when_most_bars_are_skipped() -> None:
    rows = flat(list(np.linspace(100, 200, 500)))
    result = simulate("dca", rows, amount="10", every="100h")

    assert len(result.equity) == 500
    assert result.events == 5  # bars 0, 100, 200, 300, 400
    assert len(result.venue.trades) == 5
