"""The order management system: place, cancel, apply venue updates, reconcile after a restart.

Placing an order is two transactions around the venue call:
1. validate, run the pre-trade risk checks, lock funds and store the order as ``new``;
2. after the venue answers, apply its update (fills, positions, balances, status) with the
   events it caused written to the outbox in the same transaction.
A crash between the two leaves a ``new`` order that ``reconcile`` resolves at start.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from engine.clock import Clock, start_of_day_ms
from engine.domain import ClientOrderId, Fill, Instrument, Order, OrderId, OrderStatus, Side, UserId
from engine.errors import Conflict, NotFound, TemporaryError, VenueError
from engine.events import Event, EventPublisher
from engine.ids import client_order_id, new_id
from engine.orders.intent import OrderIntent, PlaceResult
from engine.orders.ledger import Ledger
from engine.orders.sizing import base_quantity
from engine.risk import OrderFacts, RiskLimits, check_order, required_funds
from engine.storage import repository as repo
from engine.storage.db import read_only
from engine.venues.base import OrderRequest, Venue, VenueOrderUpdate
from engine.venues.registry import VenueRegistry, market_price_buffer, taker_fee_rate

KILL_SWITCH = "kill_switch"

_EVENT_TYPE = {
    OrderStatus.FILLED: "order.filled",
    OrderStatus.PARTIALLY_FILLED: "order.partially_filled",
    OrderStatus.CANCELED: "order.canceled",
    OrderStatus.REJECTED: "order.rejected",
}


def order_payload(order: Order) -> dict[str, object]:
    """The JSON-safe view of an order used in events and API responses."""
    return {
        "id": order.id,
        "user_id": order.user_id,
        "venue": order.venue,
        "symbol": order.symbol,
        "side": order.side.value,
        "type": order.type.value,
        "quantity": str(order.quantity),
        "price": None if order.price is None else str(order.price),
        "status": order.status.value,
        "filled_quantity": str(order.filled_quantity),
        "average_fill_price": None if order.average_fill_price is None else str(order.average_fill_price),
        "fees": str(order.fees),
        "reason": order.reason,
        "source": order.source,
        "idempotency_key": order.idempotency_key,
        "created_ms": order.created_ms,
        "updated_ms": order.updated_ms,
    }


class OrderManager:
    def __init__(
        self,
        db: Engine,
        venues: VenueRegistry,
        *,
        limits: RiskLimits,
        clock: Clock,
        publisher: EventPublisher,
    ) -> None:
        self.db = db
        # reads that no write follows: no write lock on SQLite (a stand-in for the engine is used as is)
        self.reader = read_only(db) if isinstance(db, Engine) else db
        self.venues = venues
        self.limits = limits
        self.clock = clock
        self.publisher = publisher

    # -- placing ---------------------------------------------------------------------------------

    async def place(self, intent: OrderIntent) -> PlaceResult:
        """Place an order once per (user, idempotency key); a retry returns the existing order."""
        venue = self.venues.get(intent.venue)
        instrument = await venue.instrument(intent.symbol)
        last = await venue.last_price(intent.symbol)
        try:
            order, request, replayed = self._accept(intent, venue, instrument, last)
        except IntegrityError:  # a concurrent retry with the same key won the race
            with self.reader.connect() as conn:
                found = repo.order_by_key(conn, intent.user_id, intent.idempotency_key)
            if found is None:
                raise
            return PlaceResult(found, replayed=True)
        if request is None:  # a retry, or executed in process and committed with the order
            return PlaceResult(order, replayed=replayed)
        try:
            update = await venue.submit(request)
        except TemporaryError:
            raise TemporaryError(
                f"order {order.id} was accepted but {venue.name} did not answer; it will be reconciled"
            ) from None
        except VenueError as error:
            update = VenueOrderUpdate(request.client_order_id, "", OrderStatus.REJECTED, reason=error.message)
        return PlaceResult(self.apply_update(order.id, update))

    def _price_for_checks(self, intent: OrderIntent, venue: Venue, instrument: Instrument, last: Decimal) -> Decimal:
        if intent.price is not None:
            return instrument.round_price(intent.price)
        if intent.side is Side.BUY:  # lock enough for the worst fill the venue allows
            return last * (1 + market_price_buffer(venue)) + instrument.tick_size
        return last * (1 - market_price_buffer(venue))

    def _facts(
        self, ledger: Ledger, intent: OrderIntent, venue: Venue, instrument: Instrument, price: Decimal
    ) -> OrderFacts:
        """Size the order and gather what the risk check needs, inside the caller's transaction."""
        conn = ledger.conn
        fee_rate = taker_fee_rate(venue)
        base_total, base_locked = ledger.balance(instrument.base)
        quote_total, quote_locked = ledger.balance(instrument.quote)
        available_quote, available_base = quote_total - quote_locked, base_total - base_locked
        quantity = base_quantity(
            intent,
            instrument,
            price=price,
            available=available_quote if intent.side is Side.BUY else available_base,
            fee_rate=fee_rate,
        )
        facts = OrderFacts(
            symbol=instrument.symbol,
            side=intent.side,
            quantity=quantity,
            price=price,
            base_asset=instrument.base,
            quote_asset=instrument.quote,
            fee_rate=fee_rate,
            available_base=available_base,
            available_quote=available_quote,
            position_quantity=ledger.position(instrument.symbol).quantity,
            daily_realized_pnl=ledger.daily_realized(start_of_day_ms(self.clock.now_ms()))[0],
            kill_switch=repo.get_state(conn, KILL_SWITCH) == "on",
        )
        check_order(facts, self.limits)
        return facts

    async def check(self, intent: OrderIntent) -> Decimal:
        """Run sizing and every pre-trade check without placing anything; return the base quantity."""
        venue = self.venues.get(intent.venue)
        instrument = await venue.instrument(intent.symbol)
        price = self._price_for_checks(intent, venue, instrument, await venue.last_price(intent.symbol))
        with self.reader.connect() as conn:
            facts = self._facts(Ledger(conn, intent.user_id, venue.name), intent, venue, instrument, price)
        return facts.quantity

    def _accept(
        self, intent: OrderIntent, venue: Venue, instrument: Instrument, last: Decimal
    ) -> tuple[Order, OrderRequest | None, bool]:
        """Check, lock funds and store the order as ``new``, unless its idempotency key already has an
        order (returned with ``replayed``). A venue that executes in process (``submit_now``) is asked
        inside the same transaction, so its result commits with the order; then no request is returned."""
        price = self._price_for_checks(intent, venue, instrument, last)
        now = self.clock.now_ms()
        events = []
        with self.db.begin() as conn, Ledger(conn, intent.user_id, venue.name) as ledger:
            existing = repo.order_by_key(conn, intent.user_id, intent.idempotency_key)
            if existing is not None:
                return existing, None, True
            facts = self._facts(ledger, intent, venue, instrument, price)
            lock_asset, lock_amount = required_funds(facts)
            ledger.lock(lock_asset, lock_amount)
            order = Order(
                id=OrderId(new_id("ord")),
                user_id=intent.user_id,
                venue=venue.name,
                symbol=instrument.symbol,
                side=intent.side,
                type=intent.type,
                quantity=facts.quantity,
                price=None if intent.price is None else price,
                status=OrderStatus.NEW,
                idempotency_key=intent.idempotency_key,
                client_order_id=client_order_id(intent.user_id, intent.idempotency_key),
                created_ms=now,
                updated_ms=now,
                source=intent.source,
            )
            request = OrderRequest(
                order.client_order_id, order.symbol, order.side, order.type, order.quantity, order.price
            )
            events.append(self._event("order.placed", order))
            submit_now = getattr(venue, "submit_now", None)
            if submit_now is None:
                repo.insert_order(conn, order, locked_asset=lock_asset, locked_amount=lock_amount)
                repo.add_events(conn, events)
            else:
                update = submit_now(request)
                try:
                    order, locked_left = ledger.apply(order, lock_asset, lock_amount, update, now)
                    repo.insert_order(conn, order, locked_asset=lock_asset, locked_amount=locked_left)
                    events += self._status_events(order)
                    repo.add_events(conn, events)
                except BaseException:
                    venue.forget(request.client_order_id)  # the transaction rolls back: so must the venue
                    raise
                request = None
        for event in events:
            self.publisher.publish(event)
        return order, request, False

    # -- applying venue updates ------------------------------------------------------------------

    def apply_update(self, order_id: str, update: VenueOrderUpdate) -> Order:
        """Record what the venue reported (new fills, status) in one transaction; publish events."""
        with self.db.begin() as conn:
            order, events = self._apply(conn, order_id, update)
        for event in events:
            self.publisher.publish(event)
        return order

    def _apply(self, conn: Connection, order_id: str, update: VenueOrderUpdate) -> tuple[Order, list[Event]]:
        row = repo.order_row(conn, order_id, for_update=True)
        if row is None:
            raise NotFound(f"order {order_id} not found")
        order = repo.order_from_row(row)
        if order.status.is_terminal:
            return order, []
        known = repo.trade_ids(conn, order.id) if update.fills else set()
        if known:  # a venue may report a fill again (after a reconnect or restart): book each trade once
            update = replace(update, fills=tuple(f for f in update.fills if f.trade_id not in known))
        with Ledger(conn, order.user_id, order.venue) as ledger:
            order, locked_left = ledger.apply(order, row.locked_asset, row.locked_amount, update, self.clock.now_ms())
        repo.update_order(conn, order, locked_amount=locked_left, venue_order_id=update.venue_order_id or None)
        events = self._status_events(order)
        repo.add_events(conn, events)
        return order, events

    def _status_events(self, order: Order) -> list[Event]:
        event_type = _EVENT_TYPE.get(order.status)
        return [] if event_type is None else [self._event(event_type, order)]

    def _event(self, event_type: str, order: Order) -> Event:
        return Event(new_id("evt"), event_type, self.clock.now_ms(), order_payload(order), order.user_id)

    # -- canceling -------------------------------------------------------------------------------

    async def cancel(self, user_id: UserId, order_id: str) -> Order:
        with self.reader.connect() as conn:
            row = repo.order_row(conn, order_id)
        if row is None or (user_id and row.user_id != user_id):
            raise NotFound(f"no order {order_id}")
        order = repo.order_from_row(row)
        if order.status.is_terminal:
            raise Conflict(f"order {order_id} is already {order.status.value}")
        venue = self.venues.get(order.venue)
        if order.status is OrderStatus.NEW:
            update = VenueOrderUpdate(
                order.client_order_id, "", OrderStatus.CANCELED, reason="canceled before submission"
            )
        else:
            update = await venue.cancel(order.symbol, order.client_order_id)
        return self.apply_update(order.id, update)

    async def cancel_all(self, user_id: UserId | None) -> list[Order]:
        """Cancel every working order of ``user_id`` (of everyone with ``None``, for the kill switch)."""
        canceled = []
        for order in self.open_orders(user_id):
            try:
                canceled.append(await self.cancel(order.user_id, order.id))
            except (NotFound, Conflict):
                continue  # filled or canceled meanwhile: nothing left to cancel
        return canceled

    # -- reading ---------------------------------------------------------------------------------

    def open_orders(self, user_id: UserId | None, *, venue: str | None = None) -> list[Order]:
        statuses = (OrderStatus.NEW, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)
        with self.reader.connect() as conn:
            return repo.list_orders(conn, user_id=user_id, statuses=statuses, venue=venue, limit=10_000)

    def orders(self, user_id: UserId, *, venue: str | None = None, limit: int = 50) -> list[Order]:
        with self.reader.connect() as conn:
            return repo.list_orders(conn, user_id=user_id, venue=venue, limit=limit)

    def order(self, user_id: UserId, order_id: str) -> Order:
        with self.reader.connect() as conn:
            row = repo.order_row(conn, order_id)
        if row is None or row.user_id != user_id:
            raise NotFound(f"no order {order_id}")
        return repo.order_from_row(row)

    def fills(self, user_id: UserId, *, venue: str | None = None, limit: int = 50) -> list[Fill]:
        with self.reader.connect() as conn:
            return repo.list_fills(conn, user_id=user_id, venue=venue, limit=limit)

    # -- kill switch, ticks and restart ----------------------------------------------------------

    def kill_switch_on(self) -> bool:
        with self.reader.connect() as conn:
            return repo.get_state(conn, KILL_SWITCH) == "on"

    def set_kill_switch(self, on: bool) -> None:
        with self.db.begin() as conn:
            repo.set_state(conn, KILL_SWITCH, "on" if on else "off")

    def on_tick(self) -> list[Order]:
        """Let venues that simulate execution fill resting orders the price has crossed."""
        touched = []
        for venue in self.venues:
            poll = getattr(venue, "poll_triggers", None)
            if poll is None:
                continue
            for update in poll():
                order = self._order_by_client_id(update.client_order_id)
                if order is not None:
                    touched.append(self.apply_update(order.id, update))
        return touched

    def _order_by_client_id(self, client_id: ClientOrderId) -> Order | None:
        with self.reader.connect() as conn:
            return repo.order_by_client_id(conn, client_id)

    async def reconcile(self) -> dict[str, int]:
        """Resolve orders a crash left behind: ``new`` ones are looked up at the venue (and rejected if
        it never saw them); resting paper orders are handed back to the paper venue."""
        summary = {"rejected": 0, "updated": 0, "restored": 0}
        for order in self.open_orders(None):
            venue = self.venues.get(order.venue)
            found = await venue.fetch_order(order.symbol, order.client_order_id)
            if order.status is OrderStatus.NEW and found is None:
                self.apply_update(
                    order.id,
                    VenueOrderUpdate(
                        order.client_order_id,
                        "",
                        OrderStatus.REJECTED,
                        reason="interrupted by a restart before it reached the venue; not executed",
                    ),
                )
                summary["rejected"] += 1
            elif found is not None and (found.fills or found.status is not order.status):
                # a partly filled order can fill further while we are down without changing status
                self.apply_update(order.id, found)
                summary["updated"] += 1
            elif found is None and hasattr(venue, "restore"):
                venue.restore(
                    OrderRequest(
                        order.client_order_id, order.symbol, order.side, order.type, order.remaining, order.price
                    ),
                    order.updated_ms,
                )
                summary["restored"] += 1
        return summary
