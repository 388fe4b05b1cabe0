from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from engine.domain import Side
from engine.errors import InsufficientBalance, RiskRejected
from engine.risk import OrderFacts, RiskLimits, check_order, required_funds

BUY = OrderFacts(
    symbol="BTC/USDT",
    side=Side.BUY,
    quantity=D("0.1"),
    price=D("20000"),
    base_asset="BTC",
    quote_asset="USDT",
    fee_rate=D("0.001"),
    available_base=D("0"),
    available_quote=D("5000"),
    position_quantity=D("0"),
    daily_realized_pnl=D("0"),
    kill_switch=False,
)
LIMITS = RiskLimits(max_order_notional=D("10000"), max_position_notional=D("15000"), daily_loss_limit=D("500"))


def test_order_within_limits_passes() -> None:
    check_order(BUY, LIMITS)
    assert required_funds(BUY) == ("USDT", D("2002.000"))


def test_kill_switch_refuses_everything() -> None:
    with pytest.raises(RiskRejected, match="kill switch") as caught:
        check_order(replace(BUY, kill_switch=True), LIMITS)
    assert caught.value.code == "kill_switch"


def test_symbol_outside_allow_list_is_refused() -> None:
    with pytest.raises(RiskRejected, match="allow-list"):
        check_order(BUY, replace(LIMITS, allowed_symbols=frozenset({"ETH/USDT"})))


def test_max_order_notional() -> None:
    with pytest.raises(RiskRejected, match="exceeds the limit of 10000"):
        check_order(replace(BUY, quantity=D("0.6"), available_quote=D("100000")), LIMITS)


def test_max_position_counts_what_is_already_held() -> None:
    with pytest.raises(RiskRejected, match=r"position in BTC would be 16000\.00"):
        check_order(replace(BUY, position_quantity=D("0.7"), available_quote=D("100000")), LIMITS)


def test_daily_loss_limit_blocks_buys_but_not_sells() -> None:
    with pytest.raises(RiskRejected, match="daily loss limit"):
        check_order(replace(BUY, daily_realized_pnl=D("-500")), LIMITS)
    sell = replace(BUY, side=Side.SELL, available_base=D("1"), daily_realized_pnl=D("-900"))
    check_order(sell, LIMITS)


def test_buy_needs_notional_plus_fee() -> None:
    with pytest.raises(InsufficientBalance, match=r"needs 2002, available 2001\.99"):
        check_order(replace(BUY, available_quote=D("2001.99")), LIMITS)


def test_cannot_sell_what_is_not_held() -> None:
    with pytest.raises(InsufficientBalance, match=r"insufficient BTC to sell 0\.1 BTC"):
        check_order(replace(BUY, side=Side.SELL, available_base=D("0.05")), LIMITS)
