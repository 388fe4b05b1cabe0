"""Start, stop and list live strategy instances: what the chat and REST commands call.

A new instance is funded from the owner's available quote balance (USDT on the default venue): the
whole of it unless a ``budget=N`` parameter says how much. A grid without ``quantity`` spreads its
budget evenly over its buy levels. A rebalance takes over the free holdings of the assets it names,
so it balances the account as it is (its P&L is measured against that starting equity). Cash and
coins already in the ledger of another running strategy of the same owner are never counted twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.domain import Instrument
from engine.errors import UserInputError
from engine.events import Event
from engine.ids import new_id
from engine.marketdata import HOUR_MS, ReplayFeed
from engine.orders.oms import OrderManager
from engine.storage import repository as repo
from strategies.core import Strategy, create_strategy, restore_strategy
from strategies.core.grid import grid_levels
from strategies.core.params import parse_decimal
from strategies.live.bars import last_completed_bar_ms
from strategies.live.runner import LiveRunner
from strategies.live.storage import Instance, Status
from strategies.live.store import InstanceStore

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class InstanceView:
    """An instance with its strategy's own ledger valued at the current replayed prices."""

    instance: Instance
    strategy: Strategy
    status: str
    equity: Decimal
    pnl: Decimal

    def summary(self) -> str:
        custom = getattr(self.strategy, "summary", None)
        holdings = ", ".join(f"{quantity:f} {symbol.split('/')[0]}"
                             for symbol, quantity in self.strategy.positions.items())  # fmt: skip
        text = f"cash {self.strategy.cash:.2f}, holding {holdings}"
        return f"{custom()}; {text}" if callable(custom) else text

    def to_dict(self) -> dict[str, Any]:
        instance = self.instance
        return {
            "id": instance.id,
            "kind": instance.kind,
            "symbols": list(instance.symbols),
            "params": dict(self.strategy.params),
            "status": self.status,
            "cash": str(self.strategy.cash),
            "positions": {symbol: str(quantity) for symbol, quantity in self.strategy.positions.items()},
            "initial_equity": str(instance.initial_equity),
            "equity": str(self.equity),
            "pnl": str(self.pnl),
            "last_bar_ms": instance.last_bar_ms,
            "reason": instance.reason,
        }


