"""Position and balance arithmetic for spot trading (pure functions, exact decimals).

Conventions (tested with hand-computed cases):
- fees are charged in the quote asset on the traded notional (paper, and most sells on exchanges);
- a buy adds ``quantity * price + fee`` to the cost basis, so ``average_cost`` includes buy fees;
- a sell realizes ``quantity * price - fee - quantity * average_cost``;
- hence realized P&L plus unrealized P&L always equals the change in quote-valued equity.
- Exchanges may charge the fee in the base asset (a buy on Binance or KuCoin delivers
  ``quantity - fee``): the position then holds what the account holds, the cost basis is the quote
  paid, and the fee's value at the fill price counts in ``fees_paid``. A fee in a third asset (BNB,
  KCS) comes off that asset's balance and leaves the position and its P&L alone.
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
    position: Position, side: Side, quantity: Decimal, price: Decimal, fee: Decimal, fee_asset: str | None = None
) -> tuple[Position, Decimal]:
    """Return the position after a fill and the P&L the fill realized (``fee_asset``: quote if empty)."""
    if quantity <= 0:
        raise ValueError("fill quantity must be positive")
    base, _, quote = position.symbol.partition("/")
    if fee_asset and fee_asset == base and fee_asset != quote:
        return _apply_base_fee(position, side, quantity, price, fee)
    if fee_asset and fee_asset != quote:
        fee = ZERO  # a third asset's fee: off that asset's balance, outside this position
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


def _apply_base_fee(
    position: Position, side: Side, quantity: Decimal, price: Decimal, fee: Decimal
) -> tuple[Position, Decimal]:
    """A fill whose fee was taken in the base asset: the base that moved is ``quantity -/+ fee``."""
    fee_value = q18(fee * price)
    if side is Side.BUY:
        held = position.quantity + quantity - fee
        if held <= 0:
            raise ValueError(f"a fee of {fee} leaves nothing of a {quantity} buy")
        cost = position.average_cost * position.quantity + quantity * price
        updated = replace(
            position, quantity=held, average_cost=q18(cost / held), fees_paid=position.fees_paid + fee_value
        )
        return updated, ZERO
    out = quantity + fee
    if out > position.quantity:
        raise ValueError(f"cannot sell {quantity} plus a fee of {fee}, only {position.quantity} held")
    realized = q18(quantity * price - out * position.average_cost)
    held = position.quantity - out
    updated = replace(
        position,
        quantity=held,
        average_cost=position.average_cost if held else ZERO,
        realized_pnl=position.realized_pnl + realized,
        fees_paid=position.fees_paid + fee_value,
    )
    return updated, realized


def fee_value(fee: Decimal, fee_asset: str | None, symbol: str, price: Decimal) -> Decimal:
    """The fee in the quote currency: as is, at the fill price if in the base, 0 if in a third asset."""
    base, _, quote = symbol.partition("/")
    if not fee_asset or fee_asset == quote:
        return fee
    return q18(fee * price) if fee_asset == base else ZERO


def balance_changes(
    side: Side, base: str, quote: str, quantity: Decimal, price: Decimal, fee: Decimal, fee_asset: str | None = None
) -> dict[str, Decimal]:
    """Change of each asset's total balance caused by a fill (the fee off ``fee_asset``, quote if None)."""
    notional = quantity * price
    changes = {base: quantity, quote: -notional} if side is Side.BUY else {base: -quantity, quote: notional}
    charged = fee_asset or quote
    changes[charged] = changes.get(charged, ZERO) - fee
    return changes
