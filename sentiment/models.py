"""Domain types of the sentiment pipeline: posts, scores, snapshots and shift events.

Floats are deliberate here: sentiment is analytics, never money.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Label(StrEnum):
    """Polarity label of one post."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


class Regime(StrEnum):
    """Market regime from price trend and volatility, nudged by sentiment."""

    BULL = "bull"
    BEAR = "bear"
    SIDEWAYS = "sideways"


@dataclass(frozen=True, slots=True)
class Score:
    """Result of scoring one text: label, compound score in [-1, 1] and the cues that fired."""

    label: Label
    score: float
    cues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Post:
    """A raw post from one source, before scoring.

    `engagement` is likes + reposts + replies (or upvotes + comments) as the source reports it.
    `symbols` are the assets the post talks about (see `sentiment.symbols.extract_symbols`).
    """

    source: str
    external_id: str
    text: str
    created_ms: int
    author: str = ""
    url: str = ""
    engagement: int = 0
    symbols: tuple[str, ...] = ()
    channel: str = ""


@dataclass(frozen=True, slots=True)
class ScoredPost:
    """A stored post together with its score."""

    post: Post
    score: Score


@dataclass(frozen=True, slots=True)
class SentimentShift:
    """The index of `symbol` moved from `old` to `new`, a change of `z` standard deviations."""

    symbol: str
    old: float
    new: float
    z: float


@dataclass(frozen=True, slots=True)
class SentimentSnapshot:
    """What `sentiment SYMBOL` shows: index now, its 24 h change, volume, z-score and top posts."""

    symbol: str
    index: float
    change_24h: float
    post_volume_24h: int
    z_score: float
    as_of_ms: int
    top_posts: tuple[ScoredPost, ...] = field(default_factory=tuple)
    regime: Regime | None = None
