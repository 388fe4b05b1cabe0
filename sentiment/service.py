"""The sentiment service: ingest posts, serve snapshots, charts and strategy gates, detect shifts.

Built from a scorer, an SQLAlchemy engine and a clock (a callable returning UTC milliseconds),
so the hub, the REST API, Celery jobs and tests all use the same object with their own parts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from sqlalchemy import Engine

from sentiment import storage
from sentiment.chart import render_index_chart
from sentiment.errors import SourceError
from sentiment.index import (
    DAY_MS,
    IndexConfig,
    change_z_score,
    detect_shift,
    index_series,
    index_value,
    market_regime,
    post_volume,
    post_weight,
    series_times,
    volume_series,
)
from sentiment.models import Post, ScoredPost, SentimentShift, SentimentSnapshot
from sentiment.scorers.base import Scorer
from sentiment.symbols import SymbolExtractor, normalise_symbol

logger = logging.getLogger(__name__)

Clock = Callable[[], int]
_SHIFT_CURSOR = "shift"


class Source(Protocol):
    """Anything that can be polled for new posts."""

    name: str

    def fetch(self) -> list[Post]:
        """New posts since the last call (may raise `SourceError`)."""
        ...


class SentimentService:
    """Per-asset sentiment from stored, scored posts."""

    def __init__(
        self,
        scorer: Scorer,
        engine: Engine,
        clock: Clock,
        *,
        config: IndexConfig | None = None,
        extractor: SymbolExtractor | None = None,
    ) -> None:
        self.scorer = scorer
        self.engine = engine
        self.clock = clock
        self.config = config or IndexConfig()
        self.extractor = extractor or SymbolExtractor()

    def ingest(self, posts: Iterable[Post]) -> storage.StoreResult:
        """Extract symbols where missing, score and store posts; known (source, id) pairs are skipped."""
        received = list(posts)
        fresh = self._unseen(received)
        if not fresh:
            return storage.StoreResult(0, len(received))
        fresh = [post if post.symbols else replace(post, symbols=self.extractor.extract(post.text)) for post in fresh]
        scores = self.scorer.score_batch([post.text for post in fresh])
        scored = [ScoredPost(post, score) for post, score in zip(fresh, scores, strict=True)]
        stored = storage.store_scored_posts(self.engine, scored, scorer=self.scorer.name, ingested_ms=self.clock())
        return storage.StoreResult(stored.inserted, len(received) - stored.inserted)

    def _unseen(self, posts: list[Post]) -> list[Post]:
        by_source: dict[str, list[Post]] = {}
        for post in posts:
            by_source.setdefault(post.source, []).append(post)
        fresh: list[Post] = []
        for source, items in by_source.items():
            known = storage.known_external_ids(self.engine, source, [post.external_id for post in items])
            seen_now: set[str] = set()
            for post in items:
                if post.external_id not in known and post.external_id not in seen_now:
                    seen_now.add(post.external_id)
                    fresh.append(post)
        return fresh

    def _recent(self, symbol: str, now_ms: int, span_ms: int) -> list[ScoredPost]:
        since = now_ms - span_ms - self.config.window_ms
        return storage.posts_for_symbol(self.engine, symbol, since_ms=since, until_ms=now_ms)

    def index(self, symbol: str) -> float:
        """The current index of `symbol` in [-1, 1] (0.0 when there are no posts)."""
        now = self.clock()
        symbol = normalise_symbol(symbol)
        return index_value(self._recent(symbol, now, 0), now, self.config)

    def snapshot(self, symbol: str, *, closes: Sequence[float] | None = None, top: int = 3) -> SentimentSnapshot:
        """Index, 24 h change, post volume, z-score of the latest change, top posts and regime."""
        now = self.clock()
        symbol = normalise_symbol(symbol)
        history_ms = self.config.history_points * self.config.step_ms
        items = self._recent(symbol, now, max(history_ms, DAY_MS))
        current = index_value(items, now, self.config)
        series = index_series(items, now, self.config, self.config.history_points)
        day = [item for item in items if now - DAY_MS < item.post.created_ms <= now]
        ranked = sorted(day, key=lambda item: post_weight(item, now, self.config) * abs(item.score.score), reverse=True)
        return SentimentSnapshot(
            symbol=symbol,
            index=round(current, 4),
            change_24h=round(current - index_value(items, now - DAY_MS, self.config), 4),
            post_volume_24h=post_volume(items, now, DAY_MS),
            z_score=round(change_z_score(series), 3),
            as_of_ms=now,
            top_posts=tuple(ranked[:top]),
            regime=market_regime(closes, current) if closes else None,
        )

    def chart_png(self, symbol: str, *, hours: int = 72) -> bytes:
        """PNG of the hourly index and post volume over the last `hours`."""
        now = self.clock()
        symbol = normalise_symbol(symbol)
        step = self.config.step_ms
        items = self._recent(symbol, now, hours * step)
        times = series_times(now, step, hours)
        values = index_series(items, now, self.config, hours)
        volumes = volume_series(items, now, step, hours)
        return render_index_chart(symbol, times, values, volumes)

    def gate(self, symbol: str, threshold: float, *, allow_without_data: bool = True) -> bool:
        """True when a strategy may act: the index is at or above `threshold`.

        With no posts in the window the answer is `allow_without_data` (silence is not fear).
        """
        now = self.clock()
        items = self._recent(normalise_symbol(symbol), now, 0)
        if post_volume(items, now, self.config.window_ms) == 0:
            return allow_without_data
        return index_value(items, now, self.config) >= threshold

    def buy_scale(self, symbol: str, *, low: float = -0.5, high: float = 0.0) -> float:
        """A multiplier in [0, 1] for a buy: 0 at or below `low`, 1 at or above `high`, linear between."""
        if high <= low:
            raise ValueError("high must be greater than low")
        value = self.index(symbol)
        return max(0.0, min(1.0, (value - low) / (high - low)))

    def detect_shifts(self, symbols: Sequence[str] | None = None) -> list[SentimentShift]:
        """Record the current index of each symbol and return the shifts (at most one per step)."""
        now = self.clock()
        step = self.config.step_ms
        bucket = now - now % step
        names = symbols or storage.tracked_symbols(self.engine, since_ms=now - self.config.window_ms)
        shifts: list[SentimentShift] = []
        for name in names:
            symbol = normalise_symbol(name)
            items = self._recent(symbol, now, self.config.history_points * step)
            series = index_series(items, now, self.config, self.config.history_points)
            storage.record_index_point(self.engine, symbol, bucket, series[-1], post_volume(items, now, step))
            # A symbol that just appeared has no baseline: its first posts are not a shift.
            if post_volume(items, now - step, self.config.window_ms) < self.config.shift_min_posts:
                continue
            shift = detect_shift(symbol, series, self.config)
            if shift is None or storage.get_cursor(self.engine, _SHIFT_CURSOR, symbol) == str(bucket):
                continue
            storage.set_cursor(self.engine, _SHIFT_CURSOR, symbol, str(bucket), now_ms=now)
            shifts.append(shift)
        return shifts


def prune_history(service: SentimentService, *, keep_days: int = 30) -> int:
    """Drop posts and index points older than `keep_days` (a daily beat job); return posts deleted."""
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    return storage.prune(service.engine, older_than_ms=service.clock() - keep_days * DAY_MS)


def make_gate(service: SentimentService, threshold: float) -> Callable[[str], bool]:
    """A `symbol -> bool` callable for strategies (for example DCA skips a buy when it is False)."""
    return lambda symbol: service.gate(symbol, threshold)


@dataclass(frozen=True, slots=True)
class PollReport:
    """Outcome of one polling round: per-source counts and errors, and the shifts detected."""

    inserted: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    shifts: tuple[SentimentShift, ...] = ()


def poll_sources(service: SentimentService, sources: Iterable[Source]) -> PollReport:
    """Fetch every source, ingest what it returns and detect shifts: one Celery beat job.

    A failing source is logged and reported; it never stops the other sources.
    """
    inserted: dict[str, int] = {}
    duplicates: dict[str, int] = {}
    errors: dict[str, str] = {}
    for source in sources:
        try:
            result = service.ingest(source.fetch())
        except SourceError as error:
            logger.warning("sentiment source %s failed: %s", source.name, error)
            errors[source.name] = f"{type(error).__name__}: {error}"
            continue
        inserted[source.name] = inserted.get(source.name, 0) + result.inserted
        duplicates[source.name] = duplicates.get(source.name, 0) + result.duplicates
    return PollReport(inserted, duplicates, errors, tuple(service.detect_shifts()))
