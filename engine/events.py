"""Events the engine emits. The engine is given a publisher; it never imports the hub's bus."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

EVENT_TYPES = (
    "order.placed",
    "order.filled",
    "order.partially_filled",
    "order.canceled",
    "order.rejected",
    "risk.alert",
    "strategy.started",
    "strategy.stopped",
    "copytrade.mirrored",
    "copytrade.skipped",
    "sentiment.shift",
    "tradingview.alert",
    "webhook.disabled",
)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened. ``data`` is JSON-safe (decimals as strings)."""

    id: str
    type: str
    ts_ms: int
    data: dict[str, Any] = field(default_factory=dict)
    user_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "ts_ms": self.ts_ms, "user_id": self.user_id, "data": self.data}


class EventPublisher(Protocol):
    def publish(self, event: Event) -> None:
        """Deliver ``event`` to subscribers; must not raise because a subscriber failed."""
        ...
