"""Balances, positions and P&L valued at current prices; paper accounts; end-of-day snapshots.

Wallet venues (DEX accounts) also hold liquidity-pool tokens: each LP position is shown with its
share of the pool's reserves, valued in the valuation currency and counted in equity. Tradehub
does not add liquidity itself, so it never saw the deposit and gives no impermanent loss for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.engine import Engine

from engine.accounting import q18
from engine.clock import DAY_MS, Clock, start_of_day_ms
from engine.domain import ZERO, UserId
from engine.errors import TradehubError, UnknownSymbol, UserInputError
from engine.storage import repository as repo
from engine.venues.registry import VenueRegistry

log = logging.getLogger(__name__)

PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
VALUATION_QUOTE = "USDT"


@dataclass(frozen=True, slots=True)
class Holding:
    venue: str
    asset: str
    total: Decimal
    locked: Decimal
    price: Decimal | None  # in the valuation currency; None when no market prices the asset
    value: Decimal | None
    average_cost: Decimal | None = None
    unrealized_pnl: Decimal | None = None
    realized_pnl: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.total - self.locked


@dataclass(frozen=True, slots=True)
class LiquidityHolding:
    """LP tokens of a V2 pool in a wallet venue: its share of both reserves, valued at the pool's price."""

    venue: str
    symbol: str  # BASE/QUOTE of the pool
    lp_tokens: Decimal | None
    share: Decimal  # of the pool, 0..1
    base_amount: Decimal
    quote_amount: Decimal
    pool_price: Decimal  # quote per base, from the reserves
    value: Decimal | None  # in the valuation currency; None when no market prices the pool's quote token
    impermanent_loss: Decimal | None = None  # fraction vs holding the deposit; None: the deposit is unknown


@dataclass(frozen=True, slots=True)
class PortfolioView:
    holdings: tuple[Holding, ...]
    equity: Decimal
    unrealized_pnl: Decimal
    realized_pnl: Decimal
    fees_paid: Decimal
    currency: str = VALUATION_QUOTE
    liquidity: tuple[LiquidityHolding, ...] = ()


@dataclass(frozen=True, slots=True)
class PnlView:
    period: str
    since_ms: int | None
    realized_pnl: Decimal
    fees: Decimal
    unrealized_pnl: Decimal
    equity: Decimal
    history: tuple[tuple[int, Decimal], ...] = field(default=())  # (day_ms, equity) snapshots

    @property
    def total_pnl(self) -> Decimal:
        return self.realized_pnl + self.unrealized_pnl


