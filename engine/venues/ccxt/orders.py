"""Translate ccxt orders and trades into the engine's venue values, reporting each fill once."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from engine.domain import ZERO, ClientOrderId, OrderStatus, OrderType, Side
from engine.venues.base import VenueFill, VenueOrderUpdate
from engine.venues.ccxt.schemas import OrderSchema, TradeSchema

_STATUS = {
    "open": OrderStatus.OPEN,
    "closed": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "expired": OrderStatus.CANCELED,
    "rejected": OrderStatus.REJECTED,
}


def order_status(order: OrderSchema) -> OrderStatus:
    """The engine status of a ccxt order; an open order with fills is partially filled."""
    status = _STATUS.get(order.status or "open", OrderStatus.OPEN)
    if status is OrderStatus.OPEN and (order.filled or ZERO) > 0:
        return OrderStatus.PARTIALLY_FILLED
    return status


def fill_from_trade(trade: TradeSchema, *, default_ts_ms: int) -> VenueFill:
    fee = trade.fee.cost if trade.fee and trade.fee.cost is not None else ZERO
    fee_asset = trade.fee.currency if trade.fee and trade.fee.currency else ""
    return VenueFill(
        trade_id=trade.id,
        quantity=trade.amount,
        price=trade.price,
        fee=fee,
        fee_asset=fee_asset,
        ts_ms=trade.timestamp or default_ts_ms,
        liquidity=trade.takerOrMaker or "taker",
    )


@dataclass(slots=True)
class FillLedger:
    """Fills already reported for one order, so each is reported exactly once."""

    trade_ids: set[str] = field(default_factory=set)
    quantity: Decimal = ZERO
    notional: Decimal = ZERO

    def take_new(self, trades: tuple[TradeSchema, ...], *, default_ts_ms: int) -> tuple[VenueFill, ...]:
        new = [trade for trade in trades if trade.id not in self.trade_ids]
        for trade in new:
            self.trade_ids.add(trade.id)
            self.quantity += trade.amount
            self.notional += trade.amount * trade.price
        return tuple(fill_from_trade(trade, default_ts_ms=default_ts_ms) for trade in new)

    def synthesize(self, order: OrderSchema, *, default_ts_ms: int) -> tuple[VenueFill, ...]:
        """One fill for the filled quantity not yet reported, for exchanges that list no trades.

        Its price makes the reported fills average to the order's average price; its id is the
        order id and cumulative quantity, stable across restarts.
        """
        filled = order.filled or ZERO
        delta = filled - self.quantity
        average = order.average or order.price
        if delta <= 0 or average is None:
            return ()
        price = (average * filled - self.notional) / delta
        trade_id = f"{order.id}:{filled.normalize():f}"
        fee = order.fee.cost if order.fee and order.fee.cost is not None and self.quantity == 0 else ZERO
        fee_asset = order.fee.currency if order.fee and order.fee.currency else ""
        self.trade_ids.add(trade_id)
        self.quantity = filled
        self.notional += delta * price
        return (VenueFill(trade_id, delta, price, fee, fee_asset, order.timestamp or default_ts_ms),)


@dataclass(frozen=True, slots=True)
class VenueOpenOrder:
    """A working order as the exchange lists it, for reconciliation against the store.

    ``exchange_client_id`` is the id the exchange holds; match it against
    ``CcxtVenue.exchange_client_id(order.client_order_id)`` of the stored orders.
    """

    venue_order_id: str
    exchange_client_id: str | None
    symbol: str
    side: Side
    type: OrderType
    quantity: Decimal
    price: Decimal | None
    filled_quantity: Decimal
    status: OrderStatus
    created_ms: int | None
    placed_by_tradehub: bool


def update_from(order: OrderSchema, client_order_id: ClientOrderId, fills: tuple[VenueFill, ...]) -> VenueOrderUpdate:
    return VenueOrderUpdate(
        client_order_id=client_order_id,
        venue_order_id=order.id,
        status=order_status(order),
        fills=fills,
        reason=f"venue status {order.status}" if order.status in ("expired", "rejected") else None,
    )
