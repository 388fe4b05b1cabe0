"""Turn an intent's size (base, quote amount, percent of balance) into a valid base quantity."""

from __future__ import annotations

from decimal import Decimal

from engine.domain import Instrument, Side
from engine.errors import UserInputError
from engine.orders.intent import OrderIntent


def base_quantity(
    intent: OrderIntent, instrument: Instrument, *, price: Decimal, available: Decimal, fee_rate: Decimal
) -> Decimal:
    """Resolve and round the base quantity; refuse sizes below the market's minimums.

    ``price`` is the limit or the locked market price; ``available`` is the free quote (buy) or
    base (sell) balance, used for percent sizing.
    """
    if intent.quantity is not None:
        raw = intent.quantity
    elif intent.quote_amount is not None:
        raw = intent.quote_amount / price
    else:
        assert intent.percent is not None
        share = available * intent.percent / 100
        raw = share / (price * (1 + fee_rate)) if intent.side is Side.BUY else share
    quantity = instrument.round_quantity(raw)
    if quantity < instrument.min_quantity or quantity <= 0:
        raise UserInputError(
            f"order size {raw.normalize():f} {instrument.base} is below the minimum of "
            f"{instrument.min_quantity.normalize():f} {instrument.base} for {instrument.symbol}",
            code="below_min_quantity",
        )
    notional = quantity * price
    if notional < instrument.min_notional:
        raise UserInputError(
            f"order value {notional:.2f} {instrument.quote} is below the minimum of "
            f"{instrument.min_notional} {instrument.quote} for {instrument.symbol}",
            code="below_min_notional",
        )
    return quantity