class StrategyService:
    def __init__(
        self, db: Engine, oms: OrderManager, feed: ReplayFeed, clock: Clock, store: InstanceStore, runner: LiveRunner
    ) -> None:
        self.db = db
        self.oms = oms
        self.feed = feed
        self.clock = clock
        self.store = store
        self.runner = runner

    async def start(
        self,
        user_id: int,
        kind: str,
        symbols: tuple[str, ...],
        params: Mapping[str, str],
        *,
        take_holdings: bool = False,
    ) -> InstanceView:
        """Validate, fund and store a new running instance; ``UserInputError`` creates nothing."""
        params = {key.lower(): value for key, value in params.items()}
        venue = self.oms.venues.get(None)
        instruments = {symbol: await venue.instrument(symbol) for symbol in symbols}
        quote = instruments[symbols[0]].quote
        if any(item.quote != quote for item in instruments.values()):
            raise UserInputError(f"every market of one strategy must be quoted in {quote}")
        free = self._unclaimed(user_id, venue.name)
        cash = self._budget(params.pop("budget", None), free.get(quote, ZERO), quote)
        if kind == "grid" and "quantity" not in params:
            params["quantity"] = str(_grid_quantity(params, cash, instruments[symbols[0]]))
        instance_id = f"s{secrets.token_hex(4)}"
        strategy = create_strategy(kind, strategy_id=instance_id, symbols=symbols, cash=cash, params=params)
        if take_holdings:
            for symbol in symbols:
                strategy.positions[symbol] = free.get(instruments[symbol].base, ZERO)
        now = self.clock.now_ms()
        latest = last_completed_bar_ms(self.feed, symbols[0], now)
        instance = Instance(
            id=instance_id, user_id=user_id, kind=strategy.kind, symbols=symbols, params=dict(strategy.params),
            state=strategy.to_state(), status=Status.RUNNING,
            last_bar_ms=None if latest is None else latest - HOUR_MS,  # the next step sees the latest bar
            fill_cursor={}, initial_equity=self._equity(strategy), version=0, created_ms=now, updated_ms=now,
        )  # fmt: skip
        data = {"id": instance_id, "kind": strategy.kind, "symbols": list(symbols), "params": dict(strategy.params),
                "budget": str(cash)}  # fmt: skip
        self.store.create(instance, [Event(new_id("evt"), "strategy.started", now, data, user_id)])
        return self.view(instance)

    async def stop(self, user_id: int, instance_id: str) -> InstanceView:
        instance = await self.runner.stop(user_id, instance_id, reason="stopped by its owner")
        return self.view(instance)

    def instances(self, user_id: int) -> list[InstanceView]:
        return [self.view(instance) for instance in self.store.of_user(user_id)]

    def view(self, instance: Instance) -> InstanceView:
        strategy = restore_strategy(instance.state)
        equity = self._equity(strategy)
        status = instance.status.value
        if instance.status is Status.RUNNING and self.oms.kill_switch_on():
            status = "paused"
        return InstanceView(instance, strategy, status, equity, equity - instance.initial_equity)

    # -- helpers ---------------------------------------------------------------------------------
    def _equity(self, strategy: Strategy) -> Decimal:
        held = sum((quantity * self.feed.price(symbol) for symbol, quantity in strategy.positions.items() if quantity),
                   ZERO)  # fmt: skip
        return strategy.cash + held

    def _unclaimed(self, user_id: int, venue: str) -> dict[str, Decimal]:
        """Free balance per asset, less what the owner's running strategies already hold in their
        ledgers (their unspent cash and their positions), so two strategies never count on the same coins."""
        with self.db.connect() as conn:
            balances = repo.balances(conn, user_id, venue)
        claimed: dict[str, Decimal] = {}
        for instance in self.store.of_user(user_id):
            if instance.status is not Status.RUNNING:
                continue
            strategy = restore_strategy(instance.state)
            quote = instance.symbols[0].split("/")[1]
            claimed[quote] = claimed.get(quote, ZERO) + strategy.cash
            for symbol, quantity in strategy.positions.items():
                base = symbol.split("/")[0]
                claimed[base] = claimed.get(base, ZERO) + quantity
        return {asset: max(ZERO, min(total - locked, total - claimed.get(asset, ZERO)))
                for asset, (total, locked) in balances.items()}  # fmt: skip

    @staticmethod
    def _budget(text: str | None, available: Decimal, quote: str) -> Decimal:
        if text is None:
            if available <= 0:
                raise UserInputError(f"you have no {quote} available to fund a strategy")
            return available
        budget = parse_decimal(text, name="budget")
        if budget <= 0:
            raise UserInputError(f"`budget` must be greater than 0, not {budget}")
        if budget > available:
            raise UserInputError(f"`budget` {budget} is more than your available {available:f} {quote}")
        return budget


def _grid_quantity(params: Mapping[str, str], cash: Decimal, instrument: Instrument) -> Decimal:
    """The per-level quantity that spends ``cash`` over every buy level, rounded to the market's step."""
    lower = parse_decimal(params.get("lower", "0"), name="lower")
    upper = parse_decimal(params.get("upper", "0"), name="upper")
    count = int(params.get("levels", "10"))
    mode = params.get("mode", "arithmetic").lower()
    if lower <= 0 or upper <= lower or count < 2 or mode not in ("arithmetic", "geometric"):
        return Decimal(1)  # invalid: create_strategy names the offending parameter
    quantity = instrument.round_quantity(cash / sum(grid_levels(lower, upper, count, mode)[:-1], ZERO))
    if quantity <= 0:
        raise UserInputError(f"a budget of {cash} is too small for {count} grid levels; give quantity= or more budget")
    return quantity
