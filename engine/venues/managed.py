"""``ManagedVenue``: a configured exchange account or wallet in the ``VenueRegistry``, connected lazily.

The registry holds one per stored venue account from the moment the app starts; the ccxt client or
web3 wallet behind it is built (credentials decrypted) on first use, so a process that never trades
on it never needs the master key, and a missing key is reported when the venue is used.

The engine keeps per-user balances for every venue; for a real venue they belong to the account's
owner and mirror the exchange or chain. ``refresh_balances`` copies the venue's totals into the
store (keeping the funds tradehub's own working orders have locked). It runs when the owner asks
for ``balance``/``portfolio`` and before an order is sized (the OMS asks for the instrument first),
at most every ``balance_ttl_s``, and never while one of the owner's orders on the venue is in flight
(status ``new``): its fills are about to be booked from the venue's answer, and copying the totals
in between would count them twice.

Holdings of the base asset that the account had before tradehub saw it (or bought elsewhere) enter
the owner's position for the symbol at the current price when an order on it is sized, so selling
them books normally; P&L on them is measured from that moment.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.engine import Engine

from engine.accounting import q18
from engine.domain import ZERO, ClientOrderId, Instrument, OrderStatus, UserId
from engine.errors import TradehubError
from engine.storage import repository as repo
from engine.venues.base import OrderRequest, Venue, VenueOrderUpdate

if TYPE_CHECKING:
    from engine.venues.reconciling import VenueReport

log = logging.getLogger(__name__)


class AccountVenue(Venue, Protocol):
    """A venue with an account behind it (``CcxtVenue``, ``DexVenue``)."""

    async def balances(self) -> dict[str, Decimal]: ...

    async def close(self) -> None: ...


class ManagedVenue:
    """One stored venue account, owned by ``owner_user_id``, behind the engine's ``Venue`` protocol."""

    def __init__(
        self,
        name: str,
        *,
        kind: str,
        owner_user_id: int,
        connect: Callable[[], AccountVenue],
        db: Engine,
        balance_ttl_s: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.kind = kind
        self.owner_user_id = owner_user_id
        self._connect = connect
        self._db = db
        self._inner: AccountVenue | None = None
        self._balance_ttl_s = balance_ttl_s
        self._monotonic = monotonic
        self._refreshed_at: float | None = None
        self._refresh_lock = asyncio.Lock()
        self._seeded: set[str] = set()
        self.last_reconciliation: VenueReport | None = None  # set by the start-up reconciliation

    def __repr__(self) -> str:
        state = "connected" if self._inner is not None else "not connected"
        return f"ManagedVenue(name={self.name!r}, kind={self.kind!r}, {state})"

    @property
    def venue(self) -> AccountVenue:
        """The connected venue (built on first use; raises ``OperatorError`` without the master key)."""
        if self._inner is None:
            self._inner = self._connect()
            self._seeded.clear()
        return self._inner

    @property
    def connected(self) -> bool:
        return self._inner is not None

    def has_order_stream(self) -> bool:
        """True when the connected venue pushes order updates (``watch_updates``); connects."""
        return bool(getattr(self.venue, "streams_orders", False))

    def stream_connected_since_ms(self) -> int | None:
        """When the venue's order stream connected (ms since the epoch), None while it is not connected."""
        since = getattr(self._inner, "stream_connected_since_ms", None)
        return since() if since is not None else None

    def watch_updates(self, **hooks: Any) -> AsyncIterator[VenueOrderUpdate]:
        """The venue's pushed order updates (``OrderStreamMixin.watch_updates``)."""
        watch: Callable[..., AsyncIterator[VenueOrderUpdate]] = self.venue.watch_updates  # type: ignore[attr-defined]
        return watch(**hooks)

    def seed_fills(self, client_order_id: ClientOrderId, *, force: bool = False) -> None:
        """Tell the venue which fills of the order the store has booked (once per connection, or again
        with ``force``), so that a lookup after a restart reports exactly the fills the store lacks."""
        seed = getattr(self.venue, "seed_fills", None)
        if seed is None or (client_order_id in self._seeded and not force):
            return
        with self._db.connect() as conn:
            order = repo.order_by_client_id(conn, client_order_id)
            booked = frozenset(repo.trade_ids(conn, order.id)) if order is not None else frozenset()
        if order is None or order.venue != self.name:
            return
        notional = (order.average_fill_price or ZERO) * order.filled_quantity
        seed(client_order_id, trade_ids=booked, quantity=order.filled_quantity, notional=notional)
        self._seeded.add(client_order_id)

    # the Venue protocol ----------------------------------------------------------------------------

    async def instrument(self, symbol: str) -> Instrument:
        instrument = await self.venue.instrument(symbol)
        await self.refresh_balances(max_age_s=self._balance_ttl_s)
        await self._adopt_holdings(instrument)
        return instrument

    async def _adopt_holdings(self, instrument: Instrument) -> None:
        """Bring base-asset holdings the account had before (or got outside tradehub) into the position,
        valued at the current price, so that selling them books a fill instead of failing."""
        owner = UserId(self.owner_user_id)
        with self._db.connect() as conn:
            held = repo.balances(conn, owner, self.name).get(instrument.base, (ZERO, ZERO))[0]
            position = repo.position(conn, owner, self.name, instrument.symbol)
        if held <= position.quantity:
            return
        price = await self.venue.last_price(instrument.symbol)
        cost = position.average_cost * position.quantity + (held - position.quantity) * price
        with self._db.begin() as conn:
            repo.save_position(conn, replace(position, quantity=held, average_cost=q18(cost / held)))

    async def last_price(self, symbol: str) -> Decimal:
        return await self.venue.last_price(symbol)

    async def submit(self, request: OrderRequest) -> VenueOrderUpdate:
        return await self.venue.submit(request)

    async def cancel(self, symbol: str, client_order_id: ClientOrderId) -> VenueOrderUpdate:
        self.seed_fills(client_order_id)
        return await self.venue.cancel(symbol, client_order_id)

    async def fetch_order(self, symbol: str, client_order_id: ClientOrderId) -> VenueOrderUpdate | None:
        self.seed_fills(client_order_id)
        return await self.venue.fetch_order(symbol, client_order_id)

    # account ---------------------------------------------------------------------------------------

    async def balances(self) -> dict[str, Decimal]:
        """The venue's own non-zero totals per asset."""
        return await self.venue.balances()

    async def refresh_balances(self, *, max_age_s: float = 0.0) -> bool:
        """Copy the venue's totals into the owner's stored balances; False when skipped (fresh or in flight)."""
        async with self._refresh_lock:
            now = self._monotonic()
            if self._refreshed_at is not None and now - self._refreshed_at < max_age_s:
                return False
            if self._in_flight():
                log.info("%s: balances not refreshed while an order is in flight", self.name)
                return False
            totals = await self.venue.balances()
            self._store(totals)
            self._refreshed_at = self._monotonic()
            return True

    async def adopt_balances(self, totals: dict[str, Decimal]) -> bool:
        """Store ``totals`` just fetched from the venue, as ``refresh_balances`` would; False while an
        order is in flight."""
        async with self._refresh_lock:
            if self._in_flight():
                return False
            self._store(totals)
            self._refreshed_at = self._monotonic()
            return True

    def _in_flight(self) -> bool:
        with self._db.connect() as conn:
            return bool(
                repo.list_orders(
                    conn, user_id=self.owner_user_id, statuses=(OrderStatus.NEW,), venue=self.name, limit=1
                )
            )

    def _store(self, totals: dict[str, Decimal]) -> None:
        owner = UserId(self.owner_user_id)
        with self._db.begin() as conn:
            stored = repo.balances(conn, owner, self.name, for_update=True)
            for asset in sorted(set(stored) | set(totals)):
                locked = stored.get(asset, (ZERO, ZERO))[1]
                total = totals.get(asset, ZERO)
                if asset in stored and stored[asset][0] == total:
                    continue
                repo.set_balance(conn, owner, self.name, asset, total, locked)

    async def close(self) -> None:
        if self._inner is not None:
            inner, self._inner = self._inner, None
            await inner.close()

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "connected": self._inner is not None}


async def refresh_owned_balances(venues: Iterable[object], user_id: int, *, venue: str | None = None) -> None:
    """Bring ``user_id``'s stored balances on their own configured venues up to date (``balance``/``portfolio``).

    With ``venue`` a failure is raised; across all venues an unreachable one is logged and keeps its
    last known balances, so one exchange being down does not hide the rest of the portfolio.
    """
    for candidate in venues:
        if not isinstance(candidate, ManagedVenue) or candidate.owner_user_id != user_id:
            continue
        if venue is not None and candidate.name != venue:
            continue
        try:
            await candidate.refresh_balances()
        except TradehubError as error:
            if venue is not None:
                raise
            log.warning("%s: balances not refreshed (%s); showing the last known ones", candidate.name, error.code)
