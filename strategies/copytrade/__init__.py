"""Copy trading: leaders, followers, the fan-out of every leader fill through the OMS, the leaders board
and leader-fill posts to Discord. ``service_for(container)`` builds (once per container) the service
and subscribes it to the bus."""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from strategies.copytrade.config import CopyTradeSettings
from strategies.copytrade.service import FILL_EVENTS, CopyTradeService, UserNames

if TYPE_CHECKING:
    from hub.app.container import Container
    from hub.events import EventBus

__all__ = ["CopyTradeService", "CopyTradeSettings", "service_for"]

_SERVICES: WeakKeyDictionary[EventBus, CopyTradeService] = WeakKeyDictionary()


def service_for(container: Container, settings: CopyTradeSettings | None = None) -> CopyTradeService:
    """The container's copy-trading service, subscribed to its bus's fill events (built on first use)."""
    found = _SERVICES.get(container.bus)
    if found is not None:
        return found
    from strategies.copytrade.announce import DiscordPoster

    settings = settings or CopyTradeSettings()
    app = container.settings
    services = container.services
    master_key = None if app.master_key is None else app.master_key.get_secret_value()
    poster = DiscordPoster(api_url=app.discord_api_url, home=app.home, timeout_s=settings.discord_timeout_s,
                           master_key=master_key)  # fmt: skip
    names = UserNames(name_of=lambda user_id: services.users.by_id(user_id).name,
                      id_of=lambda name: services.users.get(name).user_id)  # fmt: skip
    service = CopyTradeService(container.db, services.oms, services.portfolio, container.clock, container.bus, names,
                               poster, settings)  # fmt: skip
    for pattern in FILL_EVENTS:
        container.bus.subscribe(pattern, service.on_event)
    _SERVICES[container.bus] = service
    return service
