from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from sentiment import storage
from sentiment.sources.base import Backoff, EngineCursors, Throttle, call_with_backoff


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after


def test_backoff_grows_exponentially_and_honours_retry_after_within_cap() -> None:
    backoff = Backoff(retries=5, base_delay_s=2.0, max_delay_s=30.0)
    assert [backoff.delay(attempt, None) for attempt in range(5)] == [2.0, 4.0, 8.0, 16.0, 30.0]
    assert backoff.delay(0, 12.0) == 12.0
    assert backoff.delay(0, 999.0) == 30.0


def test_call_with_backoff_retries_only_rate_limits() -> None:
    sleeps: list[float] = []
    outcomes: list[Exception | str] = [RateLimited(5.0), RateLimited(0.0), "ok"]

    def call() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def retry_after(error: Exception) -> float | None:
        return error.retry_after if isinstance(error, RateLimited) else None

    result = call_with_backoff(
        call, retry_after=retry_after, backoff=Backoff(base_delay_s=1.0), sleep=sleeps.append, what="t"
    )
    assert result == "ok" and sleeps == [5.0, 2.0]
    with pytest.raises(KeyError):
        call_with_backoff(
            lambda: {}["missing"], retry_after=retry_after, backoff=Backoff(), sleep=sleeps.append, what="t"
        )
    assert sleeps == [5.0, 2.0]


def test_throttle_spaces_requests() -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    throttle = Throttle(1.5, monotonic=lambda: now[0], sleep=sleep)
    throttle.wait()
    throttle.wait()
    now[0] += 5.0
    throttle.wait()
    assert sleeps == [1.5]


def test_engine_cursors_persist_across_instances(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    storage.create_tables(engine)
    EngineCursors(engine, lambda: 1).set("rss", "feed#etag", '"abc"')
    assert EngineCursors(engine, lambda: 2).get("rss", "feed#etag") == '"abc"'
