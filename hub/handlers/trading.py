"""Trading commands: buy/sell (with confirmation above a notional), cancel, confirm, orders, fills."""

from __future__ import annotations

from decimal import Decimal

from engine.domain import ZERO, Side
from engine.orders.algos.service import AlgoScheduler, AlgoSpec, ParentView
from engine.orders.intent import OrderIntent
from engine.orders.oms import order_payload
from hub.commands import Cancel, Fills, Orders, QuantityKind, Trade
from hub.dispatch import Context, Services
from hub.handlers.format import amount, fill_line, fill_payload, order_line
from hub.reply import Reply

PARENT_PREFIX = "alg_"


def _order_key(context: Context) -> str:
    return f"{context.frontend}:{context.idempotency_key}"


def _intent(context: Context, command: Trade) -> OrderIntent:
    quantity = command.quantity
    return OrderIntent(
        user_id=context.principal.user_id,
        symbol=command.symbol,
        side=command.side,
        idempotency_key=_order_key(context),
        quantity=quantity.value if quantity.kind is QuantityKind.BASE else None,
        quote_amount=quantity.value if quantity.kind is QuantityKind.QUOTE else None,
        percent=quantity.value if quantity.kind is QuantityKind.PERCENT else None,
        price=command.price,
        venue=command.venue,
        source=context.frontend,
    )


async def estimated_notional(services: Services, context: Context, command: Trade) -> Decimal:
    """The order's approximate value in quote currency (USDT stands in for USD)."""
    venue = services.venues.get(command.venue)
    price = command.price or await venue.last_price(command.symbol)
    quantity = command.quantity
    if quantity.kind is QuantityKind.BASE:
        return quantity.value * price
    if quantity.kind is QuantityKind.QUOTE:
        return quantity.value
    view = await services.portfolio.view(context.principal.user_id, venue=venue.name)
    base, quote = command.symbol.split("/")
    asset = quote if command.side is Side.BUY else base
    available = next((h.available for h in view.holdings if h.asset == asset), ZERO)
    share = available * quantity.value / 100
    return share if command.side is Side.BUY else share * price


def _scheduler(services: Services) -> AlgoScheduler:
    return AlgoScheduler(services.db, services.oms, services.clock)


def _algo_spec(command: Trade) -> AlgoSpec | None:
    """TWAP/VWAP/iceberg from the ``algo`` clause, a bracket from ``tp``/``sl``; None for a plain order."""
    if command.algo is not None:
        return AlgoSpec(command.algo.kind, duration_s=command.algo.duration_s, visible=command.algo.visible)
    if command.take_profit is not None or command.stop_loss is not None:
        return AlgoSpec("bracket", take_profit=command.take_profit, stop_loss=command.stop_loss)
    return None


async def trade(services: Services, context: Context, command: Trade) -> Reply:
    intent = _intent(context, command)
    spec = _algo_spec(command)
    if not context.confirmed:
        notional = await estimated_notional(services, context, command)
        if notional > services.config.confirm_above_usd:
            # refuse now rather than after the user confirmed
            if spec is None:
                await services.oms.check(intent)
            else:
                await _scheduler(services).prepare(intent, spec)
            text = command.describe()
            request = services.confirmations.request(
                context.principal,
                text,
                prompt=f"Confirm {text} (about {amount(notional, 2)} USD)?",
                idempotency_key=context.idempotency_key,
                frontend=context.frontend,
            )
            return Reply(
                True,
                f"{request.prompt} Reply `confirm {request.id}` within 5 minutes.",
                data={"confirmation_id": request.id, "notional": str(notional), "command": text},
                confirmation=request,
                status=202,
            )
    if spec is not None:
        view, replayed = await _scheduler(services).start(intent, spec)
        return _parent_reply(view, replayed)
    result = await services.oms.place(intent)
    order = result.order
    prefix = "Already placed: " if result.replayed else ""
    ok = order.status.value != "rejected"
    return Reply(
        ok,
        prefix + order_line(order),
        data={"order": order_payload(order), "replayed": result.replayed},
        error_code=None if ok else "order_rejected",
        status=200 if ok else 422,
    )


def _parent_reply(view: ParentView, replayed: bool) -> Reply:
    ok = view.parent.status.value != "failed"
    return Reply(
        ok,
        ("Already placed: " if replayed else "") + parent_line(view),
        data={"order": view.to_payload(), "replayed": replayed},  # the parent is the order the user placed
        error_code=None if ok else "order_rejected",
        status=200 if ok else 422,
    )


def parent_line(view: ParentView) -> str:
    """One line per algo order: what, status and progress (children placed, quantity filled)."""
    parent = view.parent
    price = f" @ {amount(parent.price)}" if parent.price is not None else ""
    total = view.total_children
    progress = f"{len(view.orders)}/{total} slices" if total is not None else f"{len(view.orders)} child order(s)"
    filled = f", filled {amount(view.filled_quantity)}/{amount(parent.quantity)}"
    if view.average_fill_price is not None:
        filled += f" at {amount(view.average_fill_price)}"
    exits = ""
    if parent.kind == "bracket":
        tp, sl = parent.plan.get("take_profit"), parent.plan.get("stop_loss")
        exits = (f" tp {tp}" if tp else "") + (f" sl {sl}" if sl else "")
    reason = f" ({parent.reason})" if parent.reason else ""
    return (
        f"{parent.id} {parent.kind} {parent.side.value} {amount(parent.quantity)} {parent.symbol}{price}{exits} "
        f"on {parent.venue}: {parent.status.value}, {progress}{filled}{reason}"
    )


async def cancel(services: Services, context: Context, command: Cancel) -> Reply:
    user_id = context.principal.user_id
    if command.all:
        parents = await _scheduler(services).cancel_all(user_id)  # first, so no new child is placed
        canceled = await services.oms.cancel_all(user_id)
        count = len(canceled) + len(parents)
        text = f"Canceled {count} order(s)." if count else "No open orders to cancel."
        return Reply(True, text, data={"orders": [order_payload(o) for o in canceled],
                                       "parents": [p.to_payload() for p in parents]})  # fmt: skip
    assert command.order_id is not None
    if command.order_id.startswith(PARENT_PREFIX):
        view = await _scheduler(services).cancel(user_id, command.order_id)
        return Reply(True, parent_line(view), data={"order": view.to_payload()})
    order = await services.oms.cancel(user_id, command.order_id)
    return Reply(True, order_line(order), data={"order": order_payload(order)})


async def orders(services: Services, context: Context, command: Orders) -> Reply:
    """Algo orders first, each as one line with its progress; their children are shown only there."""
    user_id = context.principal.user_id
    scheduler = _scheduler(services)
    parents = [p for p in scheduler.recent(user_id) if command.venue in (None, p.parent.venue)]
    children = scheduler.child_order_ids(user_id)
    found = [o for o in services.oms.orders(user_id, venue=command.venue, limit=20 + len(children))
             if o.id not in children][:20]  # fmt: skip
    lines = [parent_line(p) for p in parents] + [order_line(o) for o in found]
    text = "\n".join(lines) if lines else "No orders yet."
    return Reply(True, text, data={"orders": [order_payload(o) for o in found],
                                   "parents": [p.to_payload() for p in parents]})  # fmt: skip


async def fills(services: Services, context: Context, command: Fills) -> Reply:
    found = services.oms.fills(context.principal.user_id, venue=command.venue, limit=20)
    text = "\n".join(fill_line(f) for f in found) if found else "No fills yet."
    return Reply(True, text, data={"fills": [fill_payload(f) for f in found]})
