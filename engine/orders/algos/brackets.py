"""Brackets: an entry order, then, once it has filled, a take-profit and a stop-loss on the filled
quantity, one-cancels-the-other.

The take-profit is a real limit order at the venue (it rests and fills at its price). The stop-loss
is held by the scheduler, because spot venues (the paper venue among them) take no stop orders: each
step compares the traded price range since the previous step with the stop price and, when it was
touched, cancels the take-profit and sends a market order for what is left. A filled take-profit
disarms the stop. Children: index 0 entry, 1 take-profit, 2 stop-loss.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from engine.domain import ZERO, Instrument, Order, OrderStatus, Side
from engine.errors import Conflict, NotFound, UserInputError
from engine.orders.algos.storage import Child, Parent, ParentStatus

if TYPE_CHECKING:
    from engine.orders.algos.service import AlgoScheduler

ENTRY, TAKE_PROFIT, STOP_LOSS = 0, 1, 2


def plan(
    take_profit: Decimal | None, stop_loss: Decimal | None, *, side: Side, reference: Decimal, instrument: Instrument
) -> dict[str, object]:
    """Check the exit prices against the entry (``reference``: the limit, or the last price for a
    market entry): a buy takes profit above and stops below, a sell the other way round."""
    if take_profit is None and stop_loss is None:
        raise UserInputError("a bracket needs a take-profit (tp) or a stop-loss (sl) price", code="bad_bracket")
    for name, value in (("take-profit", take_profit), ("stop-loss", stop_loss)):
        if value is not None and value <= 0:
            raise UserInputError(f"{name} price must be positive, got {value.normalize():f}", code="bad_bracket")
    above, below = ("above", "below") if side is Side.BUY else ("below", "above")
    shown = f"{reference.normalize():f}"
    if take_profit is not None and (take_profit - reference) * side.sign <= 0:
        raise UserInputError(
            f"take-profit {take_profit.normalize():f} must be {above} the entry price {shown} for a {side.value}",
            code="bad_bracket",
        )
    if stop_loss is not None and (reference - stop_loss) * side.sign <= 0:
        raise UserInputError(
            f"stop-loss {stop_loss.normalize():f} must be {below} the entry price {shown} for a {side.value}",
            code="bad_bracket",
        )
    return {
        "take_profit": None if take_profit is None else str(instrument.round_price(take_profit)),
        "stop_loss": None if stop_loss is None else str(instrument.round_price(stop_loss)),
        "phase": "entry",
        "stop_since_ms": None,
        "exit_quantity": None,
    }


async def step(scheduler: AlgoScheduler, parent: Parent) -> Parent:
    if parent.next_index == ENTRY:
        entry = await scheduler.place_child(parent, ENTRY, "entry", quantity=parent.quantity, price=parent.price)
        if entry is None:
            return parent
        parent = scheduler.record(parent, Child(parent.id, ENTRY, "entry", entry.id), next_index=ENTRY + 1)
    orders = {child.index: scheduler.oms.order(parent.user_id, child.order_id) for child in scheduler.children(parent)}
    if parent.plan["phase"] == "entry":
        return await _after_entry(scheduler, parent, orders[ENTRY])
    return await _watch_exits(scheduler, parent, orders)


async def _after_entry(scheduler: AlgoScheduler, parent: Parent, entry: Order) -> Parent:
    if not entry.status.is_terminal:
        return parent  # a resting limit entry: wait for it
    if not entry.filled_quantity:
        status = ParentStatus.CANCELED if entry.status is OrderStatus.CANCELED else ParentStatus.FAILED
        return await scheduler.finish(parent, status, f"entry {entry.id} was {entry.status.value}; no exits placed")
    instrument = await scheduler.oms.venues.get(parent.venue).instrument(parent.symbol)
    exit_quantity = instrument.round_quantity(entry.filled_quantity)
    now = scheduler.clock.now_ms()
    plan_data = {**parent.plan, "phase": "exits", "stop_since_ms": now, "exit_quantity": str(exit_quantity)}
    take_profit = parent.plan["take_profit"]
    if take_profit is None:
        return scheduler.record(parent, None, plan=plan_data, next_index=TAKE_PROFIT + 1)
    order = await scheduler.place_child(
        parent, TAKE_PROFIT, "take-profit", quantity=exit_quantity, price=Decimal(take_profit), side=_exit_side(parent)
    )
    if order is None:
        return parent
    parent = scheduler.record(
        parent, Child(parent.id, TAKE_PROFIT, "take_profit", order.id), plan=plan_data, next_index=TAKE_PROFIT + 1
    )
    if order.status is OrderStatus.FILLED:
        return await scheduler.finish(parent, ParentStatus.DONE, "take-profit filled")
    if order.status is OrderStatus.REJECTED:
        return await scheduler.finish(parent, ParentStatus.FAILED, f"take-profit rejected: {order.reason}")
    return parent


async def _watch_exits(scheduler: AlgoScheduler, parent: Parent, orders: dict[int, Order]) -> Parent:
    take_profit_order = orders.get(TAKE_PROFIT)
    if take_profit_order is not None:
        if take_profit_order.status is OrderStatus.FILLED:
            return await scheduler.finish(parent, ParentStatus.DONE, "take-profit filled; stop-loss canceled")
        if take_profit_order.status.is_terminal:
            reason = f"take-profit {take_profit_order.id} was {take_profit_order.status.value}"
            return await scheduler.finish(parent, ParentStatus.CANCELED, reason)
    stop = parent.plan["stop_loss"]
    if stop is None:
        return parent
    now = scheduler.clock.now_ms()
    low, high = await _price_range(scheduler, parent, int(parent.plan["stop_since_ms"]), now)
    stop_price = Decimal(stop)
    touched = low <= stop_price if parent.side is Side.BUY else high >= stop_price
    if not touched:
        return scheduler.record(parent, None, plan={**parent.plan, "stop_since_ms": now})
    exit_quantity = Decimal(parent.plan["exit_quantity"])
    if take_profit_order is not None:
        try:
            take_profit_order = await scheduler.oms.cancel(parent.user_id, take_profit_order.id)
        except (Conflict, NotFound):
            take_profit_order = scheduler.oms.order(parent.user_id, take_profit_order.id)
        if take_profit_order.status is OrderStatus.FILLED:
            return await scheduler.finish(parent, ParentStatus.DONE, "take-profit filled; stop-loss canceled")
        exit_quantity -= take_profit_order.filled_quantity
    if exit_quantity <= ZERO:
        return await scheduler.finish(parent, ParentStatus.DONE, "take-profit filled; stop-loss canceled")
    order = await scheduler.place_child(
        parent, STOP_LOSS, "stop-loss", quantity=exit_quantity, price=None, side=_exit_side(parent)
    )
    if order is None:
        return parent
    parent = scheduler.record(parent, Child(parent.id, STOP_LOSS, "stop_loss", order.id), next_index=STOP_LOSS + 1)
    if order.status is OrderStatus.REJECTED:
        return await scheduler.finish(parent, ParentStatus.FAILED, f"stop-loss rejected: {order.reason}")
    return await scheduler.finish(parent, ParentStatus.DONE, f"stop-loss triggered at {stop}; take-profit canceled")


async def _price_range(scheduler: AlgoScheduler, parent: Parent, start_ms: int, end_ms: int) -> tuple[Decimal, Decimal]:
    """Lowest and highest price since the last check: the replayed range on a venue with a replay
    feed (paper), else the last price."""
    venue = scheduler.oms.venues.get(parent.venue)
    feed = getattr(venue, "feed", None)
    if feed is not None and hasattr(feed, "range_between"):
        low, high = feed.range_between(parent.symbol, start_ms, end_ms)
        return Decimal(low), Decimal(high)
    last = await venue.last_price(parent.symbol)
    return last, last


def _exit_side(parent: Parent) -> Side:
    return Side.SELL if parent.side is Side.BUY else Side.BUY
