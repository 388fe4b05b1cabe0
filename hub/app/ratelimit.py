"""Per-key request limits: Redis-backed when ``TRADEHUB_REDIS_URL`` is set, in-process otherwise."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from engine.errors import RateLimited


class RateLimiter:
    def __init__(self, rate: str, *, redis_url: str | None = None, namespace: str = "tradehub") -> None:
        self.item = parse(rate)
        uri = redis_url or "memory://"
        self._limiter = MovingWindowRateLimiter(
            storage_from_string(uri, key_prefix=namespace) if redis_url else storage_from_string(uri)
        )
        self.backend = "redis" if redis_url else "memory"

    def hit(self, key: str) -> None:
        """Count one request for ``key``; raise ``RateLimited`` with the seconds to wait past the limit."""
        if self._limiter.hit(self.item, key):
            return
        reset_time, _remaining = self._limiter.get_window_stats(self.item, key)
        retry_after = max(1, math.ceil(reset_time - time.time()))
        raise RateLimited(f"rate limit of {self.item} exceeded; retry in {retry_after} s", retry_after=retry_after)
