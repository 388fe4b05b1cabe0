"""The strategy kinds by name: build a new instance from parameters or resume one from its state."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from engine.errors import UserInputError
from strategies.core.base import Strategy
from strategies.core.buyhold import BuyHold
from strategies.core.dca import Dca
from strategies.core.grid import Grid
from strategies.core.rebalance import Rebalance

STRATEGIES: dict[str, type[Strategy]] = {cls.kind: cls for cls in (BuyHold, Dca, Grid, Rebalance)}


def strategy_class(kind: str) -> type[Strategy]:
    try:
        return STRATEGIES[kind.lower()]
    except KeyError:
        raise UserInputError(f"unknown strategy `{kind}`; choose one of {', '.join(STRATEGIES)}") from None


def create_strategy(
    kind: str, *, strategy_id: str, symbols: tuple[str, ...], cash: Decimal, params: Mapping[str, str]
) -> Strategy:
    """Build a fresh instance; parameter errors are ``UserInputError`` naming the parameter."""
    return strategy_class(kind)(strategy_id=strategy_id, symbols=symbols, cash=cash, params=params)


def restore_strategy(state: Mapping[str, str]) -> Strategy:
    """Resume an instance from ``Strategy.to_state()`` output."""
    return strategy_class(state["kind"]).from_state(state)
