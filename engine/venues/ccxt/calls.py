"""One wrapper around every ccxt call: retry temporary failures with backoff, convert the rest.

Only ccxt ``NetworkError`` (connection errors, timeouts, HTTP 429 and 5xx, maintenance) is retried;
everything else is converted to ``engine.errors`` on the first failure. Order placement does not
use this wrapper: a timed-out placement is ambiguous and is resolved in ``adapter.py`` by looking
the order up by its client id before trying again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import ccxt

from engine.venues.ccxt.config import RetryPolicy
from engine.venues.ccxt.errors import RETRYABLE, convert, scrub

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


RETRY_AFTER_CAP_S = 60.0


def _no_hint() -> float | None:
    return None


@dataclass(frozen=True, slots=True)
class CallContext:
    """What every call needs to retry, log and convert errors for one venue.

    ``retry_after`` returns the exchange's last ``Retry-After`` hint in seconds, if any; after a
    429 the backoff waits at least that long (capped at a minute).
    """

    venue: str
    policy: RetryPolicy
    sleep: Sleep
    secrets: tuple[str, ...]
    retry_after: Callable[[], float | None] = _no_hint

    async def backoff(self, action: str, attempt: int, error: BaseException) -> None:
        delay = self.policy.delay(attempt)
        if isinstance(error, ccxt.DDoSProtection | ccxt.RateLimitExceeded):
            hint = self.retry_after()
            if hint is not None:
                delay = max(delay, min(hint, RETRY_AFTER_CAP_S))
        log.warning(
            "%s: %s attempt %d/%d failed (%s: %s); retrying in %.2fs",
            self.venue,
            action,
            attempt,
            self.policy.attempts,
            type(error).__name__,
            scrub(str(error), self.secrets),
            delay,
        )
        await self.sleep(delay)

    def fail(self, action: str, error: BaseException) -> Exception:
        converted = convert(error, venue=self.venue, action=action, secrets=self.secrets)
        log.info("%s: %s failed: %s", self.venue, action, converted.message)
        return converted


async def call_with_retry(context: CallContext, action: str, operation: Callable[[], Awaitable[T]]) -> T:
    """Run ``operation``, retrying ``NetworkError`` up to the policy's attempts."""
    for attempt in range(1, context.policy.attempts + 1):
        try:
            return await operation()
        except RETRYABLE as error:
            if attempt == context.policy.attempts:
                raise context.fail(action, error) from None
            await context.backoff(action, attempt, error)
        except ccxt.BaseError as error:
            raise context.fail(action, error) from None
    raise AssertionError("unreachable: the last attempt returns or raises")
