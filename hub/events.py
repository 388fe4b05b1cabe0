"""The in-process event bus. Subscribers register a pattern (``order.*``, ``*``, an exact type); one
failing subscriber is logged and never stops the others."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from engine.events import Event

log = structlog.get_logger(__name__)

Subscriber = Callable[[Event], None]


@dataclass(frozen=True, slots=True)
class Subscription:
    pattern: str
    callback: Subscriber


class EventBus:
    """Implements ``engine.events.EventPublisher``."""

    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []

    def subscribe(self, pattern: str, callback: Subscriber) -> Subscription:
        subscription = Subscription(pattern, callback)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    def publish(self, event: Event) -> None:
        for subscription in tuple(self._subscriptions):
            if subscription.pattern != "*" and not fnmatch.fnmatchcase(event.type, subscription.pattern):
                continue
            try:
                subscription.callback(event)
            except Exception:  # isolate subscribers: log and carry on with the next one
                log.exception("event subscriber failed", event_type=event.type, pattern=subscription.pattern)
