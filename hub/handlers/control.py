"""Control commands: help, risk (with the team risk monitor when wired), alerts (list, ``ack ID``), kill
(with confirmation) and resume."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from engine.clock import start_of_day_ms
from engine.errors import PermissionDenied
from engine.events import Event
from engine.ids import new_id
from engine.riskmonitor.alerts import acknowledge, list_alerts
from engine.storage import repository as repo
from hub import grammar
from hub.commands import Alerts, Help, Kill, Resume, Risk
from hub.dispatch import Context, Services
from hub.handlers.format import amount
from hub.principals import Role
from hub.reply import Reply

if TYPE_CHECKING:
    from engine.riskmonitor.monitor import RiskMonitor

ALERT_TYPES = ("risk.alert", "tradingview.alert")


async def help_(services: Services, context: Context, command: Help) -> Reply:
    return Reply(True, grammar.help_text(command.topic), data={"topic": command.topic})


async def risk(services: Services, context: Context, command: Risk) -> Reply:
    limits = services.oms.limits
    user_id = context.principal.user_id
    with services.db.connect() as conn:
        today, _fees = repo.daily_realized(conn, user_id, start_of_day_ms(services.clock.now_ms()))
    killed = services.oms.kill_switch_on()
    data = {
        "kill_switch": killed,
        "max_order_notional": str(limits.max_order_notional),
        "max_position_notional": str(limits.max_position_notional),
        "daily_loss_limit": str(limits.daily_loss_limit),
        "daily_realized_pnl": str(today),
        "allowed_symbols": None if limits.allowed_symbols is None else sorted(limits.allowed_symbols),
    }
    text = (
        f"Kill switch: {'ON (trading halted)' if killed else 'off'}\n"
        f"Max order {amount(limits.max_order_notional)} USDT, max position {amount(limits.max_position_notional)} "
        f"USDT, daily loss limit {amount(limits.daily_loss_limit)} USDT (today {amount(today, 2)})"
    )
    return Reply(True, text, data=data)


async def risk_with_monitor(monitor: RiskMonitor, services: Services, context: Context, command: Risk) -> Reply:
    """``risk`` plus the team monitor's rules and this account's figures against them."""
    reply = await risk(services, context, command)
    team = context.principal.team
    rules = None if team is None else monitor.rules.get(team)
    if rules is None:
        return reply
    figures = await monitor.measures(context.principal.user_id)
    lines = [f"Team {team} monitor: {rules.describe()}"]
    for rule, label, unit in _MONITOR_LINES:
        limit, value = rules.limit(rule), figures.value(rule)
        if limit is not None:
            shown = "n/a (not enough price history)" if value is None else f"{value:f}{unit}"
            lines.append(f"  {label}: {shown} of {limit:f}{unit}{' - BREACHED' if value and value > limit else ''}")
    data = {**reply.data, "monitor": {"rules": rules.to_json(), "measures": figures.to_json()}}
    return Reply(True, reply.text + "\n" + "\n".join(lines), data=data)


_MONITOR_LINES = (
    ("drawdown", "Drawdown from peak", "%"),
    ("daily_loss", "Loss today", " USDT"),
    ("concentration", "Largest position", "%"),
    ("exposure", "Gross exposure", " USDT"),
    ("var", "1-day 95% VaR", " USDT"),
)


async def alerts(services: Services, context: Context, command: Alerts) -> Reply:
    """Recent alerts for you and your team (risk monitor alerts with their numbers), or ``alerts ack ID``."""
    principal = context.principal
    if command.ack_id is not None:
        return _acknowledge(services, context, command.ack_id)
    monitored = list_alerts(services.db, team=principal.team, user_id=principal.user_id, limit=10)
    outbox = repo.outbox_t
    with services.db.connect() as conn:
        rows = conn.execute(
            select(outbox.c.type, outbox.c.payload, outbox.c.ts_ms)
            .where(outbox.c.type.in_(ALERT_TYPES))
            .where((outbox.c.user_id == principal.user_id) | outbox.c.user_id.is_(None))
            .order_by(outbox.c.id.desc())
            .limit(10)
        ).all()
    others = [
        {"type": r.type, "ts_ms": r.ts_ms, "data": r.payload}
        for r in rows
        if r.payload.get("kind") != "risk_monitor"  # those are listed from the monitor's own table
    ]
    items = [{"type": "risk.alert", "ts_ms": a.ts_ms, "data": a.to_json()} for a in monitored] + others
    items.sort(key=lambda item: item["ts_ms"], reverse=True)
    items = items[:10]
    lines = [_alert_line(item) for item in items] or ["No alerts."]
    return Reply(True, "\n".join(lines), data={"alerts": items})


def _alert_line(item: dict[str, Any]) -> str:
    data = item["data"]
    if "id" in data and "rule" in data:
        state = f"acknowledged by {data['acknowledged_by']}" if data["acknowledged_by"] else "open"
        return f"#{data['id']} [{state}] {data['message']}"
    return f"{item['type']}: {data.get('message', data)}"


def _acknowledge(services: Services, context: Context, alert_id: int) -> Reply:
    principal = context.principal
    if principal.role.rank < Role.TRADER.rank:
        raise PermissionDenied(f"acknowledging an alert needs the trader role; {principal.name} is a viewer")
    alert = acknowledge(
        services.db, services.clock, alert_id, by=principal.name, team=principal.team, user_id=principal.user_id
    )
    return Reply(True, f"Alert #{alert.id} acknowledged by {principal.name}.", data={"alert": alert.to_json()})


async def kill(services: Services, context: Context, command: Kill) -> Reply:
    if not context.confirmed:
        request = services.confirmations.request(
            context.principal,
            "kill",
            prompt="Halt all trading: cancel every open order and pause all strategies?",
            idempotency_key=context.idempotency_key,
            frontend=context.frontend,
        )
        return Reply(
            True,
            f"{request.prompt} Reply `confirm {request.id}` within 5 minutes.",
            data={"confirmation_id": request.id, "command": "kill"},
            confirmation=request,
            status=202,
        )
    services.oms.set_kill_switch(True)
    canceled = await services.oms.cancel_all(None)
    message = f"Kill switch on by {context.principal.name}: {len(canceled)} order(s) canceled, strategies paused"
    _alert(services, message, kind="kill_switch", on=True)
    return Reply(True, message + ". `resume` lifts it.", data={"kill_switch": True, "canceled": len(canceled)})


async def resume(services: Services, context: Context, command: Resume) -> Reply:
    services.oms.set_kill_switch(False)
    message = f"Kill switch off by {context.principal.name}: trading resumed"
    _alert(services, message, kind="kill_switch", on=False)
    return Reply(True, message + ".", data={"kill_switch": False})


def _alert(services: Services, message: str, **data: object) -> None:
    event = Event(new_id("evt"), "risk.alert", services.clock.now_ms(), {"message": message, **data})
    with services.db.begin() as conn:
        repo.add_events(conn, [event])
    services.bus.publish(event)
