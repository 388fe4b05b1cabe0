"""Wiring: build every service from ``Settings`` once, in one place (no clients at import time)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from engine.clock import Clock, SystemClock
from engine.marketdata import ReplayFeed, load_bundled
from engine.orders.oms import OrderManager
from engine.portfolio import PortfolioService
from engine.risk import RiskLimits
from engine.storage import repository as repo
from engine.storage.db import make_engine
from engine.venues.paper.adapter import PaperVenue
from engine.venues.paper.config import PaperConfig
from engine.venues.plugin import register_stored_venues
from engine.venues.registry import VenueRegistry
from hub.app import extensions, migrate
from hub.app.settings import Settings
from hub.chat import ChannelPolicy, LinkCodes
from hub.confirmations import Confirmations
from hub.dispatch import Hub, HubConfig, Services
from hub.events import EventBus
from hub.handlers import HANDLERS
from hub.principals import Principal, Role
from hub.users import UserDirectory
from sentiment.settings import SentimentSettings
from sentiment.settings import build_service as build_sentiment

REPLAY_EPOCH = "replay_epoch_ms"


@dataclass(slots=True)
class Container:
    settings: Settings
    db: Engine
    clock: Clock
    bus: EventBus
    feed: ReplayFeed
    paper: PaperVenue
    hub: Hub
    extras: dict[str, Any] = field(default_factory=dict)  # per-container singletons of optional packages

    @property
    def services(self) -> Services:
        return self.hub.services

    def add_user(self, name: str, *, role: Role = Role.TRADER, team: str | None = None) -> Principal:
        """Create a user with a funded paper account."""
        principal = self.services.users.add_user(name, role=role, team=team)
        self.services.portfolio.open_account(
            principal.user_id, venue="paper", asset="USDT", amount=self.settings.paper_balance
        )
        return principal

    def close(self) -> None:
        self.db.dispose()


def replay_epoch(db: Engine, clock: Clock) -> int:
    """The wall time the replay started; stored so every process replays the same prices."""
    with db.begin() as conn:
        stored = repo.get_state(conn, REPLAY_EPOCH)
        if stored is None:
            stored = str(clock.now_ms())
            repo.set_state(conn, REPLAY_EPOCH, stored)
    return int(stored)


def build(
    settings: Settings, *, clock: Clock | None = None, db: Engine | None = None, migrate_db: bool = True
) -> Container:
    clock = clock or SystemClock()
    db = db or make_engine(settings.sqlalchemy_url)
    if migrate_db:
        migrate.upgrade(db)
    bus = EventBus()
    feed = ReplayFeed(load_bundled(), clock, speed=settings.replay_speed, epoch_ms=replay_epoch(db, clock))
    paper = PaperVenue(
        PaperConfig(
            taker_fee_rate=settings.paper_fee_rate,
            maker_fee_rate=settings.paper_fee_rate,
            slippage_bps=settings.paper_slippage_bps,
            initial_balance=settings.paper_balance,
        ),
        feed,
        clock,
    )
    venues = VenueRegistry(default="paper")
    venues.register(paper)
    register_stored_venues(db, venues, clock, settings)  # exchange accounts and wallets, connected on use
    limits = RiskLimits(
        max_order_notional=settings.max_order_notional,
        max_position_notional=settings.max_position_notional,
        daily_loss_limit=settings.daily_loss_limit,
        allowed_symbols=None if settings.allowed_symbols is None else frozenset(settings.allowed_symbols),
    )
    users = UserDirectory(db, clock)
    services = Services(
        db=db,
        clock=clock,
        bus=bus,
        oms=OrderManager(db, venues, limits=limits, clock=clock, publisher=bus),
        portfolio=PortfolioService(db, venues, clock),
        venues=venues,
        users=users,
        confirmations=Confirmations(db, clock),
        config=HubConfig(confirm_above_usd=settings.confirm_above_usd, paper_initial_balance=settings.paper_balance),
        links=LinkCodes(db, clock, users),
        channels=ChannelPolicy(db, clock),
        sentiment=build_sentiment(SentimentSettings(), db, clock.now_ms),
    )
    container = Container(settings, db, clock, bus, feed, paper, Hub(services, HANDLERS))
    for handlers in extensions.HANDLERS:  # command families of optional packages
        for family, handler in handlers(container).items():
            container.hub.register(family, handler)
    return container
