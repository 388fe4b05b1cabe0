from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine

from sentiment import storage
from sentiment.models import Label, Post, Regime, Score, ScoredPost, SentimentSnapshot
from sentiment.report import snapshot_payload, snapshot_text
from sentiment.settings import SentimentSettings, build_service, build_sources
from sentiment.sources.reddit import RedditSource
from sentiment.sources.rss import RSSSource
from sentiment.sources.twitter import TwitterSource

NOW = 1_709_294_400_000


def snapshot(**overrides: object) -> SentimentSnapshot:
    post = Post("reddit", "a1", "SOL shorts liquidated " + "x" * 300, NOW, url="https://r/a1", engagement=5)
    values: dict[str, object] = {
        "symbol": "SOL", "index": 0.42, "change_24h": 0.3, "post_volume_24h": 12, "z_score": 2.7,
        "as_of_ms": NOW, "top_posts": (ScoredPost(post, Score(Label.POSITIVE, 0.8, ("rule_shorts_liquidated",))),),
        "regime": Regime.BULL,
    }  # fmt: skip
    values.update(overrides)
    return SentimentSnapshot(**values)  # type: ignore[arg-type]


def test_chat_text_shows_index_change_volume_regime_and_posts() -> None:
    text = snapshot_text(snapshot())
    assert text.splitlines()[0] == "SOL sentiment +42/100 (bullish), 24h +30"
    assert "posts 24h: 12" in text and "regime: bull" in text
    assert "[reddit] +0.80 SOL shorts liquidated" in text
    assert max(len(line) for line in text.splitlines()) < 200


def test_chat_text_says_when_there_are_no_posts() -> None:
    text = snapshot_text(snapshot(post_volume_24h=0, top_posts=(), index=0.0, regime=None))
    assert "no posts in the last 24h" in text and "neutral" in text


def test_payload_is_json_ready() -> None:
    payload = snapshot_payload(snapshot())
    assert json.loads(json.dumps(payload))["top_posts"][0]["label"] == "positive"
    assert payload["as_of"] == "2024-03-01T12:00:00+00:00"
    assert payload["regime"] == "bull"


def test_settings_build_only_configured_sources(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 's.db'}")
    storage.create_tables(engine)
    assert build_sources(SentimentSettings(), engine, lambda: NOW) == []
    monkeypatch.setenv("TRADEHUB_SENTIMENT_TWITTER_BEARER_TOKEN", "t")
    monkeypatch.setenv("TRADEHUB_SENTIMENT_REDDIT_CLIENT_ID", "id")
    monkeypatch.setenv("TRADEHUB_SENTIMENT_REDDIT_CLIENT_SECRET", "s3cr3t-value")
    monkeypatch.setenv("TRADEHUB_SENTIMENT_RSS_FEEDS", '["http://127.0.0.1:9/feed.xml"]')
    monkeypatch.setenv("TRADEHUB_SENTIMENT_HALF_LIFE_HOURS", "3")
    settings = SentimentSettings()
    kinds = [type(source) for source in build_sources(settings, engine, lambda: NOW)]
    assert kinds == [TwitterSource, RedditSource, RSSSource]
    service = build_service(settings, engine, lambda: NOW)
    assert service.config.half_life_ms == 3 * 3_600_000
    assert "s3cr3t-value" not in repr(settings)
