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
    """Return the position after a fill and the P&L the fill realized (``fee_asset``: quote if empty).

    A fee in the base asset changes the base that moved (a buy delivers ``quantity - fee``, a sell
    takes ``quantity + fee``); a fee in a third asset is outside this position."""
    if quantity <= 0:
        raise ValueError("fill quantity must be positive")
    in_quote, in_base = _fee_parts(fee, fee_asset, position.symbol)
    fees_paid = position.fees_paid + fee_value(fee, fee_asset, position.symbol, price)
    if side is Side.BUY:
        held = position.quantity + quantity - in_base if in_base else position.quantity + quantity
        if held <= 0:
            raise ValueError(f"a fee of {fee} leaves nothing of a {quantity} buy")
        cost = position.average_cost * position.quantity + quantity * price + in_quote
        return replace(position, quantity=held, average_cost=q18(cost / held), fees_paid=fees_paid), ZERO
    out = quantity + in_base if in_base else quantity
    if out > position.quantity:
        with_fee = f" plus a fee of {fee}" if in_base else ""
        raise ValueError(f"cannot sell {quantity}{with_fee}, only {position.quantity} held")
    realized = q18(quantity * price - in_quote - out * position.average_cost)
    held = position.quantity - out
    updated = replace(
        position,
        quantity=held,
        average_cost=position.average_cost if held else ZERO,
        realized_pnl=position.realized_pnl + realized,
        fees_paid=fees_paid,
    )
    return updated, realized


def _fee_parts(fee: Decimal, fee_asset: str | None, symbol: str) -> tuple[Decimal, Decimal]:
    """The fee's part in the quote and in the base asset; a third asset's fee is in neither."""
    base, _, quote = symbol.partition("/")
    if not fee_asset or fee_asset == quote:
        return fee, ZERO
    return (ZERO, fee) if fee_asset == base else (ZERO, ZERO)


def fee_value(fee: Decimal, fee_asset: str | None, symbol: str, price: Decimal) -> Decimal:
    """The fee in the quote currency: as is, at the fill price if in the base, 0 if in a third asset."""
    in_quote, in_base = _fee_parts(fee, fee_asset, symbol)
    return q18(in_base * price) if in_base else in_quote


def balance_changes(
    side: Side, base: str, quote: str, quantity: Decimal, price: Decimal, fee: Decimal, fee_asset: str | None = None
) -> dict[str, Decimal]:
    """Change of each asset's total balance caused by a fill (the fee off ``fee_asset``, quote if None)."""
    notional = quantity * price
    changes = {base: quantity, quote: -notional} if side is Side.BUY else {base: -quantity, quote: notional}
    charged = fee_asset or quote
    changes[charged] = changes.get(charged, ZERO) - fee
    return changes
