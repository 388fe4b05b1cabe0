"""X (Twitter) recent search by cashtag and keywords, through tweepy's API v2 client.

tweepy hard-codes `https://api.twitter.com`. Set `TwitterConfig.base_url` (and `ca_bundle`) to
reach a gateway instead, or pass a `requests.Session` such as
`sentiment.sources.http.resolving_session` (how the tests reach their local TLS fake).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import requests
import tweepy

from sentiment.errors import MalformedResponse, SourceUnavailable
from sentiment.models import Post
from sentiment.sources.base import Backoff, CursorStore, MemoryCursors, Sleep, Throttle, call_with_backoff
from sentiment.sources.http import rebased_session
from sentiment.symbols import extract_symbols

SOURCE = "twitter"
API_BASE = "https://api.twitter.com"

DEFAULT_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "BTC": ("bitcoin",),
    "ETH": ("ethereum",),
    "SOL": ("solana",),
    "XRP": ("ripple",),
    "DOGE": ("dogecoin",),
    "ADA": ("cardano",),
    "BNB": ("binance coin",),
}


@dataclass(frozen=True, slots=True)
class TwitterConfig:
    """Credentials and what to search for (one query per symbol: cashtag OR keywords)."""

    bearer_token: str
    base_url: str = API_BASE
    ca_bundle: str | None = None
    symbols: tuple[str, ...] = ("BTC", "ETH")
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_KEYWORDS))
    language: str | None = "en"
    max_results: int = 100
    max_pages: int = 3
    min_interval_s: float = 1.0
    backoff: Backoff = field(default_factory=Backoff)


def build_query(symbol: str, keywords: Sequence[str], language: str | None) -> str:
    """`($BTC OR bitcoin) -is:retweet lang:en`: originals only, cashtag or any keyword."""
    terms = [f"${symbol}", *(f'"{word}"' if " " in word else word for word in keywords)]
    query = f"({' OR '.join(terms)}) -is:retweet"
    return f"{query} lang:{language}" if language else query


def _rate_limit_wait(error: Exception) -> float | None:
    if not isinstance(error, tweepy.TooManyRequests):
        return None
    reset = getattr(error, "reset_time", None)
    return max(0.0, float(reset) - time.time()) if reset else 0.0


class TwitterSource:
    """Polls recent search for each configured symbol, remembering the newest tweet id per query."""

    name = SOURCE

    def __init__(
        self,
        config: TwitterConfig,
        *,
        session: requests.Session | None = None,
        cursors: CursorStore | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._config = config
        self._client = tweepy.Client(bearer_token=config.bearer_token, wait_on_rate_limit=False)
        if session is None and (config.base_url.rstrip("/") != API_BASE or config.ca_bundle):
            session = rebased_session(API_BASE, config.base_url, ca_bundle=config.ca_bundle)
        if session is not None:
            self._client.session = session
        self._cursors = cursors or MemoryCursors()
        self._sleep = sleep
        self._throttle = Throttle(config.min_interval_s, sleep=sleep)

    def fetch(self) -> list[Post]:
        """New tweets for every symbol since the previous fetch."""
        posts: dict[str, Post] = {}
        for symbol in self._config.symbols:
            keywords = self._config.keywords.get(symbol, ())
            for post in self._search(symbol, build_query(symbol, keywords, self._config.language)):
                posts.setdefault(post.external_id, post)
        return list(posts.values())

    def _search(self, symbol: str, query: str) -> list[Post]:
        """Up to `max_pages` pages of results newer than the saved id; saves the newest id seen."""
        since_id = self._cursors.get(SOURCE, query)
        posts: list[Post] = []
        newest: str | None = None
        next_token: str | None = None
        for _ in range(self._config.max_pages):
            response = self._page(query, since_id, next_token)
            posts.extend(self._to_post(tweet, symbol) for tweet in response.data or ())
            meta = response.meta or {}
            newest = newest or meta.get("newest_id")
            next_token = meta.get("next_token")
            if not next_token:
                break
        if newest:
            self._cursors.set(SOURCE, query, str(newest))
        return posts

    def _page(self, query: str, since_id: str | None, next_token: str | None) -> tweepy.Response:
        def request() -> tweepy.Response:
            self._throttle.wait()
            return self._client.search_recent_tweets(
                query,
                since_id=since_id,
                next_token=next_token,
                max_results=max(10, min(100, self._config.max_results)),
                tweet_fields=["created_at", "public_metrics", "author_id", "lang"],
            )

        try:
            return call_with_backoff(
                request, retry_after=_rate_limit_wait, backoff=self._config.backoff, sleep=self._sleep, what=SOURCE
            )
        except tweepy.TooManyRequests as error:
            raise SourceUnavailable(f"X rate limit still exceeded after retries: {error}") from error
        except (tweepy.TwitterServerError, requests.ConnectionError, requests.Timeout) as error:
            raise SourceUnavailable(f"X API unavailable: {error}") from error
        except (requests.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise MalformedResponse(f"X API returned an unreadable search response: {error}") from error
        except tweepy.HTTPException as error:
            raise SourceUnavailable(f"X API refused the search: {error}") from error

    @staticmethod
    def _to_post(tweet: tweepy.Tweet, symbol: str) -> Post:
        metrics = tweet.public_metrics or {}
        counters = ("like_count", "retweet_count", "reply_count", "quote_count")
        engagement = sum(int(metrics.get(key, 0)) for key in counters)
        created: datetime | None = tweet.created_at
        if created is None:
            raise MalformedResponse(f"tweet {tweet.id} has no created_at")
        return Post(
            source=SOURCE,
            external_id=str(tweet.id),
            text=tweet.text,
            created_ms=int(created.timestamp() * 1000),
            author=str(tweet.author_id or ""),
            url=f"https://x.com/i/web/status/{tweet.id}",
            engagement=engagement,
            symbols=tuple(sorted({symbol, *extract_symbols(tweet.text)})),
        )
