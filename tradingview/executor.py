"""Execute accepted alerts through the hub, after they were acknowledged, and record the outcome.

The pending rows are the queue: the server process drains them in an asyncio task (woken by the
writer after each commit, and at start for anything a stopped process left behind). Each alert runs
as its hook owner through ``Hub.handle`` with the alert's id as idempotency key, so the hub's stored
replies and the OMS's unique (user, key) make a second run of the same alert a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import structlog

from engine.domain import ZERO
from engine.errors import TradehubError
from engine.storage import repository as repo
from hub.commands import format_decimal
from hub.dispatch import Hub
from hub.principals import Principal
from hub.reply import Reply
from tradingview.alerts import (
    AWAITING_CONFIRMATION,
    EXECUTED,
    FAILED,
    NO_CHANGE,
    REJECTED,
    AlertRecord,
    AlertStore,
)

log = structlog.get_logger(__name__)
FRONTEND = "tradingview"
_CLAIM = 50
_STALE_MS = 60_000
BUSY_PAUSE_S = 0.01
#: while alerts are arriving, the executor's share of the event loop: after an order that took t,
#: it pauses t * (1 / share - 1) (at least BUSY_PAUSE_S), so acknowledgements keep the rest
BUSY_SHARE = 0.2
#: alerts stored before targets carried their exit prices: only ``has_exits`` says there were some
EXITS_REFUSED = (
    "take-profit and stop-loss apply to buy and sell alerts, not to closing or position targets; "
    "nothing was traded (send them as separate alerts)"
)


class Refused(Exception):
    """The alert cannot be executed as asked; the message is stored as the reason."""


class AlertExecutor:
    def __init__(self, hub: Hub, store: AlertStore, *, busy: Callable[[], bool] | None = None) -> None:
        self.hub = hub
        self.store = store
        self.busy = busy or (lambda: False)
        self.services = hub.services
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        released = self.store.release_stale(self.services.clock.now_ms() - _STALE_MS)
        if released:
            log.warning("alerts left executing by a stopped process will run again", count=released)
        self._task = asyncio.get_running_loop().create_task(self._run())
        self._wake.set()  # anything pending from before the start

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.drain()
            except Exception:  # keep serving; the traceback is logged and the rows stay pending
                log.exception("executing alerts failed")
                await asyncio.sleep(1)

    async def drain(self, limit: int | None = None) -> int:
        """Execute pending alerts until none is left (or ``limit`` ran); return how many ran.
        Outcomes of a claimed batch are recorded together, after the batch."""
        count = 0
        while (limit is None or count < limit) and (batch := self.store.claim(_CLAIM)):
            outcomes = []
            for record in batch:
                started = time.perf_counter()
                outcomes.append(await self.execute(record))
                # acknowledgements first: while alerts are arriving, pause between orders (an order
                # holds the event loop for its database work; TradingView waits only ~3 s)
                await asyncio.sleep(busy_pause(time.perf_counter() - started) if self.busy() else 0)
            self.store.complete(outcomes, self.services.clock.now_ms())
            count += len(batch)
        return count

    async def execute(self, record: AlertRecord) -> AlertRecord:
        """Run one alert; return it with its outcome (not yet stored: see ``drain``)."""
        try:
            principal = self._principal(record.user_id)
            command = await self._command(record, principal)
        except Refused as refusal:
            return replace(record, status=REJECTED, reason=str(refusal))
        except TradehubError as error:  # unknown user, venue or symbol by now
            return replace(record, status=REJECTED, reason=error.message)
        if command is None:
            return replace(record, status=NO_CHANGE, reason="already at the target position")
        try:
            reply = await self.hub.handle(principal, command, frontend=FRONTEND, idempotency_key=f"tv:{record.id}")
        except Exception as error:  # Hub.handle turns errors into replies; this is a broken invariant
            log.exception("alert execution crashed", alert_id=record.id)
            return replace(
                record, status=FAILED, command_text=command, reason=f"internal error: {type(error).__name__}"
            )
        status, reason, order_id = _outcome(reply)
        return replace(record, status=status, command_text=command, reason=reason, order_id=order_id)

    def _principal(self, user_id: int) -> Principal:
        """Read each time: a role changed since the alert arrived applies to its execution."""
        return self.services.users.by_id(user_id)

    async def _command(self, record: AlertRecord, principal: Principal) -> str | None:
        """The hub command text for the alert, sized against the position now for close/target.
        A target's ``tp``/``sl`` bracket the difference it buys; a target that sells is refused."""
        intent = record.intent or {}
        if intent.get("kind") == "trade":  # a trade's exits are in its command
            assert record.command_text is not None
            return record.command_text
        take_profit, stop_loss = intent.get("take_profit"), intent.get("stop_loss")
        if intent.get("has_exits") and take_profit is None and stop_loss is None:
            raise Refused(EXITS_REFUSED)
        symbol, venue_name = intent["symbol"], intent.get("venue")
        target = ZERO if intent.get("kind") == "close" else Decimal(intent["target"])
        venue = self.services.venues.get(venue_name)
        instrument = await venue.instrument(symbol)
        current = self._position(principal.user_id, venue.name, symbol, instrument.base)
        difference = instrument.round_quantity(abs(target - current))
        if intent.get("kind") == "close" and current <= 0:
            raise Refused(f"no {instrument.base} position on {venue.name} to close")
        if difference <= 0:
            return None
        side = "buy" if target > current else "sell"
        command = f"{side} {format_decimal(difference)} {symbol} on {venue.name}"
        if take_profit is None and stop_loss is None:
            return command
        if side == "sell":
            raise Refused(
                f"take-profit and stop-loss protect a position the alert opens or adds to; the target "
                f"{format_decimal(target)} {instrument.base} is below the position {format_decimal(current)}, "
                f"so this alert would sell {format_decimal(difference)} and there is nothing to bracket; "
                "nothing was traded (remove tp/sl from alerts that reduce the position)"
            )
        if take_profit is not None:
            command += f" tp {take_profit}"
        if stop_loss is not None:
            command += f" sl {stop_loss}"
        return command

    def _position(self, user_id: int, venue: str, symbol: str, base: str) -> Decimal:
        """The spot position: tracked quantity, never more than the free base balance."""
        with self.services.db.connect() as conn:
            tracked = repo.position(conn, user_id, venue, symbol).quantity
            total, locked = repo.balances(conn, user_id, venue).get(base, (ZERO, ZERO))
        return max(ZERO, min(tracked, total - locked))


def busy_pause(took_s: float) -> float:
    """The pause after an order that took ``took_s`` while alerts are arriving."""
    return max(BUSY_PAUSE_S, took_s * (1 / BUSY_SHARE - 1))


def _outcome(reply: Reply) -> tuple[str, str | None, str | None]:
    """(status, reason, order id) from the hub's reply."""
    if reply.confirmation is not None:
        return AWAITING_CONFIRMATION, reply.text, None
    order = reply.data.get("order") if isinstance(reply.data, dict) else None
    order_id = order.get("id") if isinstance(order, dict) else None
    if reply.ok and order_id is not None:
        return EXECUTED, None, order_id
    return REJECTED, reply.text, order_id
