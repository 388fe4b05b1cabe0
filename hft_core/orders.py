"""Orders and trades of the matching engine, on integer ticks and lots.

These are deliberately *mutable* slotted classes rather than frozen dataclasses: the engine
changes an order's ``remaining`` and ``status`` in place on every fill, and building a frozen
dataclass costs several times more than a slotted object, which matters at a million orders
a second. The ``Decimal`` views (``price``, ``quantity``) are computed on demand from the
instrument's ``TickScale``, so money leaves the engine as ``Decimal``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import IntEnum

from hft_core.scale import TickScale


class Side(IntEnum):
    BUY = 0
    SELL = 1


class OrderType(IntEnum):
    LIMIT = 0
    MARKET = 1


class TimeInForce(IntEnum):
    GTC = 0  # rests until filled or canceled
    IOC = 1  # fills what it can now, the rest is canceled
    FOK = 2  # fills completely now or not at all


class OrderStatus(IntEnum):
    NEW = 0
    OPEN = 1
    PARTIALLY_FILLED = 2
    FILLED = 3
    CANCELED = 4
    REJECTED = 5


class SelfTradePrevention(IntEnum):
    """What happens when an order would trade against a resting order of the same owner."""

    CANCEL_TAKER = 0  # cancel the incoming order's remainder (the default, "cancel newest")
    CANCEL_MAKER = 1  # cancel the resting order and keep matching ("cancel oldest")
    CANCEL_BOTH = 2


_GTC = TimeInForce.GTC
_MARKET = OrderType.MARKET
_LIMIT = OrderType.LIMIT
_NEW = OrderStatus.NEW


class Order:
    """An order in lots and ticks. ``price`` is None for a market order.

    The engine updates ``remaining`` and ``status`` (and ``reason`` when it rejects or cancels),
    so after ``MatchingEngine.submit`` the caller reads the outcome from the order itself.
    """

    __slots__ = (
        "order_id",
        "owner",
        "post_only",
        "price",
        "quantity",
        "reason",
        "remaining",
        "side",
        "status",
        "tif",
    )

    def __init__(
        self,
        order_id: str,
        side: Side,
        quantity: int,
        price: int | None = None,
        tif: TimeInForce = _GTC,
        post_only: bool = False,
        owner: str | None = None,
    ) -> None:
        self.order_id = order_id
        self.side = side
        self.quantity = quantity
        self.remaining = quantity
        self.price = price
        self.tif = tif
        self.post_only = post_only
        self.owner = owner
        self.status = _NEW
        self.reason: str | None = None

    @classmethod
    def from_decimal(
        cls,
        scale: TickScale,
        order_id: str,
        side: Side,
        quantity: Decimal | str,
        price: Decimal | str | None = None,
        *,
        tif: TimeInForce = TimeInForce.GTC,
        post_only: bool = False,
        owner: str | None = None,
    ) -> Order:
        """Build an order from venue values; raise ``OffGridError`` if they are off the grid."""
        ticks = None if price is None else scale.to_ticks(price)
        return cls(order_id, side, scale.to_lots(quantity), ticks, tif, post_only, owner)

    @property
    def kind(self) -> OrderType:
        """``MARKET`` when the order has no price, else ``LIMIT`` (derived, not stored: cheaper to build)."""
        return _MARKET if self.price is None else _LIMIT

    @property
    def filled(self) -> int:
        """Lots filled so far."""
        return self.quantity - self.remaining

    def __repr__(self) -> str:
        return (
            f"Order({self.order_id!r}, {self.side.name}, qty={self.quantity}, price={self.price}, "
            f"remaining={self.remaining}, {self.status.name})"
        )


class Trade:
    """One fill between a taker and a maker. An order id is None when that side was the L2 book."""

    __slots__ = ("maker_order_id", "price_ticks", "quantity_lots", "scale", "taker_order_id", "taker_side")

    def __init__(
        self,
        taker_order_id: str | None,
        maker_order_id: str | None,
        taker_side: Side,
        price_ticks: int,
        quantity_lots: int,
        scale: TickScale,
    ) -> None:
        self.taker_order_id = taker_order_id
        self.maker_order_id = maker_order_id
        self.taker_side = taker_side
        self.price_ticks = price_ticks
        self.quantity_lots = quantity_lots
        self.scale = scale

    @property
    def price(self) -> Decimal:
        return self.scale.price(self.price_ticks)

    @property
    def quantity(self) -> Decimal:
        return self.scale.size(self.quantity_lots)

    @property
    def notional(self) -> Decimal:
        return self.scale.notional(self.price_ticks * self.quantity_lots)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trade):
            return NotImplemented
        return self.as_tuple() == other.as_tuple()

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def as_tuple(self) -> tuple[str | None, str | None, int, int, int]:
        return (self.taker_order_id, self.maker_order_id, int(self.taker_side), self.price_ticks, self.quantity_lots)

    def __repr__(self) -> str:
        return (
            f"Trade(taker={self.taker_order_id!r}, maker={self.maker_order_id!r}, "
            f"{self.taker_side.name}, {self.quantity_lots} @ {self.price_ticks})"
        )
