"""Position and balance arithmetic for spot trading (pure functions, exact decimals).

Conventions (tested with hand-computed cases):
- fees are charged in the quote asset on the traded notional;
- a buy adds ``quantity * price + fee`` to the cost basis, so ``average_cost`` includes buy fees;
- a sell realizes ``quantity * price - fee - quantity * average_cost``;
- hence realized P&L plus unrealized P&L always equals the change in quote-valued equity.
Stored values are quantized to 18 decimal places so SQLite and PostgreSQL hold identical numbers.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Context, Decimal

from engine.domain import ZERO, Position, Side

_Q18 = Decimal("1e-18")
_WIDE = Context(prec=60)


def q18(value: Decimal) -> Decimal:
    """Round to 18 decimal places (what NUMERIC(38, 18) stores), without the default 28-digit limit."""
    return value.quantize(_Q18, context=_WIDE).normalize(_WIDE) if value else ZERO


def apply_fill(
    position: Position, side: Side, quantity: Decimal, price: Decimal, fee: Decimal
) -> tuple[Position, Decimal]:
    """Return the position after a fill and the P&L the fill realized."""
    if quantity <= 0:
        raise ValueError("fill quantity must be positive")
    if side is Side.BUY:
        held = position.quantity + quantity
        cost = position.average_cost * position.quantity + quantity * price + fee
        updated = replace(position, quantity=held, average_cost=q18(cost / held), fees_paid=position.fees_paid + fee)
        return updated, ZERO
    if quantity > position.quantity:
        raise ValueError(f"cannot sell {quantity}, only {position.quantity} held")
    realized = q18(quantity * price - fee - quantity * position.average_cost)
    held = position.quantity - quantity
    updated = replace(
        position,
        quantity=held,
        average_cost=position.average_cost if held else ZERO,
        realized_pnl=position.realized_pnl + realized,
        fees_paid=position.fees_paid + fee,
    )
    return updated, realized


def balance_changes(
    side: Side, base: str, quote: str, quantity: Decimal, price: Decimal, fee: Decimal
) -> dict[str, Decimal]:
    """Change of each asset's total balance caused by a fill."""
    notional = quantity * price
    if side is Side.BUY:
        return {base: quantity, quote: -(notional + fee)}
    return {base: -quantity, quote: notional - fee}
