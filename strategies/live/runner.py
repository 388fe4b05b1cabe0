"""``LiveRunner``: drive every running strategy instance over the replayed market through the OMS.

One ``step()`` (the ``tradehub.strategies_step`` beat job) does, per running instance, exactly the
resume procedure of ``strategies.core``:

1. load the persisted state, last completed bar and fill cursor;
2. deliver what happened to its orders since (fills once each through ``on_fill``, canceled or
   refused orders through ``on_reject``), submitting whatever the strategy answers;
3. for each newly completed bar: ``on_bar``, submit every intent with ``strategy:<intent id>`` as
   the engine idempotency key (``CancelIntent`` cancels the order with that key), deliver the
   outcomes as in 2;
4. persist ``to_state()`` with the bar id and the fill cursor in one transaction.

Only intents in the persisted fill cursor have their outcomes delivered in step 2, so after a crash
between 3 and 4 the fills of the bar's orders wait until ``on_bar`` re-issues the same intents
(deterministic ids: the engine returns the existing orders) and are then delivered once.

While the kill switch is on a step does nothing. Limit orders of the paper venue rest in the memory
of the process that placed them, so a step first lets them fill (``oms.on_tick``) and, the first
time a runner steps, puts back the resting orders of its instances that a restart dropped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.domain import Order, OrderStatus, UserId
from engine.errors import Conflict, NotFound, OperatorError, TemporaryError, TradehubError
from engine.events import Event
from engine.ids import new_id
from engine.marketdata import ReplayFeed
from engine.orders.intent import OrderIntent as EngineIntent
from engine.orders.oms import OrderManager
from engine.storage import repository as repo
from engine.venues.base import OrderRequest
from strategies.core import CancelIntent, Intent, OrderIntent, Strategy, restore_strategy
from strategies.live.bars import bar_at, pending_bars
from strategies.live.outcomes import EndOutcome, FillOutcome, Outcome, collect, order_key
from strategies.live.storage import Instance, Status
from strategies.live.store import InstanceStore

log = structlog.get_logger(__name__)

MAX_ROUNDS = 50  # outcome -> intents -> outcome chains longer than this are a strategy bug


@dataclass(slots=True)
class _Work:
    """One instance being advanced: its strategy and the not yet persisted bookkeeping."""

    instance: Instance
    strategy: Strategy
    cursor: dict[str, list[str]]
    submit: bool = True
    changed: bool = False
    refused: list[tuple[str, str]] = field(default_factory=list)
    placed: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StepReport:
    paused: bool = False
    instances: int = 0
    bars: int = 0
    orders: int = 0
    errors: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class LiveRunner:
    def __init__(
        self,
        db: Engine,
        oms: OrderManager,
        feed: ReplayFeed,
        clock: Clock,
        store: InstanceStore,
        *,
        catch_up_bars: int = 1,
    ) -> None:
        self.db = db
        self.oms = oms
        self.feed = feed
        self.clock = clock
        self.store = store
        self.catch_up_bars = catch_up_bars
        self._restored = False

    # -- the beat job ----------------------------------------------------------------------------
    async def step(self) -> StepReport:
        """Advance every running instance by the bars completed since its last step."""
        if self.oms.kill_switch_on():
            return StepReport(paused=True)
        if not self._restored:
            await self._restore_resting()
            self._restored = True
        self.oms.on_tick()
        instances = bars = orders = errors = 0
        for instance in self.store.running():
            instances += 1
            try:
                done_bars, placed = await self.advance(instance)
            except (Conflict, TemporaryError) as error:  # retried on the next step
                log.warning("strategy step postponed", strategy=instance.id, error=error.message)
                errors += 1
                continue
            except Exception:  # one broken instance must not stop the others
                log.exception("strategy step failed", strategy=instance.id)
                errors += 1
                continue
            bars += done_bars
            orders += placed
        return StepReport(False, instances, bars, orders, errors)

    async def advance(self, instance: Instance) -> tuple[int, int]:
        """Steps 1-4 for one instance; returns (bars evaluated, intents placed)."""
        work = _Work(instance, restore_strategy(instance.state),
                     {key: list(ids) for key, ids in instance.fill_cursor.items()})  # fmt: skip
        try:
            await self._drain(work)
            bars = pending_bars(self.feed, instance.symbols, after_ms=instance.last_bar_ms,
                                now_ms=self.clock.now_ms(), catch_up=self.catch_up_bars)  # fmt: skip
            for ts_ms in bars:
                if work.instance.status is Status.STOPPED:
                    break  # it stopped itself on an earlier bar of this step
                await self._submit(work, work.strategy.on_bar(bar_at(self.feed, instance.symbols, ts_ms)))
                await self._drain(work)
                self._persist(work, ts_ms)
            if not bars and work.changed:
                self._persist(work, instance.last_bar_ms)
        except Conflict:
            await self._undo_if_stopped(work)
            raise
        return len(bars), len(work.placed)

    # -- stopping --------------------------------------------------------------------------------
    async def stop(self, user_id: int, instance_id: str, *, reason: str) -> Instance:
        """Cancel the instance's working orders, book the fills they had, and mark it stopped."""
        instance = self.store.owned(user_id, instance_id)
        if instance.status is Status.STOPPED:
            raise Conflict(f"strategy {instance_id} is already stopped")
        work = _Work(instance, restore_strategy(instance.state),
                     {key: list(ids) for key, ids in instance.fill_cursor.items()}, submit=False)  # fmt: skip
        for intent_id in list(work.cursor):
            await self._cancel(instance.user_id, intent_id)
        await self._drain(work)
        work.strategy.stopped = True
        self._persist(work, instance.last_bar_ms, stop_reason=reason)
        return work.instance

    # -- submitting ------------------------------------------------------------------------------
    async def _submit(self, work: _Work, intents: list[Intent]) -> None:
        if not work.submit:
            return  # a stopping instance books what happened but starts nothing new
        for intent in intents:
            work.changed = True
            if isinstance(intent, CancelIntent):
                await self._cancel(work.instance.user_id, intent.intent_id)
            else:
                await self._place(work, intent)

    async def _place(self, work: _Work, intent: OrderIntent) -> None:
        request = EngineIntent(
            user_id=UserId(work.instance.user_id), symbol=intent.symbol, side=intent.side,
            idempotency_key=order_key(intent.intent_id), quantity=intent.quantity,
            quote_amount=intent.quote_amount, price=intent.limit_price, source="strategy",
        )  # fmt: skip
        try:
            result = await self.oms.place(request)
        except TemporaryError:
            raise
        except TradehubError as error:  # refused before any order existed: risk, sizing, symbol
            work.refused.append((intent.intent_id, error.message))
            return
        if result.replayed:  # placed before a crash: a restarted in-process venue may have lost it
            await self._ensure_resting(result.order)
        work.cursor.setdefault(intent.intent_id, [])
        work.placed.append(intent.intent_id)

    async def _cancel(self, user_id: int, intent_id: str) -> None:
        with self.db.connect() as conn:
            order = repo.order_by_key(conn, user_id, order_key(intent_id))
        if order is None or order.status.is_terminal:
            return
        await self._ensure_resting(order)  # a paper order placed by another process (the worker)
        try:
            await self.oms.cancel(UserId(user_id), order.id)
        except (Conflict, NotFound) as error:  # it filled meanwhile: the fill is delivered as usual
            log.info("strategy cancel found nothing working", intent=intent_id, error=error.message)

    # -- delivering ------------------------------------------------------------------------------
    async def _drain(self, work: _Work) -> None:
        """Deliver outcomes (and submit the strategy's answers) until nothing new happened."""
        bases = {symbol: symbol.split("/")[0] for symbol in work.instance.symbols}
        for _ in range(MAX_ROUNDS):
            outcomes: list[Outcome] = [EndOutcome(key, True, reason) for key, reason in work.refused]
            work.refused = []
            with self.db.connect() as conn:
                outcomes += collect(conn, work.instance.user_id, work.cursor, bases)
            if not outcomes:
                return
            for outcome in outcomes:
                work.changed = True
                await self._submit(work, self._deliver(work, outcome))
        raise OperatorError(f"strategy {work.instance.id} kept reacting to its own orders; stopped stepping it")

    def _deliver(self, work: _Work, outcome: Outcome) -> list[Intent]:
        if isinstance(outcome, FillOutcome):
            work.cursor[outcome.intent_id].append(outcome.fill_id)
            return work.strategy.on_fill(outcome.fill)
        work.cursor.pop(outcome.intent_id, None)
        return work.strategy.on_reject(outcome.intent_id, outcome.reason) if outcome.rejected else []

    # -- persisting ------------------------------------------------------------------------------
    def _persist(self, work: _Work, last_bar_ms: int | None, *, stop_reason: str | None = None) -> None:
        strategy, instance = work.strategy, work.instance
        status, events = None, []
        if stop_reason is None and strategy.stopped and not work.cursor and instance.status is Status.RUNNING:
            stop_reason = "the strategy stopped itself"
        if stop_reason is not None:
            status = Status.STOPPED
            events.append(stopped_event(instance, stop_reason, self.clock.now_ms()))
        version = self.store.save(
            instance, state=strategy.to_state(), last_bar_ms=last_bar_ms, fill_cursor=work.cursor,
            now_ms=self.clock.now_ms(), status=status, reason=stop_reason, events=events,
        )  # fmt: skip
        work.instance = dataclasses.replace(
            instance, version=version, last_bar_ms=last_bar_ms, state=strategy.to_state(),
            status=status or instance.status, reason=stop_reason or instance.reason,
            fill_cursor={key: tuple(ids) for key, ids in work.cursor.items()},
        )  # fmt: skip
        work.changed = False

    async def _undo_if_stopped(self, work: _Work) -> None:
        """A ``stop`` won the race: cancel what this step placed after it."""
        current = self.store.get(work.instance.id)
        if current is not None and current.status is Status.STOPPED:
            for intent_id in work.placed:
                await self._cancel(work.instance.user_id, intent_id)

    async def _restore_resting(self) -> None:
        """Hand resting limit orders back to an in-process venue that lost them in a restart."""
        for instance in self.store.running():
            for intent_id in instance.fill_cursor:
                with self.db.connect() as conn:
                    order = repo.order_by_key(conn, instance.user_id, order_key(intent_id))
                if order is not None:
                    await self._ensure_resting(order)

    async def _ensure_resting(self, order: Order) -> None:
        if order.status not in (OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED):
            return
        venue = self.oms.venues.get(order.venue)
        restore = getattr(venue, "restore", None)
        if restore is not None and await venue.fetch_order(order.symbol, order.client_order_id) is None:
            request = OrderRequest(order.client_order_id, order.symbol, order.side, order.type,
                                   order.remaining, order.price)  # fmt: skip
            restore(request, order.updated_ms)


def stopped_event(instance: Instance, reason: str, now_ms: int) -> Event:
    data = {"id": instance.id, "kind": instance.kind, "symbols": list(instance.symbols), "reason": reason}
    return Event(new_id("evt"), "strategy.stopped", now_ms, data, instance.user_id)
