"""Start-up reconciliation of an exchange account against the store (issue #8).

The server runs ``reconcile_venue`` once per configured exchange account when it starts (and the
CLI on demand: ``tradehub venue reconcile NAME``). For every order the store has as working on the
account it asks the exchange what became of it and books the answer: fills that happened while
tradehub was down are booked once (by trade id), and an order the exchange no longer has (neither
listed open nor found by its client id) is marked canceled with the reason. Open orders on the
exchange that the store does not know (placed on the website, by another bot, or lost before being
stored) are reported, never touched; so is the difference between the stored balances and the
exchange's, after which the stored balances mirror the exchange again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.domain import ZERO, OrderStatus, UserId
from engine.errors import OperatorError, TradehubError
from engine.orders.oms import OrderManager
from engine.storage import repository as repo
from engine.venues.base import VenueOrderUpdate
from engine.venues.ccxt import VenueOpenOrder, is_ccxt_venue
from engine.venues.managed import ManagedVenue
from engine.venues.tracking import book_update

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BalanceDrift:
    asset: str
    stored: Decimal
    exchange: Decimal

    def to_json(self) -> dict[str, str]:
        return {"asset": self.asset, "stored": str(self.stored), "exchange": str(self.exchange)}


@dataclass(frozen=True, slots=True)
class VenueReport:
    """What reconciling one exchange account found, and (with ``applied``) booked."""

    venue: str
    applied: bool
    checked: int = 0
    updated: tuple[str, ...] = ()  # order ids whose fills or status changed (vanished ones included)
    fills: int = 0  # fills reported that the store did not have
    vanished: tuple[str, ...] = ()  # order ids the exchange does not have: marked canceled
    failed: tuple[str, ...] = ()  # order ids whose update could not be booked (see the log)
    unknown_open_orders: tuple[VenueOpenOrder, ...] = ()
    drift: tuple[BalanceDrift, ...] = ()
    balances: dict[str, Decimal] = field(default_factory=dict)

    @property
    def needs_attention(self) -> bool:
        return bool(self.unknown_open_orders or self.vanished or self.failed)

    def summary(self) -> str:
        """One line for the log (no secrets: ids, symbols, quantities and prices only)."""
        booked = "booked" if self.applied else "to book"
        parts = [
            f"{self.checked} working order(s) checked, {len(self.updated)} updated ({self.fills} fill(s) {booked})",
            f"{len(self.vanished)} not on the exchange (canceled)",
        ]
        if self.failed:
            parts.append(f"{len(self.failed)} not booked: {', '.join(self.failed)}")
        if self.unknown_open_orders:
            listed = "; ".join(describe_open_order(order) for order in self.unknown_open_orders)
            parts.append(f"{len(self.unknown_open_orders)} open order(s) on the exchange unknown to tradehub: {listed}")
        if self.drift:
            moved = ", ".join(f"{d.asset} {d.stored:f} -> {d.exchange:f}" for d in self.drift)
            parts.append(f"stored balances differed from the exchange: {moved}")
        return f"{self.venue}: reconciled: " + "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "venue": self.venue,
            "applied": self.applied,
            "checked": self.checked,
            "updated": list(self.updated),
            "fills": self.fills,
            "vanished": list(self.vanished),
            "failed": list(self.failed),
            "unknown_open_orders": [open_order_json(order) for order in self.unknown_open_orders],
            "drift": [d.to_json() for d in self.drift],
            "balances": {asset: str(total) for asset, total in sorted(self.balances.items())},
        }


def describe_open_order(order: VenueOpenOrder) -> str:
    price = f" @ {order.price:f}" if order.price is not None else ""
    origin = "placed by tradehub, not in this store" if order.placed_by_tradehub else "placed elsewhere"
    return (
        f"{order.side.value} {order.quantity:f} {order.symbol}{price} ({order.type.value}, "
        f"filled {order.filled_quantity:f}, exchange id {order.venue_order_id}, {origin})"
    )


def open_order_json(order: VenueOpenOrder) -> dict[str, Any]:
    return {
        "venue_order_id": order.venue_order_id,
        "client_order_id": order.exchange_client_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "type": order.type.value,
        "quantity": str(order.quantity),
        "price": None if order.price is None else str(order.price),
        "filled_quantity": str(order.filled_quantity),
        "status": order.status.value,
        "created_ms": order.created_ms,
        "placed_by_tradehub": order.placed_by_tradehub,
    }


async def reconcile_venue(oms: OrderManager, venue: ManagedVenue, *, apply: bool = True) -> VenueReport:
    """Compare ``venue``'s exchange account with the store; with ``apply`` book what differs."""
    inner = venue.venue
    if not is_ccxt_venue(inner):
        raise OperatorError(f"{venue.name} is not an exchange account; only exchange accounts are reconciled")
    from engine.venues.ccxt.reconcile import reconcile

    working = [order for order in oms.open_orders(None, venue=venue.name) if order.status is not OrderStatus.NEW]
    for order in working:  # the fills the store has: the exchange's answer then shows exactly the missing ones
        venue.seed_fills(order.client_order_id, force=True)
    found = await reconcile(inner, [(order.symbol, order.client_order_id) for order in working])
    updated: list[str] = []
    vanished: list[str] = []
    failed: list[str] = []
    fills = 0
    for order in working:
        update = found.updates.get(order.client_order_id)
        if update is None:
            if order.client_order_id in found.listed_open:
                continue  # listed as open but the lookup missed it: the next poll asks again
            update = VenueOrderUpdate(
                order.client_order_id, "", OrderStatus.CANCELED,
                reason=f"{venue.name} does not have this order (checked when tradehub started); marked canceled",
            )  # fmt: skip
            vanished.append(order.id)
        elif not update.fills and update.status is order.status:
            continue
        fills += len(update.fills)
        updated.append(order.id)
        if not apply:
            continue
        try:
            book_update(oms, order, update)
        except TradehubError as error:
            log.warning("%s: reconciled update of order %s not booked: %s", venue.name, order.id, error.message)
            failed.append(order.id)
    drift = _drift(oms, venue, found.balances)
    if apply and not await venue.adopt_balances(found.balances):
        log.info("%s: balances not stored after reconciliation: an order is in flight", venue.name)
    return VenueReport(
        venue=venue.name, applied=apply, checked=len(working), updated=tuple(updated), fills=fills,
        vanished=tuple(vanished), failed=tuple(failed), unknown_open_orders=found.unknown_open_orders,
        drift=drift, balances=dict(found.balances),
    )  # fmt: skip


def _drift(oms: OrderManager, venue: ManagedVenue, totals: dict[str, Decimal]) -> tuple[BalanceDrift, ...]:
    with oms.db.connect() as conn:
        stored = repo.balances(conn, UserId(venue.owner_user_id), venue.name)
    drift = []
    for asset in sorted(set(stored) | set(totals)):
        held = stored.get(asset, (ZERO, ZERO))[0]
        actual = totals.get(asset, ZERO)
        if held != actual:
            drift.append(BalanceDrift(asset, held, actual))
    return tuple(drift)


def log_report(report: VenueReport) -> None:
    """A WARNING when something needs the trader's attention (orders unknown to the store, orders
    gone from the exchange, updates not booked), INFO otherwise."""
    log.log(logging.WARNING if report.needs_attention else logging.INFO, "%s", report.summary())
