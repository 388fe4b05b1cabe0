"""Builds the webhook services from settings (no clients at import time) and pumps the relay.

``Pump`` runs beside the app (``tradehub serve``) or alone (``tradehub webhooks relay``): every bus
event wakes it, and every ``poll_interval_s`` it relays anything the bus missed (a crash between
commit and publish) and re-queues due retries. Deliveries are sent by Celery tasks it enqueues.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Engine

from engine.clock import Clock
from engine.events import Event
from hub.events import EventBus, Subscription
from webhooks.channels import ChannelConfig
from webhooks.config import WebhookSettings
from webhooks.delivery import Deliverer, Sender
from webhooks.endpoints import EndpointStore
from webhooks.ledger import Ledger
from webhooks.relay import Relay
from webhooks.secrets import SecretBox

log = structlog.get_logger(__name__)


class BrokerUnavailable(Exception):
    """An ``Enqueue`` could not hand a batch to the task queue (broker down or unreachable)."""


#: ``enqueue(delivery_ids, countdown_s)`` hands a batch to the task queue.
Enqueue = Callable[[list[int], float], None]
SHORT_RETRY_S = 60.0


@dataclass(frozen=True, slots=True)
class WebhookService:
    settings: WebhookSettings
    store: EndpointStore
    relay: Relay
    ledger: Ledger
    deliverer: Deliverer


def build_service(
    db: Engine,
    clock: Clock,
    *,
    home: Path,
    master_key: str | None,
    settings: WebhookSettings | None = None,
    channels: ChannelConfig | None = None,
) -> WebhookService:
    settings = settings or WebhookSettings()
    box = SecretBox(master_key=master_key, home=home)
    ledger = Ledger(db, box, settings, clock)
    return WebhookService(
        settings,
        EndpointStore(db, box, settings, clock),
        Relay(db, clock, queue_window_s=settings.queue_window_s),
        ledger,
        Deliverer(ledger, Sender(settings, clock, channels=channels)),
    )


def from_app_settings(db: Engine, clock: Clock, settings: Any) -> WebhookService:
    """Build from the app's ``hub.app.settings.Settings`` (home, master key, chat platform tokens)."""

    def secret(value: Any) -> str | None:
        return value.get_secret_value() if value is not None else None

    channels = ChannelConfig(
        slack_api_url=settings.slack_api_url,
        slack_bot_token=secret(settings.slack_bot_token),
        telegram_api_url=settings.telegram_api_url,
        telegram_token=secret(settings.telegram_token),
    )
    return build_service(db, clock, home=settings.home, master_key=secret(settings.master_key), channels=channels)


def batches(groups: Sequence[tuple[str, Sequence[int]]], size: int) -> list[list[int]]:
    """Pack per-endpoint id lists into batches of at most ``size``, keeping an endpoint's ids together and in order."""
    packed: list[list[int]] = []
    current: list[int] = []
    for _, ids in groups:
        for start in range(0, len(ids), size):
            chunk = list(ids[start : start + size])
            if current and len(current) + len(chunk) > size:
                packed.append(current)
                current = []
            current.extend(chunk)
    if current:
        packed.append(current)
    return packed


def follow_up(service: WebhookService, retries: dict[int, float], later: dict[int, float], enqueue: Enqueue) -> None:
    """Queue short retries with a countdown now; long ones are left to the pump's sweep."""
    waits: dict[float, list[int]] = {}
    for delivery_id, delay in {**retries, **later}.items():
        if delay <= SHORT_RETRY_S:
            waits.setdefault(round(delay, 2), []).append(delivery_id)
    now = service.ledger.clock.now_ms()
    for delay, ids in waits.items():
        enqueue(sorted(ids), delay)
        service.ledger.mark_queued(ids, now + int((delay + SHORT_RETRY_S) * 1000))


class Pump:
    def __init__(self, service: WebhookService, enqueue: Enqueue) -> None:
        self.service, self.enqueue = service, enqueue
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._subscription: Subscription | None = None

    def pump_once(self) -> int:
        """Relay new outbox rows and queue due deliveries; return how many deliveries were queued.

        If the broker cannot be reached the pass stops and says so in the log. Nothing is lost:
        every relayed or re-queued delivery holds a lease in the ledger, and the next pass after
        the lease runs out queues it again.
        """
        queued = 0
        try:
            while True:
                relayed = self.service.relay.run_once()
                for batch in batches(relayed.deliveries, self.service.settings.batch_size):
                    self.enqueue(batch, 0.0)
                    queued += len(batch)
                if relayed.messages < 5000:
                    break
            due = self.service.ledger.due()
            if due:
                self.service.ledger.mark_queued(due, self.service.ledger.clock.now_ms() + int(SHORT_RETRY_S * 1000))
                for start in range(0, len(due), self.service.settings.batch_size):
                    batch = due[start : start + self.service.settings.batch_size]
                    self.enqueue(batch, 0.0)
                    queued += len(batch)
        except BrokerUnavailable as exc:
            log.warning("webhook broker unreachable; deliveries wait for their lease", error=str(exc))
        return queued

    def kick(self, _event: Event | None = None) -> None:
        self._wake.set()

    def start(self, bus: EventBus | None = None) -> None:
        if bus is not None:
            self._subscription = bus.subscribe("*", self.kick)
        self._thread = threading.Thread(target=self._run, name="webhook-pump", daemon=True)
        self._thread.start()

    def stop(self, bus: EventBus | None = None) -> None:
        if bus is not None and self._subscription is not None:
            bus.unsubscribe(self._subscription)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            woken = self._wake.wait(self.service.settings.poll_interval_s)
            if woken and self.service.settings.coalesce_s:  # let a burst of fills share one pass and one task
                self._stop.wait(self.service.settings.coalesce_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.pump_once()
            except Exception:  # keep pumping: the next pass retries what this one could not do
                log.exception("webhook pump pass failed")
