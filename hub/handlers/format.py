"""Plain-text rendering shared by handlers (chat adapters render ``data`` natively)."""

from __future__ import annotations

from decimal import Decimal

from engine.domain import Fill, Order


def amount(value: Decimal | None, places: int | None = None) -> str:
    """Render a decimal without exponent or trailing zeros (or with ``places`` fixed decimals)."""
    if value is None:
        return "-"
    if places is not None:
        return f"{value:,.{places}f}"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def order_line(order: Order) -> str:
    price = f" @ {amount(order.price)}" if order.price is not None else ""
    filled = ""
    if order.filled_quantity:
        filled = f", filled {amount(order.filled_quantity)} at {amount(order.average_fill_price)}"
    reason = f" ({order.reason})" if order.reason else ""
    return (
        f"{order.id} {order.side.value} {amount(order.quantity)} {order.symbol}{price} on {order.venue}: "
        f"{order.status.value}{filled}{reason}"
    )


def fill_line(fill: Fill) -> str:
    return (
        f"{fill.side.value} {amount(fill.quantity)} {fill.symbol} @ {amount(fill.price)} "
        f"fee {amount(fill.fee)} {fill.fee_asset} ({fill.venue}, order {fill.order_id})"
    )


def fill_payload(fill: Fill) -> dict[str, object]:
    return {
        "id": fill.id,
        "order_id": fill.order_id,
        "venue": fill.venue,
        "symbol": fill.symbol,
        "side": fill.side.value,
        "quantity": str(fill.quantity),
        "price": str(fill.price),
        "fee": str(fill.fee),
        "fee_asset": fill.fee_asset,
        "liquidity": fill.liquidity,
        "ts_ms": fill.ts_ms,
    }
