"""Copy trading: leaders opt in, followers follow them, and every leader fill is copied to each follower.

A leader fill is found from the fills table itself (written in the same transaction as the fill and its
``order.filled`` outbox event), not from the in-memory event: the bus only wakes the mirror loop. So a
fill whose fan-out a crash interrupted is picked up by the next pass (the next leader fill, the
``tradehub.copytrade.sweep`` task, or ``tradehub copytrade sweep``), and idempotency keys make the
followers already served no-ops. A leader fill is marked finished only after every follower has a
mirror record; then the fill is posted to the leader's Discord channel when one is set.

The mirror loop runs as an asyncio task on the loop that published the fill (the server's loop, like the
live strategies' in-process path), so the leader's own command replies without waiting for the fan-out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.domain import Side, UserId
from engine.errors import NotFound, UserInputError
from engine.events import Event, EventPublisher
from engine.orders.oms import OrderManager
from engine.portfolio import PortfolioService
from strategies.copytrade import storage
from strategies.copytrade.announce import DiscordPoster, masked
from strategies.copytrade.board import LeaderStats, leader_board
from strategies.copytrade.config import CopyTradeSettings
from strategies.copytrade.fanout import FanOut, FanOutResult, LeaderFill
from strategies.copytrade.storage import SOURCE, Follow

log = structlog.get_logger(__name__)

FILL_EVENTS = ("order.filled", "order.partially_filled")
LEADERS_TTL_S = 5.0


@dataclass(frozen=True, slots=True)
class UserNames:
    """How the service names users and finds them by name (given by the composition root)."""

    name_of: Callable[[int], str]
    id_of: Callable[[str], int]  # raises NotFound


class CopyTradeService:
    def __init__(
        self, db: Engine, oms: OrderManager, portfolio: PortfolioService, clock: Clock, publisher: EventPublisher,
        users: UserNames, poster: DiscordPoster, settings: CopyTradeSettings,
    ) -> None:  # fmt: skip
        self.db, self.oms, self.portfolio, self.clock = db, oms, portfolio, clock
        self.users, self.poster, self.settings = users, poster, settings
        self.fanout = FanOut(db, oms, clock, publisher, batch_size=settings.batch_size)
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._leaders: tuple[float, frozenset[int]] = (float("-inf"), frozenset())

    # -- leaders and follows ---------------------------------------------------------------------

    async def lead(self, user_id: int, *, on: bool, discord_url: str | None) -> dict[str, Any]:
        """Opt ``user_id`` in (with an optional Discord channel for fill posts) or out."""
        sealed = None if discord_url is None else self.poster.seal(discord_url)
        equity = (await self.portfolio.view(UserId(user_id))).equity
        with self.db.begin() as conn:
            storage.save_leader(conn, user_id, active=on, discord_sealed=sealed, equity=equity,
                                now_ms=self.clock.now_ms())  # fmt: skip
            followers = len(storage.followers(conn, user_id, since_ms=self.clock.now_ms()))
        self._leaders = (float("-inf"), frozenset())  # reread on the next fill
        return {"leader": self.users.name_of(user_id), "active": on, "followers": followers,
                "discord": None if discord_url is None else masked(discord_url)}  # fmt: skip

    def follow(
        self, follower_id: int, leader_name: str, *, ratio: Decimal | None, fixed: Decimal | None,
        max_allocation: Decimal | None,
    ) -> Follow:  # fmt: skip
        """Start (or change) copying ``leader_name``; ``UserInputError`` changes nothing."""
        if (ratio is not None and ratio <= 0) or (fixed is not None and fixed <= 0):
            raise UserInputError("ratio and fixed amount must be greater than zero")
        if max_allocation is not None and max_allocation <= 0:
            raise UserInputError("the maximum allocation must be greater than zero")
        leader_id = self._leader_id(leader_name)
        if leader_id == follower_id:
            raise UserInputError("you cannot follow yourself", code="follow_self")
        with self.db.begin() as conn:
            current = storage.follow(conn, follower_id, leader_id)
            rule = Follow(follower_id, leader_id, ratio, fixed, max_allocation,
                          Decimal(0) if current is None else current.allocated,
                          self.clock.now_ms() if current is None else current.created_ms)  # fmt: skip
            storage.save_follow(conn, rule)
        return rule

    def unfollow(self, follower_id: int, leader_name: str) -> int:
        leader_id = self._user_id(leader_name)
        with self.db.begin() as conn:
            if not storage.remove_follow(conn, follower_id, leader_id):
                raise UserInputError(f"you do not follow {leader_name.lstrip('@')}", code="not_following")
        return leader_id

    async def board(self) -> list[LeaderStats]:
        return await leader_board(self.db, self.portfolio, self.clock.now_ms(), self.users.name_of)

    def activity(self, follower_id: int, *, limit: int = 5) -> dict[str, Any]:
        """Whom ``follower_id`` follows and their latest copies and skipped-trade notices."""
        with self.db.connect() as conn:
            follows = storage.follows_of(conn, follower_id)
            recent = storage.mirrors_of(conn, follower_id, limit=limit)
        return {
            "following": [rule_dict(rule, self.users.name_of(rule.leader_id)) for rule in follows],
            "recent": [{"leader": self.users.name_of(row.leader_id), "leader_fill_id": row.leader_fill_id,
                        "status": row.status, "symbol": row.symbol, "side": row.side, "order_id": row.order_id,
                        "quantity": None if row.quantity is None else str(row.quantity), "reason": row.reason,
                        "ts_ms": row.ts_ms} for row in recent],
        }  # fmt: skip

    def _user_id(self, name: str) -> int:
        try:
            return self.users.id_of(name.lstrip("@"))
        except NotFound:
            message = f"no leader named {name.lstrip('@')}; `leaders` lists them"
            raise UserInputError(message, code="unknown_leader") from None

    def _leader_id(self, name: str) -> int:
        user_id = self._user_id(name)
        with self.db.connect() as conn:
            leader = storage.leader(conn, user_id)
        if leader is None or not leader.active:
            raise UserInputError(f"{name.lstrip('@')} is not a leader; `leaders` lists them", code="unknown_leader")
        return user_id

    # -- mirroring -------------------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        """Bus subscriber: a fill of a leader's own order wakes the mirror loop (mirror fills never do)."""
        if event.data.get("source") != SOURCE and event.user_id is not None and self._is_leader(event.user_id):
            self.kick()

    def _is_leader(self, user_id: int) -> bool:
        """Whether ``user_id`` leads, from a set reread at most every ``LEADERS_TTL_S`` (this runs on every
        fill; a leader who opted in on another replica is caught by that replica's sweep meanwhile)."""
        loaded_at, leaders = self._leaders
        if time.monotonic() - loaded_at > LEADERS_TTL_S:
            with self.db.connect() as conn:
                leaders = frozenset(leader.user_id for leader in storage.active_leaders(conn))
            self._leaders = (time.monotonic(), leaders)
        return user_id in leaders

    def kick(self) -> None:
        """Run a mirror pass soon on the running loop; without one, the sweep task will find the fill."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = loop.create_task(self._loop())

    async def idle(self) -> None:
        """Wait until the mirror loop has nothing left to do."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def _loop(self) -> None:
        while True:
            self._again = False
            try:
                await self.sweep()
            except Exception:  # the fills stay unfinished; the next pass or the sweep task retries them
                log.exception("copy-trade mirror pass failed")
            if not self._again:
                return

    async def sweep(self) -> list[FanOutResult]:
        """Copy every unfinished leader fill of the lookback window, oldest first."""
        results = []
        while True:
            with self.db.connect() as conn:
                pending = storage.pending_fills(conn, since_ms=self.clock.now_ms() - self.settings.lookback_s * 1000)
            if not pending:
                return results
            for row in pending:
                results.append(await self.mirror_fill(row))

    async def mirror_fill(self, row: Any) -> FanOutResult:
        """Fan one leader fill out, mark it finished, then post it to the leader's Discord channel."""
        fill = LeaderFill(row.id, row.order_id, row.user_id, self.users.name_of(row.user_id), row.venue, row.symbol,
                          Side(row.side), row.quantity, row.price, row.ts_ms)  # fmt: skip
        now = self.clock.now_ms()
        stale = None
        if now - fill.ts_ms > self.settings.stale_after_s * 1000:
            age_s = (now - fill.ts_ms) // 1000
            stale = f"the leader's fill is {age_s} s old; copying it now would be a different trade"
        result = await self.fanout.mirror(fill, stale_reason=stale)
        with self.db.begin() as conn:
            if storage.source(conn, fill.fill_id) is not None:
                return result  # another pass finished it meanwhile
            storage.mark_done(conn, fill.fill_id, fill.leader_id, mirrored=result.mirrored, skipped=result.skipped,
                              now_ms=now)  # fmt: skip
            leader = storage.leader(conn, fill.leader_id)
        if leader is not None and leader.discord_sealed:
            outcome = await self._post(leader.discord_sealed, fill)
            with self.db.begin() as conn:
                storage.mark_posted(conn, fill.fill_id, outcome)
        log.info("leader fill mirrored", fill_id=fill.fill_id, mirrored=result.mirrored, skipped=result.skipped)
        return result

    async def _post(self, sealed: str, fill: LeaderFill) -> str:
        with self.db.connect() as conn:
            rows = storage.mirrors_of_fill(conn, fill.fill_id)
        data = {"leader": fill.leader_name, "side": fill.side.value, "quantity": f"{fill.quantity:f}",
                "symbol": fill.symbol, "price": f"{fill.price:f}",
                "copied_by": str(sum(1 for row in rows if row.status == "mirrored")),
                "skipped": str(sum(1 for row in rows if row.status == "skipped"))}  # fmt: skip
        return await self.poster.post(sealed, data, fill.ts_ms)


def rule_dict(rule: Follow, leader_name: str) -> dict[str, Any]:
    def text(value: Decimal | None) -> str | None:
        return None if value is None else f"{value:f}"

    return {"leader": leader_name, "ratio": text(rule.ratio), "fixed": text(rule.fixed),
            "max_allocation": text(rule.max_allocation), "allocated": text(rule.allocated)}  # fmt: skip
