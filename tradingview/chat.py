"""The chat command ``alerts``: the risk alerts it always listed, then your latest TradingView alerts."""

from __future__ import annotations

from hub.app.container import Container
from hub.commands import Alerts
from hub.dispatch import Context, Handler, Services
from hub.handlers import control
from hub.reply import Reply
from tradingview.alerts import AlertRecord, AlertStore
from tradingview.config import TradingViewSettings

SHOWN = 10


def alert_line(record: AlertRecord) -> str:
    """``tva_… executed: buy 0.01 BTC/USDT -> ord_…`` or ``… rejected: reason``."""
    what = record.command_text or (record.intent or {}).get("symbol") or "alert"
    if record.order_id:
        return f"{record.id} {record.status}: {what} -> {record.order_id}"
    if record.reason:
        return f"{record.id} {record.status}: {record.reason}"
    return f"{record.id} {record.status}: {what}"


def make_alerts_handler(container: Container) -> Handler:
    settings = TradingViewSettings()
    store = AlertStore(container.db, window_ms=settings.dedupe_window_s * 1000, publish=container.bus.publish)

    async def alerts(services: Services, context: Context, command: Alerts) -> Reply:
        risk = await control.alerts(services, context, command)
        if command.ack_id is not None or not risk.ok:  # `alerts ack N` (or a refusal) is about risk alerts only
            return risk
        records = store.list(context.principal.user_id, limit=SHOWN)
        lines = [alert_line(r) for r in records] or ["No TradingView alerts."]
        data = dict(risk.data)
        data["tradingview"] = [
            {"id": r.id, "status": r.status, "command": r.command_text, "reason": r.reason, "order_id": r.order_id}
            for r in records
        ]
        text = f"{risk.text}\nTradingView alerts:\n" + "\n".join(lines)
        return Reply(True, text, data=data)

    return alerts
