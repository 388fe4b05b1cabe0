"""Compare each team member's account with the team's rules; fire one alert per breach.

A breach of (account, rule) starts when the figure goes above the limit and ends when it comes back
within it. The first evaluation that sees a breach fires one alert, unless the rule fired for that
account less than the team's cooldown ago; then the breach fires once the cooldown has passed, if it
still holds. The state lives in ``risk_breaches`` and changes in the same transaction as the alert row
and its ``risk.alert`` outbox event, so a restart neither forgets nor repeats an alert, and two
processes evaluating at once fire it once (the conditional update decides).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import structlog
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from engine.clock import Clock, start_of_day_ms
from engine.domain import UserId
from engine.events import Event, EventPublisher
from engine.ids import new_id
from engine.portfolio import VALUATION_QUOTE, PortfolioService, PortfolioView
from engine.riskmonitor import storage as t
from engine.riskmonitor.alerts import Alert, alert_from_row
from engine.riskmonitor.measures import History, Measures, measure
from engine.riskmonitor.rules import RULE_NAMES, RuleStore, TeamRules
from engine.storage import repository as repo

log = structlog.get_logger(__name__)


class Directory(Protocol):
    """Who is in which team (the hub's user directory answers; the engine does not own users)."""

    def members(self, team: str) -> list[int]: ...

    def team_of(self, user_id: int) -> str | None: ...

    def name_of(self, user_id: int) -> str: ...


@dataclass(frozen=True, slots=True)
class AccountState:
    peak_equity: Decimal
    day_ms: int
    day_open_equity: Decimal
    last_equity: Decimal


def _message(rule: str, name: str, measures: Measures, limit: Decimal) -> str:
    value = measures.value(rule)
    if rule == "drawdown":
        return (
            f"{name}: drawdown {value}% from peak equity {measures.peak_equity:.2f} USDT "
            f"is above the limit of {limit:f}%"
        )
    if rule == "daily_loss":
        return f"{name}: lost {value} USDT today, above the daily loss limit of {limit:f} USDT"
    if rule == "concentration":
        return f"{name}: {measures.concentration_asset} is {value}% of equity, above the limit of {limit:f}%"
    if rule == "exposure":
        return f"{name}: gross exposure {value} USDT is above the limit of {limit:f} USDT"
    return f"{name}: 1-day 95% VaR {value} USDT is above the budget of {limit:f} USDT"


class RiskMonitor:
    def __init__(
        self,
        db: Engine,
        clock: Clock,
        portfolio: PortfolioService,
        history: History,
        publisher: EventPublisher,
        directory: Directory,
        *,
        on_alert: Callable[[Alert], None] | None = None,
    ) -> None:
        self.db, self.clock, self.portfolio, self.history = db, clock, portfolio, history
        self.publisher, self.directory = publisher, directory
        self.rules = RuleStore(db, clock, directory.members)
        self.on_alert = on_alert

    # -- reading --------------------------------------------------------------------------------

    async def measures(self, user_id: int) -> Measures:
        """Current figures of an account, without recording anything."""
        view = await self.portfolio.view(UserId(user_id))
        with self.db.connect() as conn:
            state = self._state(conn, user_id)
        peak, day_open = self._carry(state, view.equity, self.clock.now_ms())[:2]
        return measure(view, peak_equity=peak, day_open_equity=day_open, history=self.history)

    # -- evaluating -----------------------------------------------------------------------------

    async def evaluate_all(self) -> list[Alert]:
        """Evaluate every member of every team that has rules (the price-tick path)."""
        fired: list[Alert] = []
        for rules in self.rules.list():
            for user_id in self.directory.members(rules.team):
                fired += await self._evaluate(user_id, rules)
        return fired

    async def evaluate_user(self, user_id: int) -> list[Alert]:
        """Evaluate one account against its team's rules (the fill path)."""
        team = self.directory.team_of(user_id)
        rules = None if team is None else self.rules.get(team)
        return [] if rules is None else await self._evaluate(user_id, rules)

    async def _evaluate(self, user_id: int, rules: TeamRules) -> list[Alert]:
        view = await self.portfolio.view(UserId(user_id))
        if not view.holdings:
            return []
        for attempt in (1, 2):
            try:
                alerts, events = self._record(user_id, rules, view)
                break
            except IntegrityError:  # another process created the same state rows first; read theirs
                if attempt == 2:
                    raise
        for event in events:
            self.publisher.publish(event)
        for alert in alerts:
            log.info("risk alert", alert_id=alert.id, team=alert.team, rule=alert.rule, user_id=user_id)
            if self.on_alert is not None:
                self.on_alert(alert)
        return alerts

    def _record(self, user_id: int, rules: TeamRules, view: PortfolioView) -> tuple[list[Alert], list[Event]]:
        now = self.clock.now_ms()
        equity = view.equity
        name = self.directory.name_of(user_id)  # read before the write transaction (SQLite allows one writer)
        alerts: list[Alert] = []
        events: list[Event] = []
        with self.db.begin() as conn:
            state = self._state(conn, user_id, lock=True)
            peak, day_open, day_ms = self._carry(state, equity, now)
            self._save_state(conn, user_id, state, AccountState(peak, day_ms, day_open, equity), now)
            figures = measure(view, peak_equity=peak, day_open_equity=day_open, history=self.history)
            for rule in RULE_NAMES:
                limit, value = rules.limit(rule), figures.value(rule)
                breaching = limit is not None and value is not None and value > limit
                if not self._transition(conn, user_id, rule, breaching, now, rules.cooldown_ms):
                    continue
                assert limit is not None and value is not None
                alert, event = self._fire(conn, user_id, name, rules, rule, figures, limit, now)
                alerts.append(alert)
                events.append(event)
        return alerts, events

    @staticmethod
    def _carry(state: AccountState | None, equity: Decimal, now: int) -> tuple[Decimal, Decimal, int]:
        """Peak equity, the equity today opened with, and today's start, given the stored state."""
        today = start_of_day_ms(now)
        if state is None:
            return equity, equity, today
        peak = max(state.peak_equity, equity)
        # a new day opens with the last equity seen before it, so an overnight drop still counts
        day_open = state.day_open_equity if state.day_ms == today else state.last_equity
        return peak, day_open, today

    @staticmethod
    def _state(conn: Connection, user_id: int, *, lock: bool = False) -> AccountState | None:
        query = select(t.accounts).where(t.accounts.c.user_id == user_id)
        if lock and conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            return None
        return AccountState(row.peak_equity, row.day_ms, row.day_open_equity, row.last_equity)

    @staticmethod
    def _save_state(conn: Connection, user_id: int, old: AccountState | None, new: AccountState, now: int) -> None:
        values = {
            "peak_equity": new.peak_equity,
            "day_ms": new.day_ms,
            "day_open_equity": new.day_open_equity,
            "last_equity": new.last_equity,
            "updated_ms": now,
        }
        if old is None:
            conn.execute(insert(t.accounts).values(user_id=user_id, **values))
        else:
            conn.execute(update(t.accounts).where(t.accounts.c.user_id == user_id).values(**values))

    @staticmethod
    def _transition(conn: Connection, user_id: int, rule: str, breaching: bool, now: int, cooldown_ms: int) -> bool:
        """Record whether (account, rule) is breaching; return True when this evaluation must fire."""
        key = (t.breaches.c.user_id == user_id) & (t.breaches.c.rule == rule)
        row = conn.execute(select(t.breaches).where(key)).first()
        if row is None:
            if not breaching:
                return False
            conn.execute(
                insert(t.breaches).values(
                    user_id=user_id, rule=rule, breaching=True, alerted=True, last_fired_ms=now, updated_ms=now
                )
            )
            return True
        if not breaching:
            if row.breaching or row.alerted:
                conn.execute(update(t.breaches).where(key).values(breaching=False, alerted=False, updated_ms=now))
            return False
        if row.alerted or (row.last_fired_ms is not None and now - row.last_fired_ms < cooldown_ms):
            if not row.breaching:
                conn.execute(update(t.breaches).where(key).values(breaching=True, updated_ms=now))
            return False
        won = conn.execute(
            update(t.breaches)
            .where(key, t.breaches.c.alerted.is_(False))
            .values(breaching=True, alerted=True, last_fired_ms=now, updated_ms=now)
        ).rowcount
        return won == 1

    def _fire(
        self,
        conn: Connection,
        user_id: int,
        name: str,
        rules: TeamRules,
        rule: str,
        figures: Measures,
        limit: Decimal,
        now: int,
    ) -> tuple[Alert, Event]:
        value = figures.value(rule)
        assert value is not None
        message = _message(rule, name, figures, limit)
        asset = figures.concentration_asset
        symbol = None if asset is None else f"{asset}/{VALUATION_QUOTE}"
        event_id = new_id("evt")
        alert_id = conn.execute(
            insert(t.alerts).values(
                team=rules.team,
                user_id=user_id,
                rule=rule,
                value=value,
                limit_value=limit,
                message=message,
                symbol=symbol,
                event_id=event_id,
                ts_ms=now,
                slack_channel=rules.slack_channel,
                slack_status="pending" if rules.slack_channel else "none",
                slack_attempts=0,
                slack_next_ms=now if rules.slack_channel else None,
            )
        ).inserted_primary_key[0]
        data = {
            "kind": "risk_monitor",
            "alert_id": alert_id,
            "team": rules.team,
            "account": name,
            "rule": rule,
            "value": format(value, "f"),
            "limit": format(limit, "f"),
            "symbol": symbol,
            "message": message,
        }
        event = Event(event_id, "risk.alert", now, data, user_id)
        repo.add_events(conn, [event])
        row = conn.execute(select(t.alerts).where(t.alerts.c.id == alert_id)).first()
        return alert_from_row(row), event
