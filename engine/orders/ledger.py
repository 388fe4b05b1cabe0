"""Bookkeeping inside one transaction: an account's balances and positions read once and written
through, locks, and the effect of venue updates (fills, status) on an order.

The OMS opens the transaction and hands a ``Ledger`` to each step, so one order costs each row one
read and one write however many steps touch it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import Connection

from engine import accounting
from engine.clock import start_of_day_ms
from engine.domain import ZERO, Fill, FillId, Order, OrderStatus, Position
from engine.ids import new_id
from engine.orders.state import OrderEvent, transition
from engine.storage import repository as repo
from engine.venues.base import VenueFill, VenueOrderUpdate

STATUS_EVENT = {
    OrderStatus.OPEN: OrderEvent.ACCEPT,
    OrderStatus.PARTIALLY_FILLED: OrderEvent.PARTIAL_FILL,
    OrderStatus.FILLED: OrderEvent.FILL,
    OrderStatus.CANCELED: OrderEvent.CANCEL,
    OrderStatus.REJECTED: OrderEvent.REJECT,
}


@dataclass(slots=True)
class Ledger:
    """Use as a context manager: balance changes are written once, when the block ends without error."""

    conn: Connection
    user_id: int
    venue: str
    _balances: dict[str, tuple[Decimal, Decimal]] | None = None
    _positions: dict[str, Position] = field(default_factory=dict)
    _daily: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    _dirty: set[str] = field(default_factory=set)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, error_type: object, *_: object) -> None:
        if error_type is None:
            self.flush()

    def flush(self) -> None:
        """Write every balance changed since the last flush."""
        balances = self.balances()
        changed = {asset: balances[asset] for asset in sorted(self._dirty)}
        repo.set_balances(self.conn, self.user_id, self.venue, changed)
        self._dirty.clear()

    def daily_realized(self, day_ms: int) -> tuple[Decimal, Decimal]:
        found = self._daily.get(day_ms)
        if found is None:
            found = self._daily[day_ms] = repo.daily_realized(self.conn, self.user_id, day_ms)
        return found

    def add_daily_realized(self, day_ms: int, realized: Decimal, fees: Decimal) -> None:
        old_realized, old_fees = self.daily_realized(day_ms)
        self._daily[day_ms] = (old_realized + realized, old_fees + fees)
        repo.save_daily_realized(self.conn, self.user_id, day_ms, *self._daily[day_ms])

    def balances(self) -> dict[str, tuple[Decimal, Decimal]]:
        """``asset -> (total, locked)``, read once (with a row lock on PostgreSQL)."""
        if self._balances is None:
            self._balances = repo.balances(self.conn, self.user_id, self.venue, for_update=True)
        return self._balances

    def balance(self, asset: str) -> tuple[Decimal, Decimal]:
        return self.balances().get(asset, (ZERO, ZERO))

    def set_balance(self, asset: str, total: Decimal, locked: Decimal) -> None:
        self.balances()[asset] = (total, locked)
        self._dirty.add(asset)

    def lock(self, asset: str, amount: Decimal) -> None:
        total, locked = self.balance(asset)
        self.set_balance(asset, total, locked + amount)

    def release(self, asset: str, amount: Decimal) -> None:
        total, locked = self.balance(asset)
        self.set_balance(asset, total, max(ZERO, locked - amount))

    def position(self, symbol: str) -> Position:
        found = self._positions.get(symbol)
        if found is None:
            found = self._positions[symbol] = repo.position(self.conn, self.user_id, self.venue, symbol)
        return found

    def apply(
        self, order: Order, locked_asset: str, locked_left: Decimal, update: VenueOrderUpdate, now: int
    ) -> tuple[Order, Decimal]:
        """Apply a venue update to ``order``: record new fills, move funds, release what is no longer
        needed, and take the state transition. Returns the new order and the lock still held."""
        for venue_fill in update.fills:
            order, locked_left = self._fill(order, locked_asset, locked_left, venue_fill, now)
        status = transition(order.status, STATUS_EVENT[update.status])
        if status is OrderStatus.PARTIALLY_FILLED and order.filled_quantity >= order.quantity:
            status = transition(order.status, OrderEvent.FILL)
        order = replace(order, status=status, updated_ms=now, reason=update.reason or order.reason)
        if status.is_terminal and locked_left:
            self.release(locked_asset, locked_left)
            locked_left = ZERO
        return order, locked_left

    def _fill(
        self, order: Order, locked_asset: str, locked_left: Decimal, venue_fill: VenueFill, now: int
    ) -> tuple[Order, Decimal]:
        base, quote = order.symbol.split("/")
        position, realized = accounting.apply_fill(
            self.position(order.symbol), order.side, venue_fill.quantity, venue_fill.price, venue_fill.fee,
            venue_fill.fee_asset,
        )  # fmt: skip
        self._positions[order.symbol] = position
        repo.save_position(self.conn, position)
        release = min(locked_left, _lock_share(order, locked_left, venue_fill.quantity))
        changes = accounting.balance_changes(
            order.side, base, quote, venue_fill.quantity, venue_fill.price, venue_fill.fee, venue_fill.fee_asset
        )
        for asset, change in changes.items():
            total, locked = self.balance(asset)
            if asset == locked_asset:
                locked = max(ZERO, locked - release)
            self.set_balance(asset, total + change, locked)
        fill = Fill(
            FillId(new_id("fil")), order.id, order.user_id, order.venue, order.symbol, order.side,
            venue_fill.quantity, venue_fill.price, venue_fill.fee, venue_fill.fee_asset, venue_fill.ts_ms,
            venue_fill.liquidity,
        )  # fmt: skip
        repo.insert_fill(self.conn, fill, trade_id=venue_fill.trade_id, realized_pnl=realized)
        fee_value = accounting.fee_value(venue_fill.fee, venue_fill.fee_asset, order.symbol, venue_fill.price)
        self.add_daily_realized(start_of_day_ms(venue_fill.ts_ms), realized, fee_value)
        filled = order.filled_quantity + venue_fill.quantity
        order = replace(
            order,
            filled_quantity=filled,
            average_fill_price=_average(order, venue_fill.quantity, venue_fill.price),
            fees=order.fees + fee_value,  # in the quote currency, whatever asset the venue charged
            updated_ms=now,
        )
        return order, locked_left - release


def _lock_share(order: Order, locked_left: Decimal, fill_quantity: Decimal) -> Decimal:
    """The part of the remaining lock that a fill of ``fill_quantity`` uses up."""
    remaining = order.quantity - order.filled_quantity
    if remaining <= 0 or fill_quantity >= remaining:
        return locked_left
    return locked_left * fill_quantity / remaining


def _average(order: Order, quantity: Decimal, price: Decimal) -> Decimal:
    previous = order.average_fill_price or ZERO
    total = order.filled_quantity + quantity
    return accounting.q18((previous * order.filled_quantity + price * quantity) / total)
