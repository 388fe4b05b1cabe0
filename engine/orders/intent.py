"""What a caller asks the OMS for: one order, sized in base units, quote amount or percent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.domain import Order, OrderType, Side, UserId


@dataclass(frozen=True, slots=True)
class OrderIntent:
    user_id: UserId
    symbol: str
    side: Side
    idempotency_key: str
    quantity: Decimal | None = None  # base units
    quote_amount: Decimal | None = None  # spend (buy) or receive (sell) about this much quote
    percent: Decimal | None = None  # of the available balance: quote for a buy, base for a sell
    price: Decimal | None = None  # limit price; None for a market order
    venue: str | None = None
    source: str = "api"

    def __post_init__(self) -> None:
        given = sum(v is not None for v in (self.quantity, self.quote_amount, self.percent))
        if given != 1:
            raise ValueError("give exactly one of quantity, quote_amount, percent")

    @property
    def type(self) -> OrderType:
        return OrderType.MARKET if self.price is None else OrderType.LIMIT


@dataclass(frozen=True, slots=True)
class PlaceResult:
    """The order, and whether it already existed for this idempotency key (a retry)."""

    order: Order
    replayed: bool = False
