"""Index maths: a time-decayed, engagement- and trust-weighted mean of post scores, z-scores of
its changes, shift detection and a market regime label from prices combined with sentiment.

Pure functions over plain values, so they are easy to test and reuse.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from sentiment.models import Regime, ScoredPost, SentimentShift

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

DEFAULT_TRUST: Mapping[str, float] = {"rss": 1.2, "reddit": 1.0, "twitter": 0.9, "chat": 0.8}


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """How the index weighs posts and when a move counts as a shift."""

    half_life_ms: int = 6 * HOUR_MS
    window_ms: int = DAY_MS
    step_ms: int = HOUR_MS
    trust: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TRUST))
    default_trust: float = 1.0
    shift_z: float = 2.5
    shift_min_delta: float = 0.15
    shift_min_posts: int = 5
    history_points: int = 48


def post_weight(item: ScoredPost, now_ms: int, config: IndexConfig) -> float:
    """Decay by age (half-life), grow with log engagement, scale by the source's trust."""
    age = max(0, now_ms - item.post.created_ms)
    decay = 0.5 ** (age / config.half_life_ms)
    engagement = 1.0 + math.log1p(max(0, item.post.engagement))
    trust = config.trust.get(item.post.source, config.default_trust)
    return decay * engagement * trust


def index_value(items: Sequence[ScoredPost], now_ms: int, config: IndexConfig) -> float:
    """Weighted mean score in [-1, 1] of posts created in (now - window, now]; 0.0 when none."""
    start = now_ms - config.window_ms
    total = weighted = 0.0
    for item in items:
        if start < item.post.created_ms <= now_ms:
            weight = post_weight(item, now_ms, config)
            total += weight
            weighted += weight * item.score.score
    return weighted / total if total else 0.0


def post_volume(items: Sequence[ScoredPost], now_ms: int, window_ms: int) -> int:
    """Number of posts created in (now - window, now]."""
    return sum(1 for item in items if now_ms - window_ms < item.post.created_ms <= now_ms)


def series_times(now_ms: int, step_ms: int, points: int) -> list[int]:
    """`points` instants `step_ms` apart ending at `now_ms`, oldest first."""
    return [now_ms - k * step_ms for k in range(points - 1, -1, -1)]


def index_series(items: Sequence[ScoredPost], now_ms: int, config: IndexConfig, points: int) -> list[float]:
    """Index values at `points` steps ending at `now_ms`, oldest first (same maths as `index_value`).

    Vectorised over posts, so a snapshot over tens of thousands of posts stays fast.
    """
    times = series_times(now_ms, config.step_ms, points)
    if not items:
        return [0.0] * points
    created = np.fromiter((item.post.created_ms for item in items), dtype=np.float64, count=len(items))
    scores = np.fromiter((item.score.score for item in items), dtype=np.float64, count=len(items))
    base = np.fromiter(
        (
            (1.0 + math.log1p(max(0, item.post.engagement))) * config.trust.get(item.post.source, config.default_trust)
            for item in items
        ),
        dtype=np.float64,
        count=len(items),
    )
    values = []
    for moment in times:
        age = moment - created
        inside = (age >= 0) & (age < config.window_ms)
        weights = np.where(inside, base * np.power(0.5, np.maximum(age, 0) / config.half_life_ms), 0.0)
        total = float(weights.sum())
        values.append(float((weights * scores).sum()) / total if total else 0.0)
    return values


def volume_series(items: Sequence[ScoredPost], now_ms: int, step_ms: int, points: int) -> list[int]:
    """Posts created in each step (t - step, t] for the same instants as `index_series`."""
    created = sorted(item.post.created_ms for item in items)
    return [
        bisect.bisect_right(created, moment) - bisect.bisect_right(created, moment - step_ms)
        for moment in series_times(now_ms, step_ms, points)
    ]


def change_z_score(series: Sequence[float]) -> float:
    """How unusual the latest step change is against the earlier step changes (0.0 when undefined).

    A floor on the spread keeps a flat history from turning any tiny move into a huge z.
    """
    if len(series) < 4:
        return 0.0
    changes = [later - earlier for earlier, later in pairwise(series)]
    latest, previous = changes[-1], changes[:-1]
    mean = sum(previous) / len(previous)
    variance = sum((change - mean) ** 2 for change in previous) / len(previous)
    spread = max(math.sqrt(variance), 0.02)
    return (latest - mean) / spread


def detect_shift(symbol: str, series: Sequence[float], config: IndexConfig) -> SentimentShift | None:
    """A shift when the latest change is both unusual (|z| >= shift_z) and material in size."""
    if len(series) < 2:
        return None
    z = change_z_score(series)
    old, new = series[-2], series[-1]
    if abs(z) >= config.shift_z and abs(new - old) >= config.shift_min_delta:
        return SentimentShift(symbol=symbol, old=round(old, 4), new=round(new, 4), z=round(z, 3))
    return None


@dataclass(frozen=True, slots=True)
class RegimeConfig:
    """Thresholds of the regime label (trend in t-statistic units of log returns)."""

    trend_threshold: float = 1.0
    sentiment_weight: float = 1.0
    max_daily_volatility: float = 0.08


def market_regime(closes: Sequence[float], sentiment: float, config: RegimeConfig | None = None) -> Regime:
    """Bull, bear or sideways from the trend of `closes` (oldest first) and the sentiment index.

    The trend is the t-statistic of the mean log return; sentiment in [-1, 1] adds to it with
    `sentiment_weight`. Very high volatility without a trend is sideways (chop), not a regime.
    """
    settings = config or RegimeConfig()
    prices = [price for price in closes if price > 0 and math.isfinite(price)]
    if len(prices) < 3:
        return Regime.SIDEWAYS
    returns = [math.log(later / earlier) for earlier, later in pairwise(prices)]
    mean = sum(returns) / len(returns)
    deviation = math.sqrt(sum((value - mean) ** 2 for value in returns) / len(returns))
    if deviation == 0.0:
        trend = 0.0 if mean == 0.0 else math.copysign(10.0, mean)
    else:
        trend = mean / deviation * math.sqrt(len(returns))
    combined = trend + settings.sentiment_weight * max(-1.0, min(1.0, sentiment))
    if deviation > settings.max_daily_volatility and abs(trend) < settings.trend_threshold:
        return Regime.SIDEWAYS
    if combined >= settings.trend_threshold:
        return Regime.BULL
    if combined <= -settings.trend_threshold:
        return Regime.BEAR
    return Regime.SIDEWAYS
