"""Copy sizing: ratio, fixed quote amount, and the max-allocation cap, all in Decimal."""

from __future__ import annotations

from decimal import Decimal

from engine.domain import Instrument, Side
from strategies.copytrade.sizing import allocated_after, copy_size
from strategies.copytrade.storage import Follow

D = Decimal
BTC = Instrument("BTC/USDT", "BTC", "USDT", D("0.01"), D("0.00001"), D("0.00001"), D("5"))


def rule(*, ratio: str | None = None, fixed: str | None = None, cap: str | None = None, used: str = "0") -> Follow:
    return Follow(2, 1, None if ratio is None else D(ratio), None if fixed is None else D(fixed),
                  None if cap is None else D(cap), D(used), 0)  # fmt: skip


def test_ratio_scales_the_leaders_quantity_and_rounds_down_to_the_step() -> None:
    assert copy_size(rule(ratio="0.5"), Side.BUY, D("0.01"), D("40000"), BTC).quantity == D("0.005")
    assert copy_size(rule(ratio="0.333"), Side.BUY, D("0.01"), D("40000"), BTC).quantity == D("0.00333")
    assert copy_size(rule(), Side.SELL, D("0.0123456"), D("40000"), BTC).quantity == D("0.01234")  # ratio 1


def test_fixed_is_a_quote_amount_at_the_current_price() -> None:
    size = copy_size(rule(fixed="100"), Side.BUY, D("3"), D("40000"), BTC)
    assert size.quantity == D("0.0025") and size.skipped is None


def test_max_allocation_cuts_a_buy_to_the_room_left() -> None:
    size = copy_size(rule(ratio="1", cap="1000", used="900"), Side.BUY, D("0.01"), D("40000"), BTC)
    assert size.quantity == D("0.0025")  # $100 of room at 40000


def test_max_allocation_reached_skips_with_the_reason() -> None:
    size = copy_size(rule(fixed="100", cap="500", used="500"), Side.BUY, D("1"), D("40000"), BTC)
    assert size.quantity == 0 and size.skipped == "max allocation of 500 USDT reached"


def test_sells_are_not_capped_and_release_allocation() -> None:
    size = copy_size(rule(ratio="1", cap="500", used="500"), Side.SELL, D("0.01"), D("40000"), BTC)
    assert size.quantity == D("0.01")
    assert allocated_after(rule(used="500"), Side.SELL, D("400")) == D("100")
    assert allocated_after(rule(used="100"), Side.SELL, D("400")) == D("0")
    assert allocated_after(rule(used="100"), Side.BUY, D("250.5")) == D("350.5")


def test_a_size_that_rounds_to_nothing_is_skipped() -> None:
    size = copy_size(rule(ratio="0.0001"), Side.BUY, D("0.01"), D("40000"), BTC)
    assert size.skipped is not None and "rounds to nothing" in size.skipped
