"""Test helpers: a team ``desk`` (alice trader, carol viewer) and a team ``other`` (bob), and its monitor."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from engine.events import Event
from engine.riskmonitor.monitor import RiskMonitor
from engine.riskmonitor.plugin import build_monitor
from hub.app.container import Container
from hub.app.settings import Settings
from hub.principals import Principal, Role
from hub.reply import Reply
from tests.conftest import make_settings

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def desk_settings(home: Path, **overrides: object) -> Settings:
    """Settings whose trades need no confirmation (the tests trade several thousand USDT)."""
    return make_settings(home, confirm_above_usd=Decimal("1000000"), **overrides)


@dataclass
class Desk:
    container: Container
    monitor: RiskMonitor
    alice: Principal
    carol: Principal
    bob: Principal
    events: list[Event]

    async def run(self, who: Principal, text: str) -> Reply:
        reply = await self.container.hub.handle(who, text, frontend="test")
        assert reply.ok, reply.text
        return reply

    def set_rules(self, team: str = "desk", **options: str) -> None:
        self.monitor.rules.set(team, options)


def make_desk(container: Container, monitor: RiskMonitor | None = None) -> Desk:
    events: list[Event] = []
    container.bus.subscribe("risk.alert", events.append)
    alice = container.add_user("alice", role=Role.TRADER, team="desk")
    carol = container.add_user("carol", role=Role.VIEWER, team="desk")
    bob = container.add_user("bob", role=Role.TRADER, team="other")
    return Desk(container, monitor or build_monitor(container), alice, carol, bob, events)
