"""``InstanceStore``: the runner's seam over the ``strategy_instances`` table and the event outbox.

Every write happens in one transaction with the events it causes (written to the outbox), and the
events are published on the bus after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.engine import Engine

from engine.events import Event, EventPublisher
from engine.storage import repository as repo
from strategies.live import storage
from strategies.live.storage import Instance, Status


class InstanceStore:
    def __init__(self, db: Engine, publisher: EventPublisher) -> None:
        self.db = db
        self.publisher = publisher

    def running(self) -> list[Instance]:
        with self.db.connect() as conn:
            return storage.running(conn)

    def get(self, instance_id: str) -> Instance | None:
        with self.db.connect() as conn:
            return storage.get(conn, instance_id)

    def owned(self, user_id: int, instance_id: str) -> Instance:
        with self.db.connect() as conn:
            return storage.owned(conn, user_id, instance_id)

    def of_user(self, user_id: int) -> list[Instance]:
        with self.db.connect() as conn:
            return storage.of_user(conn, user_id)

    def create(self, instance: Instance, events: Sequence[Event]) -> None:
        with self.db.begin() as conn:
            storage.insert(conn, instance)
            repo.add_events(conn, list(events))
        self._publish(events)

    def save(
        self,
        instance: Instance,
        *,
        state: Mapping[str, str],
        last_bar_ms: int | None,
        fill_cursor: Mapping[str, list[str]],
        now_ms: int,
        status: Status | None = None,
        reason: str | None = None,
        events: Sequence[Event] = (),
    ) -> int:
        """Persist state, bar id and fill cursor in one transaction (``Conflict`` if the row moved on)."""
        with self.db.begin() as conn:
            version = storage.save(
                conn, instance, state=state, last_bar_ms=last_bar_ms, fill_cursor=fill_cursor,
                now_ms=now_ms, status=status, reason=reason,
            )  # fmt: skip
            repo.add_events(conn, list(events))
        self._publish(events)
        return version

    def _publish(self, events: Sequence[Event]) -> None:
        for event in events:
            self.publisher.publish(event)
