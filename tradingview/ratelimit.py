"""Per-hook rate limits. In one process an exact moving window over a deque of times is both
cheaper and stricter than the generic limiter; with Redis (several replicas) the shared
``hub.app.ratelimit.RateLimiter`` is used so the limit holds across processes."""

from __future__ import annotations

import math
import time
from collections import deque

from engine.errors import RateLimited
from hub.app.ratelimit import RateLimiter

_SECONDS = {"second": 1, "minute": 60, "hour": 3600}


def parse_rate(rate: str) -> tuple[int, float]:
    """``"60/minute"`` -> ``(60, 60.0)``."""
    count, _, unit = rate.partition("/")
    return int(count), float(_SECONDS[unit])


class MovingWindow:
    """At most ``limit`` hits per key in any ``window_s`` seconds."""

    def __init__(self, rate: str) -> None:
        self.rate = rate
        self.limit, self.window_s = parse_rate(rate)
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> None:
        now = time.monotonic()
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
        horizon = now - self.window_s
        while hits and hits[0] <= horizon:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            return
        retry_after = max(1, math.ceil(hits[0] - horizon))
        raise RateLimited(
            f"rate limit of {self.rate} per hook exceeded; retry in {retry_after} s", retry_after=retry_after
        )


class HookLimiters:
    """One limiter per distinct rate; Redis-backed when ``redis_url`` is set."""

    def __init__(self, redis_url: str | None) -> None:
        self.redis_url = redis_url
        self._limiters: dict[str, MovingWindow | RateLimiter] = {}

    def hit(self, rate: str, hook_id: str) -> None:
        limiter = self._limiters.get(rate)
        if limiter is None:
            limiter = self._limiters[rate] = (
                RateLimiter(rate, redis_url=self.redis_url, namespace="tradehub-tradingview")
                if self.redis_url
                else MovingWindow(rate)
            )
        limiter.hit(hook_id)
