"""Wiring into the composition root (hub/app/extensions.py): tables, CLI, handlers and the background loop.

Glue only: it reads the container's services and imports the hub, bots and CLI lazily, inside the
functions the composition root calls, so ``engine.riskmonitor`` itself never imports them.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from engine.riskmonitor.alerts import Alert
    from engine.riskmonitor.monitor import RiskMonitor
    from engine.riskmonitor.runner import MonitorLoop
    from hub.app.container import Container
    from hub.dispatch import Handler
    from hub.users import UserDirectory

_EXTRA = "riskmonitor"


class UserTeams:
    """``Directory`` over the hub's users (team membership and names)."""

    def __init__(self, users: UserDirectory) -> None:
        self.users = users

    def members(self, team: str) -> list[int]:
        return [int(p.user_id) for p in self.users.list() if p.team == team]

    def team_of(self, user_id: int) -> str | None:
        return self.users.by_id(user_id).team

    def name_of(self, user_id: int) -> str:
        return self.users.by_id(user_id).name


def metadata() -> MetaData:
    from engine.riskmonitor.storage import metadata as tables

    return tables


def monitor_for(container: Container) -> RiskMonitor:
    """The container's one monitor (built on first use)."""
    return _parts(container)[0]


def loop_for(container: Container) -> MonitorLoop:
    """The container's monitor loop (its ``poster`` posts alerts to Slack)."""
    return _parts(container)[1]


def build_monitor(container: Container, *, on_alert: Callable[[Alert], None] | None = None) -> RiskMonitor:
    """A monitor on the container's database, portfolio, candles and bus (``monitor_for`` caches one)."""
    from engine.riskmonitor.monitor import RiskMonitor

    services = container.services
    return RiskMonitor(
        container.db,
        container.clock,
        services.portfolio,
        container.feed.history,
        container.bus,
        UserTeams(services.users),
        on_alert=on_alert,
    )


def _parts(container: Container) -> tuple[RiskMonitor, MonitorLoop]:
    extras: dict[str, Any] = container.extras
    if _EXTRA not in extras:
        from engine.riskmonitor.runner import MonitorLoop
        from engine.riskmonitor.slack import SlackPoster

        poster = SlackPoster(container.db, container.clock, functools.partial(_post_blocks, container.settings))
        monitor = build_monitor(container, on_alert=poster.kick)
        extras[_EXTRA] = (monitor, MonitorLoop(monitor, poster, tick_s=container.settings.tick_interval_s))
    return extras[_EXTRA]


async def _post_blocks(settings: Any, channel: str, text: str, blocks: list[dict[str, Any]]) -> str:
    from bots.slack.post import post_blocks

    return await post_blocks(settings, channel, text, blocks)


@contextlib.asynccontextmanager
async def background(container: Container) -> AsyncIterator[None]:
    """Evaluate on fills and every ``TRADEHUB_TICK_INTERVAL_S``; post alerts to Slack; for ``serve``'s lifetime."""
    async with loop_for(container).running(container.bus):
        yield


def cli() -> tuple[str, Any]:
    from engine.riskmonitor.cli import app

    return "risk", app


def handlers(container: Container) -> dict[str, Handler]:
    from hub.handlers import control

    return {"risk": functools.partial(control.risk_with_monitor, monitor_for(container))}
