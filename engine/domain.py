"""Domain types owned by the engine: ids, instruments, orders, fills, positions.

All are immutable; a change of state produces a new value (``dataclasses.replace``). Money, prices
and quantities are ``Decimal``; timestamps are integer milliseconds since the epoch, UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import NewType

OrderId = NewType("OrderId", str)
FillId = NewType("FillId", str)
ClientOrderId = NewType("ClientOrderId", str)
UserId = NewType("UserId", int)

ZERO = Decimal(0)


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"


class OrderStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_working(self) -> bool:
        return self in (OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)


_TERMINAL = frozenset({OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED})


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable market with the venue's precision and minimums."""

    symbol: str
    base: str
    quote: str
    tick_size: Decimal
    step_size: Decimal
    min_quantity: Decimal
    min_notional: Decimal

    def round_quantity(self, quantity: Decimal) -> Decimal:
        """Round down to the step size: never trade more than asked or held."""
        return (quantity / self.step_size).to_integral_value(rounding=ROUND_DOWN) * self.step_size

    def round_price(self, price: Decimal) -> Decimal:
        return (price / self.tick_size).to_integral_value(rounding=ROUND_HALF_EVEN) * self.tick_size


@dataclass(frozen=True, slots=True)
class Order:
    id: OrderId
    user_id: UserId
    venue: str
    symbol: str
    side: Side
    type: OrderType
    quantity: Decimal
    price: Decimal | None
    status: OrderStatus
    idempotency_key: str
    client_order_id: ClientOrderId
    created_ms: int
    updated_ms: int
    filled_quantity: Decimal = ZERO
    average_fill_price: Decimal | None = None
    fees: Decimal = ZERO
    reason: str | None = None
    source: str = "api"

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled_quantity


@dataclass(frozen=True, slots=True)
class Fill:
    id: FillId
    order_id: OrderId
    user_id: UserId
    venue: str
    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str
    ts_ms: int
    liquidity: str = "taker"

    @property
    def notional(self) -> Decimal:
        return self.quantity * self.price


@dataclass(frozen=True, slots=True)
class Position:
    """Holdings of one base asset on one venue, with cost basis in the quote currency.

    ``average_cost`` includes buy fees, so ``realized_pnl`` (net of sell fees) plus the unrealized
    P&L at any mark equals the change in the account's quote-valued equity.
    """

    user_id: UserId
    venue: str
    symbol: str
    quantity: Decimal = ZERO
    average_cost: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    fees_paid: Decimal = ZERO

    def unrealized_pnl(self, mark_price: Decimal) -> Decimal:
        return (mark_price - self.average_cost) * self.quantity

    def market_value(self, mark_price: Decimal) -> Decimal:
        return mark_price * self.quantity
