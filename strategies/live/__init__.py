"""Live strategy instances: stored state, the runner that feeds them replayed bars and routes their
intents through the OMS, the service behind the chat commands, and the Celery beat job.

``build(container)`` wires them from the composition root's container.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategies.live.config import StrategySettings
from strategies.live.runner import LiveRunner, StepReport
from strategies.live.service import InstanceView, StrategyService
from strategies.live.store import InstanceStore

if TYPE_CHECKING:
    from hub.app.container import Container

__all__ = ["InstanceStore", "InstanceView", "LiveRunner", "StepReport", "StrategyService", "StrategySettings", "build"]


def build(container: Container, settings: StrategySettings | None = None) -> StrategyService:
    """The strategy service (and its runner) over ``container``'s database, OMS, feed and bus."""
    settings = settings or StrategySettings()
    services = container.services
    store = InstanceStore(container.db, container.bus)
    runner = LiveRunner(container.db, services.oms, container.feed, container.clock, store,
                        catch_up_bars=settings.catch_up_bars)  # fmt: skip
    return StrategyService(container.db, services.oms, container.feed, container.clock, store, runner)
