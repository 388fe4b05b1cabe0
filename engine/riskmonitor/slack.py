"""Post fired alerts to the team's Slack channel (Block Kit, with action buttons), in the background.

Every button is a generic "run this command" button: ``action_id`` ``tradehub:run`` and the command
text as its ``value`` (``alerts ack 12``, ``kill``, ``sell 100% BTC/USDT``); the Slack bot runs the
text through the chat gateway as the person who pressed it, so permissions and confirmations apply.
Slack refuses two elements with one ``action_id`` in a block, so each button has its own ``actions``
block.

Delivery state is kept on the alert row (``slack_status``): the poster sends every due ``pending``
alert; 429 (after ``Retry-After``) and 5xx are retried by the Slack client at once, then again later
with backoff; a permanent refusal (unknown channel, bad token) marks the alert ``failed``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.errors import OperatorError
from engine.riskmonitor import storage as t
from engine.riskmonitor.alerts import Alert, alert_from_row

log = structlog.get_logger(__name__)

RUN_ACTION = "tradehub:run"
MAX_ATTEMPTS = 8
FIRST_RETRY_MS = 30_000
MAX_RETRY_MS = 3_600_000
LEASE_MS = 120_000
_TITLES = {
    "drawdown": "Drawdown",
    "daily_loss": "Daily loss",
    "concentration": "Concentration",
    "exposure": "Exposure",
    "var": "Value at risk",
}

#: ``post(channel, text, blocks)`` -> the posted message's ``ts``; raises ``OperatorError`` when Slack refuses
#: it for good (unknown channel, bad token), anything else when it may work later.
Post = Callable[[str, str, list[dict[str, Any]]], Awaitable[str]]


def _button(label: str, command: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": RUN_ACTION,
        "text": {"type": "plain_text", "text": label},
        "value": command,
    }
    if style is not None:
        button["style"] = style
    return button


def buttons(alert: Alert) -> list[tuple[str, str]]:
    """``(label, command)`` of the alert's buttons: Acknowledge, Pause strategies, Flatten position."""
    found = [("Acknowledge", f"alerts ack {alert.id}"), ("Pause strategies", "kill")]
    if alert.symbol is not None:
        found.append(("Flatten position", f"sell 100% {alert.symbol}"))
    return found


def render(alert: Alert) -> tuple[str, list[dict[str, Any]]]:
    """The notification text and Block Kit blocks of one alert."""
    title = f"Risk alert: {_TITLES.get(alert.rule, alert.rule)}"
    fields = [
        ("Team", alert.team),
        ("Value", format(alert.value, "f")),
        ("Limit", format(alert.limit, "f")),
        ("Alert", str(alert.id)),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": alert.message[:3000]}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields]},
    ]
    styles = {"Acknowledge": "primary", "Flatten position": "danger"}
    for number, (label, command) in enumerate(buttons(alert)):
        blocks.append(
            {
                "type": "actions",
                "block_id": f"risk_alert_{alert.id}_{number}",
                "elements": [_button(label, command, styles.get(label))],
            }
        )
    return f"{title}. {alert.message}", blocks


class SlackPoster:
    """Sends due ``pending`` alerts; meant to run as a background task (``run``) woken by ``kick``."""

    def __init__(self, db: Engine, clock: Clock, post: Post, *, poll_s: float = 5.0) -> None:
        self.db, self.clock, self.post, self.poll_s = db, clock, post, poll_s
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def kick(self, _alert: Alert | None = None) -> None:
        """Wake the poster (safe from any thread)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        while True:
            try:
                await self.post_due()
            except Exception:  # keep posting: the next pass retries
                log.exception("risk alert Slack pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_s)
            self._wake.clear()

    async def post_due(self) -> int:
        """Post every alert whose Slack delivery is due; return how many were posted."""
        now = self.clock.now_ms()
        query = (
            select(t.alerts)
            .where(t.alerts.c.slack_status == "pending", t.alerts.c.slack_next_ms <= now)
            .order_by(t.alerts.c.id)
            .limit(50)
        )
        with self.db.connect() as conn:
            due = [alert_from_row(r) for r in conn.execute(query)]
        posted = 0
        for alert in due:
            posted += await self._post_one(alert)
        return posted

    async def _post_one(self, alert: Alert) -> int:
        assert alert.slack_channel is not None
        if not self._claim(alert):
            return 0  # another process is posting it
        text, blocks = render(alert)
        try:
            ts = await self.post(alert.slack_channel, text, blocks)
        except OperatorError as error:
            log.warning("risk alert refused by Slack", alert_id=alert.id, error=error.message)
            self._update(alert, slack_status="failed", slack_error=error.message[:200])
            return 0
        except Exception as error:  # 429/5xx left after the client's own retries, timeouts, network
            self._retry_later(alert, f"{type(error).__name__}: {error}"[:200])
            return 0
        self._update(alert, slack_status="posted", slack_ts=ts, slack_error=None)
        return 1

    def _claim(self, alert: Alert) -> bool:
        """Lease the alert for ``LEASE_MS`` so one process posts it; a crashed poster's lease runs out."""
        now = self.clock.now_ms()
        with self.db.begin() as conn:
            won = conn.execute(
                update(t.alerts)
                .where(t.alerts.c.id == alert.id, t.alerts.c.slack_status == "pending", t.alerts.c.slack_next_ms <= now)
                .values(slack_next_ms=now + LEASE_MS)
            ).rowcount
        return won == 1

    def _retry_later(self, alert: Alert, reason: str) -> None:
        with self.db.connect() as conn:
            attempts = conn.execute(select(t.alerts.c.slack_attempts).where(t.alerts.c.id == alert.id)).scalar() or 0
        attempts += 1
        if attempts >= MAX_ATTEMPTS:
            self._update(alert, slack_status="failed", slack_attempts=attempts, slack_error=reason)
            return
        delay = min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS)
        log.info("risk alert Slack post will be retried", alert_id=alert.id, attempts=attempts, error=reason)
        self._update(alert, slack_attempts=attempts, slack_next_ms=self.clock.now_ms() + delay, slack_error=reason)

    def _update(self, alert: Alert, **values: object) -> None:
        with self.db.begin() as conn:
            conn.execute(
                update(t.alerts).where(t.alerts.c.id == alert.id, t.alerts.c.slack_status == "pending").values(**values)
            )
