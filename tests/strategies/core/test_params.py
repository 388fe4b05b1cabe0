"""Parameter parsing: durations, numbers, unknown keys and the intent invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.errors import UserInputError
from strategies.core import OrderIntent, Side, create_strategy
from strategies.core.params import format_duration_ms, parse_duration_ms, parse_pairs


@pytest.mark.parametrize(("text", "expected"), [
    ("24h", 86_400_000), ("30m", 1_800_000), ("7d", 604_800_000), ("1w", 604_800_000), ("90", 90_000),
    ("1.5h", 5_400_000), ("250ms", 250),
])
def test_durations(text: str, expected: int) -> None:
    assert parse_duration_ms(text) == expected


@pytest.mark.parametrize("text", ["", "tomorrow", "-1h", "0h", "5y"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(UserInputError):
        parse_duration_ms(text, name="every")


def test_durations_format_with_the_largest_whole_unit() -> None:
    assert [format_duration_ms(ms) for ms in (3_600_000, 86_400_000, 90_000, 1_500)] == ["1h", "1d", "90s", "1500ms"]


def test_pairs_parse_and_refuse_repeats_and_junk() -> None:
    assert parse_pairs(["Amount=100", " every = 24h "]) == {"amount": "100", "every": "24h"}
    with pytest.raises(UserInputError, match="twice"):
        parse_pairs(["amount=1", "amount=2"])
    with pytest.raises(UserInputError, match="key=value"):
        parse_pairs(["amount"])


@pytest.mark.parametrize(("kind", "params", "message"), [
    ("dca", {"amount": "100", "evry": "1d"}, "unknown parameter `evry`"),
    ("dca", {"amount": "-5"}, "`amount` must be greater than 0"),
    ("dca", {"amount": "10", "safety_orders": "two"}, "whole number"),
    ("grid", {"lower": "100", "upper": "90", "quantity": "1"}, "`upper` must be greater than 100"),
    ("grid", {"lower": "90", "upper": "110", "quantity": "1", "levels": "1"}, "`levels` must be at least 2"),
    ("grid", {"lower": "90", "upper": "110", "quantity": "1", "mode": "fibonacci"}, "one of arithmetic"),
    ("grid", {"lower": "90", "upper": "110", "quantity": "100", "levels": "5"}, "can need 39000.00"),
    ("grid", {"lower": "90", "upper": "110", "quantity": "1", "out_of_range": "ignore"}, "pause, stop"),
])
def test_bad_parameters_name_the_problem(kind: str, params: dict, message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        create_strategy(kind, strategy_id="x", symbols=("BTC/USDT",), cash=Decimal(1000), params=params)


def test_intents_hold_exactly_one_positive_size() -> None:
    OrderIntent("a", "BTC/USDT", Side.BUY, quote_amount=Decimal(10))
    with pytest.raises(ValueError, match="exactly one"):
        OrderIntent("a", "BTC/USDT", Side.BUY, quantity=Decimal(1), quote_amount=Decimal(10))
    with pytest.raises(ValueError, match="buys only"):
        OrderIntent("a", "BTC/USDT", Side.SELL, quote_amount=Decimal(10))
    with pytest.raises(ValueError, match="positive"):
        OrderIntent("a", "BTC/USDT", Side.SELL, quantity=Decimal(0))
