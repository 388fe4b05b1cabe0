"""Fired alerts: what ``alerts`` lists and ``alerts ack ID`` acknowledges.

An alert is visible to the account it is about and to that account's team; acknowledging one
records who did it and when (once: a second acknowledgement is refused with a clear message).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, or_, select, update
from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.errors import Conflict, NotFound
from engine.riskmonitor import storage as t


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    team: str
    user_id: int
    rule: str
    value: Decimal
    limit: Decimal
    message: str
    symbol: str | None
    event_id: str
    ts_ms: int
    acked_by: str | None
    acked_ms: int | None
    slack_channel: str | None
    slack_status: str

    @property
    def acknowledged(self) -> bool:
        return self.acked_ms is not None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "team": self.team,
            "user_id": self.user_id,
            "rule": self.rule,
            "value": format(self.value, "f"),
            "limit": format(self.limit, "f"),
            "message": self.message,
            "symbol": self.symbol,
            "ts_ms": self.ts_ms,
            "acknowledged_by": self.acked_by,
            "acknowledged_ms": self.acked_ms,
            "slack": self.slack_status,
        }


def alert_from_row(row: Row[Any]) -> Alert:
    values = row._mapping
    return Alert(
        id=values["id"],
        team=values["team"],
        user_id=values["user_id"],
        rule=values["rule"],
        value=values["value"],
        limit=values["limit_value"],
        message=values["message"],
        symbol=values["symbol"],
        event_id=values["event_id"],
        ts_ms=values["ts_ms"],
        acked_by=values["acked_by"],
        acked_ms=values["acked_ms"],
        slack_channel=values["slack_channel"],
        slack_status=values["slack_status"],
    )


def _visible(team: str | None, user_id: int) -> ColumnElement[bool]:
    return or_(t.alerts.c.user_id == user_id, t.alerts.c.team == team) if team else t.alerts.c.user_id == user_id


def list_alerts(db: Engine, *, team: str | None, user_id: int, limit: int = 10) -> list[Alert]:
    """The newest alerts about ``user_id``'s account or anyone in ``team``."""
    query = select(t.alerts).where(_visible(team, user_id)).order_by(t.alerts.c.id.desc()).limit(limit)
    with db.connect() as conn:
        return [alert_from_row(r) for r in conn.execute(query)]


def get_alert(conn: Connection, alert_id: int) -> Alert | None:
    row = conn.execute(select(t.alerts).where(t.alerts.c.id == alert_id)).first()
    return None if row is None else alert_from_row(row)


def acknowledge(db: Engine, clock: Clock, alert_id: int, *, by: str, team: str | None, user_id: int) -> Alert:
    """Mark an alert acknowledged by ``by``; only alerts the caller can see; only once."""
    with db.begin() as conn:
        found = get_alert(conn, alert_id)
        if found is None or not (found.user_id == user_id or (team is not None and found.team == team)):
            raise NotFound(f"no alert {alert_id} for you or your team")
        if found.acknowledged:
            raise Conflict(f"alert {alert_id} was already acknowledged by {found.acked_by}")
        changed = conn.execute(
            update(t.alerts)
            .where(t.alerts.c.id == alert_id, t.alerts.c.acked_ms.is_(None))
            .values(acked_by=by, acked_ms=clock.now_ms())
        ).rowcount
        if changed != 1:
            raise Conflict(f"alert {alert_id} was already acknowledged")
        updated = get_alert(conn, alert_id)
    assert updated is not None
    return updated
