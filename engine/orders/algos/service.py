"""The algo scheduler: parent orders worked as child orders placed through the OMS over time.

``start`` checks and stores a parent and takes its first step at once; ``step`` (run by a
background loop, see ``plugin.py``) places the children that fell due, refills icebergs and watches
brackets. Every child's idempotency key is the parent's key plus the child's index, and the parent's
progress (``next_index``) is written only after the OMS holds the child, in the same transaction as
the child link. So a crash or a second scheduler at any point leads, on the next step, to the OMS
returning the child it already has for that key: no slice is sent twice and none is skipped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import structlog
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from engine.clock import Clock
from engine.domain import ZERO, Instrument, Order, OrderStatus, Side
from engine.errors import Conflict, NotFound, TemporaryError, UserInputError
from engine.ids import new_id
from engine.orders.algos import brackets, plan
from engine.orders.algos import storage as store
from engine.orders.algos.storage import Child, Parent, ParentStatus
from engine.orders.intent import OrderIntent
from engine.orders.oms import OrderManager

log = structlog.get_logger(__name__)

KINDS = ("twap", "vwap", "iceberg", "bracket")


@dataclass(frozen=True, slots=True)
class AlgoSpec:
    """How to work an order: ``twap``/``vwap`` over ``duration_s``, ``iceberg`` showing ``visible``,
    or ``bracket`` with take-profit and/or stop-loss prices placed after the entry fills."""

    kind: str
    duration_s: int | None = None
    visible: Decimal | None = None
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ParentView:
    """A parent with its child orders, for listing and replies."""

    parent: Parent
    orders: tuple[Order, ...]

    @property
    def filled_quantity(self) -> Decimal:
        return sum((o.filled_quantity for o in self.orders if self._counts(o)), ZERO)

    @property
    def average_fill_price(self) -> Decimal | None:
        counted = [o for o in self.orders if self._counts(o) and o.filled_quantity]
        filled = sum((o.filled_quantity for o in counted), ZERO)
        if not filled:
            return None
        return sum((o.filled_quantity * (o.average_fill_price or ZERO) for o in counted), ZERO) / filled

    @property
    def total_children(self) -> int | None:
        slices = self.parent.plan.get("slices")
        return None if slices is None else len(slices)

    def _counts(self, order: Order) -> bool:
        """Toward the parent's fill: its own side (a bracket's exits trade the other way)."""
        return order.side is self.parent.side

    def to_payload(self) -> dict[str, object]:
        parent = self.parent
        average = self.average_fill_price
        return {
            "id": parent.id, "kind": parent.kind, "venue": parent.venue, "symbol": parent.symbol,
            "side": parent.side.value, "quantity": str(parent.quantity),
            "price": None if parent.price is None else str(parent.price), "status": parent.status.value,
            "filled_quantity": str(self.filled_quantity),
            "average_fill_price": None if average is None else str(average),
            "children_placed": len(self.orders), "children_total": self.total_children,
            "children": [{"id": o.id, "side": o.side.value, "quantity": str(o.quantity), "status": o.status.value,
                          "filled_quantity": str(o.filled_quantity)} for o in self.orders],
            "plan": parent.plan, "reason": parent.reason, "idempotency_key": parent.idempotency_key,
            "created_ms": parent.created_ms, "updated_ms": parent.updated_ms,
        }  # fmt: skip


class AlgoScheduler:
    def __init__(
        self,
        db: Engine,
        oms: OrderManager,
        clock: Clock,
        *,
        profile: Callable[[str], Sequence[Decimal]] = plan.bundled_profile,
        twap_interval_s: int = plan.TARGET_INTERVAL_S,
    ) -> None:
        self.db = db
        self.oms = oms
        self.clock = clock
        self.profile = profile
        self.twap_interval_s = twap_interval_s  # the TWAP's slice spacing (one a minute by default)

    # -- starting --------------------------------------------------------------------------------

    async def prepare(self, intent: OrderIntent, spec: AlgoSpec) -> Parent:
        """Check everything (sizing, risk on the whole quantity, the plan) and return the parent it
        would store, without storing or placing anything."""
        if spec.kind not in KINDS:
            raise UserInputError(f"unknown execution algorithm {spec.kind!r}; use {', '.join(KINDS)}")
        venue = self.oms.venues.get(intent.venue)
        instrument = await venue.instrument(intent.symbol)
        last = await venue.last_price(intent.symbol)
        quantity = await self.oms.check(intent)
        price = None if intent.price is None else instrument.round_price(intent.price)
        now = self.clock.now_ms()
        if spec.kind == "iceberg" and price is None:
            raise UserInputError("an iceberg is a limit order: add its price, e.g. `@ 2000`", code="bad_visible")
        plan_data = self._plan(spec, intent.side, instrument, quantity, price or last, now)
        return Parent(
            new_id("alg"), intent.user_id, spec.kind, venue.name, instrument.symbol, intent.side, quantity, price,
            plan_data, 0, ParentStatus.WORKING, intent.idempotency_key, intent.source, now, now,
        )  # fmt: skip

    def _plan(
        self, spec: AlgoSpec, side: Side, instrument: Instrument, quantity: Decimal, price: Decimal, now: int
    ) -> dict[str, object]:
        if spec.kind in ("twap", "vwap"):
            if spec.duration_s is None or spec.duration_s <= 0:
                raise UserInputError(f"{spec.kind} needs a duration longer than zero", code="bad_duration")
            if spec.kind == "twap":
                slices = plan.twap(quantity, instrument, price=price, start_ms=now, duration_s=spec.duration_s,
                                   interval_s=self.twap_interval_s)  # fmt: skip
            else:
                slices = plan.vwap(quantity, instrument, self.profile(instrument.symbol), price=price, start_ms=now,
                                   duration_s=spec.duration_s)  # fmt: skip
            return {"duration_s": spec.duration_s, "slices": [s.to_json() for s in slices]}
        if spec.kind == "iceberg":
            return _iceberg_plan(spec, instrument, quantity, price)
        return brackets.plan(spec.take_profit, spec.stop_loss, side=side, reference=price, instrument=instrument)

    async def start(self, intent: OrderIntent, spec: AlgoSpec) -> tuple[ParentView, bool]:
        """Store the parent and take its first step; ``(view, True)`` if this key already had one."""
        with self.db.connect() as conn:
            existing = store.parent_by_key(conn, intent.user_id, intent.idempotency_key)
        if existing is not None:
            return self.view(existing), True
        parent = await self.prepare(intent, spec)
        try:
            with self.db.begin() as conn:
                store.insert_parent(conn, parent)
        except IntegrityError:  # a concurrent retry with the same key stored it first
            with self.db.connect() as conn:
                found = store.parent_by_key(conn, intent.user_id, intent.idempotency_key)
            if found is None:
                raise
            return self.view(found), True
        try:
            await self.step_parent(parent)
        except Conflict:  # the background loop took this first step meanwhile: the child is placed once anyway
            await self._cancel_strays(parent.id)
        return self.view(self._reload(parent.id)), False

    # -- stepping --------------------------------------------------------------------------------

    async def step(self) -> dict[str, int]:
        """Advance every working parent; with the kill switch on, cancel them all instead."""
        with self.db.connect() as conn:
            working = store.working_parents(conn)
        if working and self.oms.kill_switch_on():
            for parent in working:
                await self.finish(parent, ParentStatus.CANCELED, "canceled by the kill switch")
            return {"working": 0, "canceled": len(working)}
        for parent in working:
            try:
                await self.step_parent(parent)
            except Conflict:  # another scheduler or a cancel moved it meanwhile; the next step re-reads
                await self._cancel_strays(parent.id)
            except Exception:  # one broken parent must not stop the others; logged with its traceback
                log.exception("algo step failed", parent_id=parent.id)
        return {"working": len(working), "canceled": 0}

    async def step_parent(self, parent: Parent) -> Parent:
        if parent.status.is_final:
            return parent
        if parent.kind in ("twap", "vwap"):
            return await self._step_slices(parent)
        if parent.kind == "iceberg":
            return await self._step_iceberg(parent)
        return await brackets.step(self, parent)

    async def _step_slices(self, parent: Parent) -> Parent:
        slices = [plan.Slice.from_json(s) for s in parent.plan["slices"]]
        now = self.clock.now_ms()
        while parent.next_index < len(slices) and slices[parent.next_index].due_ms <= now:
            due = slices[parent.next_index]
            order = await self.place_child(parent, due.index, "slice", quantity=due.quantity, price=parent.price)
            if order is None:
                return parent
            parent = self.record(parent, Child(parent.id, due.index, "slice", order.id), next_index=due.index + 1)
            if order.status is OrderStatus.REJECTED:
                return await self.finish(parent, ParentStatus.FAILED, f"slice {due.index + 1} rejected: {order.reason}")
        if parent.next_index == len(slices) and all(o.status.is_terminal for o in self.child_orders(parent)):
            return await self.finish(parent, ParentStatus.DONE, None)
        return parent

    async def _step_iceberg(self, parent: Parent) -> Parent:
        orders = self.child_orders(parent)
        if orders and not orders[-1].status.is_terminal:
            return parent  # the visible clip is still working
        if orders and orders[-1].status is not OrderStatus.FILLED:
            last = orders[-1]
            return await self.finish(parent, ParentStatus.FAILED, f"clip {last.id} was {last.status.value}")
        remaining = parent.quantity - sum((o.filled_quantity for o in orders), ZERO)
        if remaining <= 0:
            return await self.finish(parent, ParentStatus.DONE, None)
        instrument = await self.oms.venues.get(parent.venue).instrument(parent.symbol)
        visible = Decimal(parent.plan["visible"])
        smallest = Decimal(parent.plan["smallest"])
        clip = remaining if remaining - visible < smallest else plan.iceberg_clip(visible, remaining, instrument)
        index = parent.next_index
        order = await self.place_child(parent, index, "slice", quantity=clip, price=parent.price)
        if order is None:
            return parent
        parent = self.record(parent, Child(parent.id, index, "slice", order.id), next_index=index + 1)
        if order.status is OrderStatus.REJECTED:
            return await self.finish(parent, ParentStatus.FAILED, f"clip {index + 1} rejected: {order.reason}")
        return parent

    # -- children --------------------------------------------------------------------------------

    async def place_child(
        self,
        parent: Parent,
        index: int,
        role: str,
        *,
        quantity: Decimal,
        price: Decimal | None,
        side: Side | None = None,
    ) -> Order | None:
        """Place child ``index`` through the OMS under its derived key (a retry gets the same order).
        ``None`` when the venue did not answer (the next step asks again with the same key) or when
        the child was refused (risk, size): then the parent is stored as failed with the reason."""
        intent = OrderIntent(
            user_id=parent.user_id, symbol=parent.symbol, side=side or parent.side,
            idempotency_key=parent.child_key(index), quantity=quantity, price=price, venue=parent.venue,
            source=parent.source,
        )  # fmt: skip
        try:
            return (await self.oms.place(intent)).order
        except TemporaryError as error:
            log.warning("algo child not confirmed; retrying on the next step", parent_id=parent.id, error=error.message)
            return None
        except UserInputError as error:
            await self.finish(parent, ParentStatus.FAILED, f"{role} {index + 1} refused: {error.message}")
            return None

    def record(self, parent: Parent, child: Child | None, **changes: object) -> Parent:
        """Link ``child`` (once) and save the parent's progress, in one transaction. If the parent was
        canceled meanwhile, the child is still linked (so ``_cancel_strays`` finds it) and this raises."""
        with self.db.begin() as conn:
            current = store.parent(conn, parent.id)
            linked = child is None or store.has_child(conn, parent.id, child.index)
            if current is not None and current.version == parent.version:
                if child is not None and not linked:
                    store.add_child(conn, child)
                return store.save_parent(conn, replace(parent, updated_ms=self.clock.now_ms(), **changes))  # type: ignore[arg-type]
            if child is not None and not linked and current is not None and current.status.is_final:
                store.add_child(conn, child)
        raise Conflict(f"algo order {parent.id} changed meanwhile")

    async def _cancel_strays(self, parent_id: str) -> None:
        """Cancel children still working under a parent that is already final (placed by a step that
        raced the cancel)."""
        parent = self._reload(parent_id)
        if not parent.status.is_final:
            return
        for order in self.child_orders(parent):
            if not order.status.is_terminal:
                with contextlib.suppress(NotFound, Conflict):
                    await self.oms.cancel(parent.user_id, order.id)

    def children(self, parent: Parent) -> list[Child]:
        with self.db.connect() as conn:
            return store.children(conn, parent.id)

    def child_orders(self, parent: Parent) -> list[Order]:
        return [self.oms.order(parent.user_id, child.order_id) for child in self.children(parent)]

    # -- finishing and canceling -----------------------------------------------------------------

    async def finish(self, parent: Parent, status: ParentStatus, reason: str | None) -> Parent:
        """Cancel the children still working and store the final status."""
        for order in self.child_orders(parent):
            if not order.status.is_terminal:
                try:
                    await self.oms.cancel(parent.user_id, order.id)
                except (NotFound, Conflict):
                    continue  # filled or canceled meanwhile
        current = self._reload(parent.id)
        if current.status.is_final:  # finished meanwhile (a cancel racing a step): the first outcome stands
            return current
        return self.record(current, None, status=status, reason=reason)

    async def cancel(self, user_id: int, parent_id: str) -> ParentView:
        """Cancel the schedule and the children still working."""
        with self.db.connect() as conn:
            parent = store.parent(conn, parent_id)
        if parent is None or parent.user_id != user_id:
            raise NotFound(f"no order {parent_id}")
        for _attempt in range(3):  # a scheduler step may save the parent between our read and write
            if parent.status.is_final:
                raise Conflict(f"algo order {parent_id} is already {parent.status.value}")
            try:
                return self.view(await self.finish(parent, ParentStatus.CANCELED, "canceled by the user"))
            except Conflict:
                parent = self._reload(parent_id)
        raise Conflict(f"algo order {parent_id} is busy; try again")

    async def cancel_all(self, user_id: int | None) -> list[ParentView]:
        with self.db.connect() as conn:
            working = store.working_parents(conn, user_id)
        canceled = []
        for parent in working:
            try:
                canceled.append(self.view(await self.finish(parent, ParentStatus.CANCELED, "canceled by the user")))
            except Conflict:
                continue
        return canceled

    # -- reading ---------------------------------------------------------------------------------

    def _reload(self, parent_id: str) -> Parent:
        with self.db.connect() as conn:
            found = store.parent(conn, parent_id)
        if found is None:
            raise NotFound(f"no order {parent_id}")
        return found

    def get(self, user_id: int, parent_id: str) -> ParentView:
        parent = self._reload(parent_id)
        if parent.user_id != user_id:
            raise NotFound(f"no order {parent_id}")
        return self.view(parent)

    def view(self, parent: Parent) -> ParentView:
        return ParentView(parent, tuple(self.child_orders(parent)))

    def recent(self, user_id: int, *, limit: int = 20) -> list[ParentView]:
        with self.db.connect() as conn:
            parents = store.recent_parents(conn, user_id, limit=limit)
        return [self.view(p) for p in parents]

    def child_order_ids(self, user_id: int) -> set[str]:
        with self.db.connect() as conn:
            return store.child_order_ids(conn, user_id)


def _iceberg_plan(spec: AlgoSpec, instrument: Instrument, quantity: Decimal, price: Decimal) -> dict[str, object]:
    visible = spec.visible
    if visible is None or visible <= 0:
        raise UserInputError("iceberg needs a positive visible quantity", code="bad_visible")
    if visible > quantity:
        raise UserInputError(
            f"visible quantity {visible.normalize():f} is larger than the order quantity {quantity.normalize():f}",
            code="bad_visible",
        )
    smallest = plan.min_slice_quantity(instrument, price)
    if instrument.round_quantity(visible) < smallest:
        raise UserInputError(
            f"visible quantity {visible.normalize():f} is below the market's minimum order of "
            f"{smallest.normalize():f} {instrument.base}",
            code="below_min_quantity",
        )
    return {"visible": str(instrument.round_quantity(visible)), "smallest": str(smallest)}
