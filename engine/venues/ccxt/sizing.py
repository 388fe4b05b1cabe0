"""Market precision and limits: build the ``Instrument``, round orders, refuse ones too small.

Quantities round down to the step (never more than asked or held); limit prices round towards
the safe side (a buy never pays more, a sell never receives less than the user's price). An order
below the market's minimum amount or minimum notional is refused here, before any request is
sent, with a message naming the minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal

from engine.domain import ZERO, Instrument, OrderType, Side
from engine.errors import OperatorError, UserInputError
from engine.venues.ccxt.schemas import MarketSchema

_DECIMAL_PLACES = 2  # ccxt.base.decimal_to_precision.DECIMAL_PLACES
_TICK_SIZE = 4  # ccxt.base.decimal_to_precision.TICK_SIZE


def _step(value: Decimal | None, precision_mode: int, what: str, symbol: str) -> Decimal:
    if value is None or value <= 0:
        raise OperatorError(f"market {symbol} has no {what} precision")
    if precision_mode == _TICK_SIZE:
        return value
    if precision_mode == _DECIMAL_PLACES:
        return Decimal(1).scaleb(-int(value))
    raise OperatorError(f"unsupported ccxt precision mode {precision_mode} for {symbol}")


def instrument_from_market(market: MarketSchema, precision_mode: int) -> Instrument:
    """The engine's ``Instrument`` for a ccxt market (TICK_SIZE or DECIMAL_PLACES precision)."""
    step_size = _step(market.precision.amount, precision_mode, "amount", market.symbol)
    tick_size = _step(market.precision.price, precision_mode, "price", market.symbol)
    min_quantity = market.limits.amount.min or step_size
    return Instrument(
        symbol=market.symbol,
        base=market.base,
        quote=market.quote,
        tick_size=tick_size,
        step_size=step_size,
        min_quantity=max(min_quantity, step_size),
        min_notional=market.limits.cost.min or ZERO,
    )


def round_limit_price(instrument: Instrument, side: Side, price: Decimal) -> Decimal:
    """Round to the tick on the user's safe side: buys down, sells up."""
    rounding = ROUND_FLOOR if side is Side.BUY else ROUND_CEILING
    ticks = (price / instrument.tick_size).to_integral_value(rounding=rounding)
    return ticks * instrument.tick_size


@dataclass(frozen=True, slots=True)
class PreparedOrder:
    """An order rounded to the market's precision and known to pass its minimums."""

    quantity: Decimal
    price: Decimal | None
    notional: Decimal


def prepare_order(
    instrument: Instrument,
    *,
    side: Side,
    order_type: OrderType,
    quantity: Decimal,
    price: Decimal | None,
    reference_price: Decimal | None,
    venue: str,
) -> PreparedOrder:
    """Round ``quantity`` and ``price`` and check min amount and min notional.

    ``reference_price`` values market orders for the notional check. Raises ``UserInputError``
    when the rounded order is below a minimum or a limit order has no positive price.
    """
    if quantity <= 0:
        raise UserInputError(f"Order quantity must be positive, got {quantity}.")
    if order_type is OrderType.LIMIT:
        if price is None or price <= 0:
            raise UserInputError("A limit order needs a positive price.")
        price = round_limit_price(instrument, side, price)
        if price <= 0:
            raise UserInputError(f"Price is below the tick size {instrument.tick_size} of {instrument.symbol}.")
    else:
        price = None
    rounded = instrument.round_quantity(quantity)
    if rounded < instrument.min_quantity:
        raise UserInputError(
            f"Order too small: {quantity} {instrument.base} is below {venue}'s minimum of "
            f"{instrument.min_quantity} {instrument.base} for {instrument.symbol} "
            f"(amounts are multiples of {instrument.step_size})."
        )
    valuation = price if price is not None else reference_price
    notional = rounded * valuation if valuation is not None else ZERO
    if valuation is not None and notional < instrument.min_notional:
        raise UserInputError(
            f"Order too small: {rounded} {instrument.base} is worth {notional.normalize():f} "
            f"{instrument.quote}, below {venue}'s minimum order value of "
            f"{instrument.min_notional.normalize():f} {instrument.quote} for {instrument.symbol}."
        )
    return PreparedOrder(quantity=rounded, price=price, notional=notional)


def max_affordable_quantity(
    instrument: Instrument, *, quote_balance: Decimal, price: Decimal, fee_rate: Decimal = ZERO
) -> Decimal:
    """The largest valid quantity whose cost plus fee fits in ``quote_balance`` at ``price``.

    Raises ``UserInputError`` when even the largest affordable quantity is below a minimum, so a
    returned quantity always passes ``prepare_order``'s checks at ``price``.
    """
    if price <= 0:
        raise UserInputError("Price must be positive to size an order.")
    if quote_balance <= 0:
        raise UserInputError(f"No {instrument.quote} available to buy {instrument.base}.")
    unit_cost = price * (1 + fee_rate)
    steps = (quote_balance / unit_cost / instrument.step_size).to_integral_value(rounding=ROUND_DOWN)
    quantity = steps * instrument.step_size
    while quantity > 0 and quantity * unit_cost > quote_balance:  # guard the division's last digit
        quantity -= instrument.step_size
    if quantity < instrument.min_quantity or quantity * price < instrument.min_notional:
        raise UserInputError(
            f"Order too small: {quote_balance} {instrument.quote} buys at most {max(quantity, ZERO)} "
            f"{instrument.base} at {price}, below the minimum of {instrument.min_quantity} {instrument.base} "
            f"or {instrument.min_notional.normalize():f} {instrument.quote} for {instrument.symbol}."
        )
    return quantity
