"""P&L arithmetic with fees, checked against hand-computed numbers."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from engine.accounting import apply_fill, balance_changes, q18
from engine.domain import Position, Side, UserId


def fresh() -> Position:
    return Position(UserId(1), "paper", "BTC/USDT")


def test_buy_puts_fee_into_cost_basis() -> None:
    # 0.5 BTC at 20,000 with a 10 USDT fee: cost 10,010, average 20,020
    pos, realized = apply_fill(fresh(), Side.BUY, D("0.5"), D("20000"), D("10"))
    assert (pos.quantity, pos.average_cost, realized, pos.fees_paid) == (D("0.5"), D("20020"), D(0), D("10"))


def test_two_buys_average_their_costs() -> None:
    pos, _ = apply_fill(fresh(), Side.BUY, D("1"), D("100"), D("0.1"))  # cost 100.1
    pos, _ = apply_fill(pos, Side.BUY, D("1"), D("200"), D("0.2"))  # cost 200.2
    assert pos.average_cost == D("150.15")  # 300.3 / 2


def test_sell_realizes_net_of_both_fees() -> None:
    pos, _ = apply_fill(fresh(), Side.BUY, D("2"), D("100"), D("0.2"))  # avg 100.1
    pos, realized = apply_fill(pos, Side.SELL, D("1"), D("110"), D("0.11"))
    # 1 * 110 - 0.11 - 1 * 100.1 = 9.79
    assert realized == D("9.79")
    assert pos.quantity == D("1")
    assert pos.average_cost == D("100.1")
    assert pos.realized_pnl == D("9.79")
    assert pos.fees_paid == D("0.31")


def test_losing_round_trip_is_negative() -> None:
    pos, _ = apply_fill(fresh(), Side.BUY, D("1"), D("100"), D("0.1"))
    pos, realized = apply_fill(pos, Side.SELL, D("1"), D("90"), D("0.09"))
    assert realized == D("-10.19")
    assert pos.quantity == 0
    assert pos.average_cost == 0


def test_realized_plus_unrealized_equals_equity_change() -> None:
    cash = D("1000")
    pos = fresh()
    trades = [
        (Side.BUY, D("3"), D("100"), D("0.3")),
        (Side.SELL, D("1"), D("120"), D("0.12")),
        (Side.BUY, D("0.5"), D("90"), D("0.045")),
    ]
    for side, qty, price, fee in trades:
        changes = balance_changes(side, "BTC", "USDT", qty, price, fee)
        cash += changes["USDT"]
        pos, _ = apply_fill(pos, side, qty, price, fee)
    mark = D("105")
    equity_change = cash + pos.quantity * mark - D("1000")
    assert pos.realized_pnl + pos.unrealized_pnl(mark) == equity_change


def test_selling_more_than_held_is_refused() -> None:
    pos, _ = apply_fill(fresh(), Side.BUY, D("1"), D("100"), D("0"))
    with pytest.raises(ValueError, match="only 1 held"):
        apply_fill(pos, Side.SELL, D("1.5"), D("100"), D("0"))


def test_balance_changes_of_a_sell() -> None:
    assert balance_changes(Side.SELL, "ETH", "USDT", D("2"), D("1500"), D("3")) == {"ETH": D("-2"), "USDT": D("2997")}


def test_a_buy_whose_fee_is_taken_in_the_base_asset_holds_what_was_delivered() -> None:
    # Binance/KuCoin style: buy 1 BTC at 100, fee 0.001 BTC, so 0.999 BTC arrive for 100 USDT
    assert balance_changes(Side.BUY, "BTC", "USDT", D("1"), D("100"), D("0.001"), "BTC") == {
        "BTC": D("0.999"),
        "USDT": D("-100"),
    }
    pos, realized = apply_fill(fresh(), Side.BUY, D("1"), D("100"), D("0.001"), "BTC")
    assert realized == 0 and pos.quantity == D("0.999")
    assert pos.average_cost == q18(D("100") / D("0.999")) and pos.fees_paid == D("0.1")


def test_a_fee_in_a_third_asset_comes_off_that_asset_and_leaves_the_position_alone() -> None:
    assert balance_changes(Side.SELL, "BTC", "USDT", D("1"), D("100"), D("0.02"), "BNB") == {
        "BTC": D("-1"),
        "USDT": D("100"),
        "BNB": D("-0.02"),
    }
    pos, _ = apply_fill(fresh(), Side.BUY, D("1"), D("100"), D("0.02"), "BNB")
    assert (pos.quantity, pos.average_cost, pos.fees_paid) == (D("1"), D("100"), D("0"))


def test_realized_plus_unrealized_equals_equity_change_with_fees_in_base_and_quote() -> None:
    cash, held = D("1000"), D("0")
    pos = fresh()
    trades = [
        (Side.BUY, D("3"), D("100"), D("0.003"), "BTC"),
        (Side.SELL, D("1"), D("120"), D("0.12"), "USDT"),
        (Side.BUY, D("0.5"), D("90"), D("0.0005"), "BTC"),
        (Side.SELL, D("0.5"), D("95"), D("0.0005"), "BTC"),
    ]
    for side, qty, price, fee, asset in trades:
        changes = balance_changes(side, "BTC", "USDT", qty, price, fee, asset)
        cash += changes["USDT"]
        held += changes["BTC"]
        pos, _ = apply_fill(pos, side, qty, price, fee, asset)
    assert pos.quantity == held  # the position is what the account holds
    mark = D("105")
    equity_change = cash + held * mark - D("1000")
    assert abs(pos.realized_pnl + pos.unrealized_pnl(mark) - equity_change) < D("1e-15")


def test_a_sell_cannot_take_a_base_fee_beyond_what_is_held() -> None:
    pos, _ = apply_fill(fresh(), Side.BUY, D("1"), D("100"), D("0"))
    with pytest.raises(ValueError, match="plus a fee"):
        apply_fill(pos, Side.SELL, D("1"), D("100"), D("0.001"), "BTC")
