"""What happened to a strategy's orders since it last looked: fills to deliver and orders that ended.

Reads the engine's own tables (orders by idempotency key, their fills) for the intents in the fill
cursor, and turns an engine fill into the ``StrategyFill`` the strategy books.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from engine.domain import Order, OrderStatus, Side
from engine.storage import repository as repo
from strategies.core.types import StrategyFill

KEY_PREFIX = "strategy:"


def order_key(intent_id: str) -> str:
    """The engine idempotency key of a strategy intent."""
    return KEY_PREFIX + intent_id


@dataclass(frozen=True, slots=True)
class FillOutcome:
    intent_id: str
    fill_id: str
    fill: StrategyFill


@dataclass(frozen=True, slots=True)
class EndOutcome:
    """The order of ``intent_id`` is done: ``rejected`` (canceled or refused) or fully delivered."""

    intent_id: str
    rejected: bool
    reason: str


Outcome = FillOutcome | EndOutcome


def strategy_fill(intent_id: str, row: Any, base: str) -> StrategyFill:
    """The net effect of one engine fill on the strategy's ledger (fees in quote or in base)."""
    quantity: Decimal = row.quantity
    price: Decimal = row.price
    fee: Decimal = row.fee
    fee_in_base = row.fee_asset == base
    side = Side(row.side)
    gross = quantity * price
    if side is Side.BUY:
        received = quantity - fee if fee_in_base else quantity
        quote = gross if fee_in_base else gross + fee
    else:
        received = quantity
        quote = gross - fee * price if fee_in_base else gross - fee
    fee_quote = fee * price if fee_in_base else fee
    return StrategyFill(intent_id, row.symbol, side, received, price, quote, fee_quote, row.ts_ms)


def collect(
    conn: Connection, user_id: int, cursor: Mapping[str, Sequence[str]], bases: Mapping[str, str]
) -> list[Outcome]:
    """New outcomes of the intents in ``cursor`` (intent id -> delivered fill ids), in a stable order.

    Fills come per order in (time, id) order; the last fill of a filled order is ``final``. An order
    that is terminal with every fill delivered yields an ``EndOutcome`` (rejected unless filled).
    """
    outcomes: list[Outcome] = []
    for intent_id in sorted(cursor):
        order = repo.order_by_key(conn, user_id, order_key(intent_id))
        if order is None:
            outcomes.append(EndOutcome(intent_id, True, "the order was never recorded"))
            continue
        outcomes.extend(_order_outcomes(conn, intent_id, order, set(cursor[intent_id]), bases))
    return outcomes


def _order_outcomes(
    conn: Connection, intent_id: str, order: Order, delivered: set[str], bases: Mapping[str, str]
) -> list[Outcome]:
    fills_t = repo.fills_t
    rows = conn.execute(
        select(fills_t).where(fills_t.c.order_id == order.id).order_by(fills_t.c.ts_ms, fills_t.c.id)
    ).all()
    outcomes: list[Outcome] = []
    base = bases.get(order.symbol, order.symbol.split("/")[0])
    for position, row in enumerate(rows):
        if row.id in delivered:
            continue
        fill = strategy_fill(intent_id, row, base)
        final = order.status is OrderStatus.FILLED and position == len(rows) - 1
        outcomes.append(FillOutcome(intent_id, row.id, fill._replace(final=final)))
    if order.status.is_terminal:
        rejected = order.status is not OrderStatus.FILLED
        outcomes.append(EndOutcome(intent_id, rejected, order.reason or order.status.value))
    return outcomes
