"""Typed configuration of the sentiment pipeline and the factory that builds its sources.

Environment variables use the `TRADEHUB_SENTIMENT_` prefix, for example
`TRADEHUB_SENTIMENT_TWITTER_BEARER_TOKEN`, `TRADEHUB_SENTIMENT_REDDIT_CLIENT_ID`,
`TRADEHUB_SENTIMENT_RSS_FEEDS='["https://example.com/feed.xml"]'`. A source without
credentials (or feeds) is simply not built.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Engine

from sentiment.index import IndexConfig
from sentiment.scorers import build_scorer
from sentiment.service import SentimentService, Source
from sentiment.sources.base import Backoff, EngineCursors


class SentimentSettings(BaseSettings):
    """Scorer choice, index tuning and per-source base URLs and credentials."""

    model_config = SettingsConfigDict(env_prefix="TRADEHUB_SENTIMENT_", frozen=True)

    scorer: str = "vader"
    model_dir: Path | None = None
    half_life_hours: float = Field(default=6.0, gt=0)
    shift_z: float = Field(default=2.5, gt=0)
    shift_min_delta: float = Field(default=0.15, ge=0)
    poll_interval_s: int = Field(default=300, ge=30)
    symbols: tuple[str, ...] = ("BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "BNB")
    min_interval_s: float = Field(default=1.0, ge=0)
    retries: int = Field(default=3, ge=0)

    twitter_bearer_token: SecretStr | None = None
    twitter_base_url: str = "https://api.twitter.com"
    twitter_ca_bundle: str | None = None
    twitter_resolve: dict[str, str] = Field(default_factory=dict)  # {"api.twitter.com": "10.0.0.5:443"}
    reddit_client_id: str | None = None
    reddit_client_secret: SecretStr | None = None
    reddit_user_agent: str = "tradehub-sentiment/0.1"
    reddit_subreddits: tuple[str, ...] = ("CryptoCurrency", "Bitcoin", "ethereum", "solana")
    reddit_oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"
    rss_feeds: tuple[str, ...] = ()

    def index_config(self) -> IndexConfig:
        """The index settings as the service uses them."""
        return IndexConfig(
            half_life_ms=int(self.half_life_hours * 3_600_000),
            shift_z=self.shift_z,
            shift_min_delta=self.shift_min_delta,
        )


def build_service(settings: SentimentSettings, engine: Engine, clock: Callable[[], int]) -> SentimentService:
    """The service with the configured scorer."""
    scorer = build_scorer(settings.scorer, model_dir=settings.model_dir)
    return SentimentService(scorer, engine, clock, config=settings.index_config())


def build_sources(settings: SentimentSettings, engine: Engine, clock: Callable[[], int]) -> list[Source]:
    """Every source that has what it needs configured; cursors live in the database."""
    cursors = EngineCursors(engine, clock)
    backoff = Backoff(retries=settings.retries)
    sources: list[Source] = []
    if settings.twitter_bearer_token is not None:
        from sentiment.sources.http import resolving_session
        from sentiment.sources.twitter import TwitterConfig, TwitterSource

        config = TwitterConfig(
            bearer_token=settings.twitter_bearer_token.get_secret_value(), symbols=settings.symbols,
            base_url=settings.twitter_base_url, ca_bundle=settings.twitter_ca_bundle,
            min_interval_s=settings.min_interval_s, backoff=backoff,
        )  # fmt: skip
        session = (
            resolving_session(settings.twitter_resolve, ca_bundle=settings.twitter_ca_bundle)
            if settings.twitter_resolve
            else None
        )
        sources.append(TwitterSource(config, session=session, cursors=cursors))
    if settings.reddit_client_id and settings.reddit_client_secret is not None:
        from sentiment.sources.reddit import RedditConfig, RedditSource

        reddit = RedditConfig(
            client_id=settings.reddit_client_id, client_secret=settings.reddit_client_secret.get_secret_value(),
            user_agent=settings.reddit_user_agent, subreddits=settings.reddit_subreddits,
            oauth_url=settings.reddit_oauth_url, reddit_url=settings.reddit_url,
            min_interval_s=settings.min_interval_s, backoff=backoff,
        )  # fmt: skip
        sources.append(RedditSource(reddit, cursors=cursors))
    if settings.rss_feeds:
        from sentiment.sources.rss import Feed, RSSConfig, RSSSource

        feeds = tuple(Feed(url) for url in settings.rss_feeds)
        rss = RSSConfig(feeds=feeds, min_interval_s=settings.min_interval_s, backoff=backoff)
        sources.append(RSSSource(rss, cursors=cursors, clock=clock))
    return sources
