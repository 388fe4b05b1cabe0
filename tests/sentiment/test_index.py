from __future__ import annotations

import math

import pytest

from sentiment.index import (
    HOUR_MS,
    IndexConfig,
    change_z_score,
    detect_shift,
    index_series,
    index_value,
    market_regime,
    post_weight,
    volume_series,
)
from sentiment.models import Label, Post, Regime, Score, ScoredPost

NOW = 1_700_000_000_000


def item(score: float, *, age_h: float = 0.0, engagement: int = 0, source: str = "reddit") -> ScoredPost:
    post = Post(source, f"{score}-{age_h}-{engagement}", "t", NOW - int(age_h * HOUR_MS), engagement=engagement)
    return ScoredPost(post, Score(Label.NEUTRAL, score))


def test_weight_halves_every_half_life() -> None:
    config = IndexConfig(half_life_ms=6 * HOUR_MS)
    assert post_weight(item(0.5, age_h=6), NOW, config) == pytest.approx(post_weight(item(0.5), NOW, config) / 2)


def test_engagement_and_trust_raise_weight() -> None:
    config = IndexConfig(trust={"rss": 2.0, "reddit": 1.0})
    assert post_weight(item(0.1, engagement=1000), NOW, config) > post_weight(item(0.1), NOW, config)
    assert post_weight(item(0.1, source="rss"), NOW, config) == pytest.approx(2 * post_weight(item(0.1), NOW, config))


def test_index_is_weighted_mean_of_recent_posts() -> None:
    config = IndexConfig(half_life_ms=6 * HOUR_MS)
    posts = [item(1.0), item(-1.0, age_h=6)]
    # weights 1 and 0.5 -> (1 - 0.5) / 1.5
    assert index_value(posts, NOW, config) == pytest.approx(1 / 3)


def test_posts_outside_window_or_in_future_are_ignored() -> None:
    config = IndexConfig(window_ms=24 * HOUR_MS)
    posts = [item(0.8, age_h=30), item(-0.4, age_h=-1)]
    assert index_value(posts, NOW, config) == 0.0


def test_z_score_flags_an_unusual_jump_only() -> None:
    calm = [0.1, 0.11, 0.09, 0.1, 0.12, 0.1, 0.11]
    assert abs(change_z_score(calm)) < 2
    jump = [*calm, 0.7]
    assert change_z_score(jump) > 5


def test_flat_history_does_not_make_tiny_moves_huge() -> None:
    assert abs(change_z_score([0.2] * 10 + [0.21])) < 1


def test_shift_needs_both_unusual_and_material_move() -> None:
    config = IndexConfig(shift_z=2.5, shift_min_delta=0.15)
    shift = detect_shift("BTC", [0.1, 0.11, 0.09, 0.1, 0.12, 0.1, -0.5], config)
    assert shift is not None and shift.symbol == "BTC" and shift.new == -0.5 and shift.z < -2.5
    assert detect_shift("BTC", [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2], config) is None


def test_regime_from_trend_and_sentiment() -> None:
    rising = [100 * math.exp(0.01 * k) * (1 + 0.002 * (-1) ** k) for k in range(30)]
    falling = list(reversed(rising))
    chop = [100 + (3 if k % 2 else -3) for k in range(30)]
    assert market_regime(rising, 0.0) == Regime.BULL
    assert market_regime(falling, 0.0) == Regime.BEAR
    assert market_regime(chop, 0.0) == Regime.SIDEWAYS


def test_sentiment_tips_a_weak_trend_but_cannot_reverse_it() -> None:
    weak_up = [100 + 0.05 * k + (0.4 if k % 2 else -0.4) for k in range(20)]
    assert market_regime(weak_up, 0.0) == Regime.SIDEWAYS
    assert market_regime(weak_up, 0.9) == Regime.BULL
    assert market_regime(weak_up, -0.9) == Regime.SIDEWAYS


def test_too_few_prices_is_sideways() -> None:
    assert market_regime([100.0, 101.0], 1.0) == Regime.SIDEWAYS


def test_vectorised_series_matches_scalar_index() -> None:
    config = IndexConfig(half_life_ms=5 * HOUR_MS, trust={"rss": 1.5})
    posts = [
        item(((k * 37) % 21 - 10) / 10, age_h=k * 0.7, engagement=k * 13, source="rss" if k % 3 else "reddit")
        for k in range(60)
    ]
    series = index_series(posts, NOW, config, 30)
    expected = [index_value(posts, NOW - k * config.step_ms, config) for k in range(29, -1, -1)]
    assert series == pytest.approx(expected, abs=1e-9)


def test_volume_series_counts_posts_per_step() -> None:
    posts = [item(0.1, age_h=0.5), item(0.1, age_h=0.2), item(0.1, age_h=1.5), item(0.1, age_h=5)]
    assert volume_series(posts, NOW, HOUR_MS, 3) == [0, 1, 2]
