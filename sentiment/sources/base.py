"""What every source shares: polite spacing of requests, backoff on 429, saved cursors."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import Engine

from sentiment import storage

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Retry a rate-limited call `retries` times, waiting Retry-After or base * 2**attempt seconds."""

    retries: int = 3
    base_delay_s: float = 2.0
    max_delay_s: float = 120.0

    def delay(self, attempt: int, retry_after_s: float | None) -> float:
        """Seconds to wait before retry number `attempt` (0-based)."""
        exponential = self.base_delay_s * 2**attempt
        wanted = max(exponential, retry_after_s or 0.0)
        return min(self.max_delay_s, wanted)


def call_with_backoff(
    call: Callable[[], T],
    *,
    retry_after: Callable[[Exception], float | None],
    backoff: Backoff,
    sleep: Sleep,
    what: str,
) -> T:
    """Run `call`; when `retry_after(error)` is not None (a 429) wait and retry, else re-raise.

    `retry_after` returns the server's requested wait in seconds (0.0 when it gave none) for
    retryable errors and None for the others. The last rate-limit error is re-raised.
    """
    attempt = 0
    while True:
        try:
            return call()
        except Exception as error:
            wait = retry_after(error)
            if wait is None or attempt >= backoff.retries:
                raise
            delay = backoff.delay(attempt, wait)
            logger.info("%s rate limited; retry %d in %.1fs", what, attempt + 1, delay)
            sleep(delay)
            attempt += 1


class Throttle:
    """Keep at least `min_interval_s` between requests to one API (thread-safe)."""

    def __init__(
        self, min_interval_s: float, *, monotonic: Callable[[], float] = time.monotonic, sleep: Sleep = time.sleep
    ) -> None:
        self._interval = min_interval_s
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next request may go out."""
        with self._lock:
            now = self._monotonic()
            if now < self._next:
                self._sleep(self._next - now)
                now = self._next
            self._next = now + self._interval


class CursorStore(Protocol):
    """Where a source keeps its position (newest id seen, ETag, ...) between polls."""

    def get(self, source: str, key: str) -> str | None:
        """The saved value, or None."""
        ...

    def set(self, source: str, key: str, value: str) -> None:
        """Save a value."""
        ...


class MemoryCursors:
    """Cursors kept in memory (one process, tests)."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], str] = {}

    def get(self, source: str, key: str) -> str | None:
        """The saved value, or None."""
        return self._values.get((source, key))

    def set(self, source: str, key: str, value: str) -> None:
        """Save a value."""
        self._values[(source, key)] = value


class EngineCursors:
    """Cursors in the `sentiment_source_cursors` table, shared by all workers."""

    def __init__(self, engine: Engine, clock: Callable[[], int]) -> None:
        self._engine = engine
        self._clock = clock

    def get(self, source: str, key: str) -> str | None:
        """The saved value, or None."""
        return storage.get_cursor(self._engine, source, key)

    def set(self, source: str, key: str, value: str) -> None:
        """Save a value."""
        storage.set_cursor(self._engine, source, key, value, now_ms=self._clock())