class PortfolioService:
    def __init__(self, db: Engine, venues: VenueRegistry, clock: Clock) -> None:
        self.db = db
        self.venues = venues
        self.clock = clock

    def open_account(self, user_id: UserId, *, venue: str, asset: str, amount: Decimal) -> bool:
        """Credit a new (paper) account once; return False if it already had balances."""
        with self.db.begin() as conn:
            if repo.balances(conn, user_id, venue, for_update=True):
                return False
            repo.set_balance(conn, user_id, venue, asset, amount, ZERO)
            return True

    async def price_of(self, venue_name: str, asset: str) -> Decimal | None:
        if asset == VALUATION_QUOTE:
            return Decimal(1)
        venue = self.venues.get(venue_name)
        try:
            return await venue.last_price(f"{asset}/{VALUATION_QUOTE}")
        except UnknownSymbol:
            return None

    async def view(self, user_id: UserId, *, venue: str | None = None) -> PortfolioView:
        if venue is not None:
            self.venues.get(venue)  # refuse unknown venues with a clear message
        venues = [venue] if venue else self.venues.names()
        with self.db.connect() as conn:
            rows = [(v, repo.balances(conn, user_id, v)) for v in venues]
            positions = {(p.venue, p.symbol.split("/")[0]): p for p in repo.positions(conn, user_id, venue)}
        holdings, equity, unrealized = [], ZERO, ZERO
        for venue_name, balances in rows:
            for asset, (total, locked) in sorted(balances.items()):
                if not total and (venue_name, asset) not in positions:
                    continue
                price = await self.price_of(venue_name, asset)
                value = None if price is None else q18(price * total)
                pos = positions.get((venue_name, asset))
                pnl = None if pos is None or price is None else q18(pos.unrealized_pnl(price))
                holdings.append(
                    Holding(
                        venue_name,
                        asset,
                        total,
                        locked,
                        price,
                        value,
                        None if pos is None else pos.average_cost,
                        pnl,
                        ZERO if pos is None else pos.realized_pnl,
                    )
                )
                equity += value or ZERO
                unrealized += pnl or ZERO
        liquidity = await self.liquidity(user_id, venue=venue)
        equity += sum((lp.value or ZERO for lp in liquidity), ZERO)
        realized = sum((p.realized_pnl for p in positions.values()), ZERO)
        fees = sum((p.fees_paid for p in positions.values()), ZERO)
        return PortfolioView(tuple(holdings), q18(equity), q18(unrealized), realized, fees, VALUATION_QUOTE, liquidity)

    async def liquidity(self, user_id: UserId, *, venue: str | None = None) -> tuple[LiquidityHolding, ...]:
        """LP positions in ``user_id``'s own wallet venues. A wallet whose chain does not answer is left
        out with a warning, so one RPC being down does not hide the rest of the portfolio."""
        found: list[LiquidityHolding] = []
        for candidate in self.venues:
            if getattr(candidate, "kind", None) != "dex" or getattr(candidate, "owner_user_id", None) != user_id:
                continue
            if venue is not None and candidate.name != venue:
                continue
            try:
                positions = await candidate.venue.liquidity_positions()  # type: ignore[attr-defined]
            except TradehubError as error:
                log.warning("%s: LP positions not read (%s)", candidate.name, error.code)
                continue
            for position in positions:
                quote_price = await self._price_or_none(candidate.name, position.quote)
                value = None if quote_price is None else q18(position.value * quote_price)
                holding = LiquidityHolding(
                    candidate.name, position.symbol, position.lp_tokens, position.share, position.base_amount,
                    position.quote_amount, position.price, value, position.impermanent_loss,
                )  # fmt: skip
                found.append(holding)
        return tuple(found)

    async def _price_or_none(self, venue_name: str, asset: str) -> Decimal | None:
        try:
            return await self.price_of(venue_name, asset)
        except TradehubError as error:
            log.warning("%s: no %s price (%s)", venue_name, asset, error.code)
            return None

    async def pnl(self, user_id: UserId, period: str) -> PnlView:
        if period not in (*PERIOD_DAYS, "all"):
            raise UserInputError(f"unknown period {period!r}: use day, week, month or all")
        view = await self.view(user_id)
        now = self.clock.now_ms()
        since = None if period == "all" else start_of_day_ms(now) - (PERIOD_DAYS[period] - 1) * DAY_MS
        with self.db.connect() as conn:
            realized, fees = repo.realized_since(conn, user_id, since or 0)
            history = repo.snapshots(conn, user_id, since or 0)
        return PnlView(period, since, realized, fees, view.unrealized_pnl, view.equity, tuple(history))

    async def snapshot_all(self) -> int:
        """Store today's equity and P&L for every account (the end-of-day job); idempotent per day."""
        now = self.clock.now_ms()
        day = start_of_day_ms(now)
        with self.db.connect() as conn:
            users = repo.user_ids_with_balances(conn)
        for user_id in users:
            view = await self.view(UserId(user_id))
            with self.db.begin() as conn:
                repo.save_snapshot(
                    conn,
                    {
                        "user_id": user_id,
                        "day_ms": day,
                        "equity": view.equity,
                        "realized_pnl": view.realized_pnl,
                        "unrealized_pnl": view.unrealized_pnl,
                        "taken_ms": now,
                    },
                )
        return len(users)
