"""RSS and Atom news feeds over httpx, parsed with feedparser, with conditional GETs.

A feed that fails is logged and skipped while the other feeds still deliver; the source only
raises when every feed failed this round.
"""

from __future__ import annotations

import calendar
import html
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import feedparser
import httpx

from sentiment.errors import MalformedResponse, SourceError, SourceUnavailable
from sentiment.models import Post
from sentiment.sources.base import Backoff, CursorStore, MemoryCursors, Sleep, Throttle, call_with_backoff
from sentiment.symbols import extract_symbols

SOURCE = "rss"
logger = logging.getLogger(__name__)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed; `symbols` are added to every item (for single-asset feeds)."""

    url: str
    name: str = ""
    symbols: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RSSConfig:
    """Feeds to poll and how politely."""

    feeds: tuple[Feed, ...]
    user_agent: str = "tradehub-sentiment/0.1"
    timeout_s: float = 10.0
    min_interval_s: float = 1.0
    max_bytes: int = 5_000_000
    backoff: Backoff = field(default_factory=Backoff)


class _RateLimited(Exception):
    def __init__(self, status: int, retry_after_s: float) -> None:
        super().__init__(f"HTTP {status}")
        self.retry_after_s = retry_after_s


def _retry_after(error: Exception) -> float | None:
    return error.retry_after_s if isinstance(error, _RateLimited) else None


def _seconds(header: str | None) -> float:
    try:
        return max(0.0, float(header)) if header else 0.0
    except ValueError:
        return 0.0


def plain_text(fragment: str) -> str:
    """Strip tags and entities from an HTML fragment and collapse white space."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


class RSSSource:
    """Polls feeds; remembers ETag / Last-Modified per feed so unchanged feeds cost a 304."""

    name = SOURCE

    def __init__(
        self,
        config: RSSConfig,
        *,
        client: httpx.Client | None = None,
        cursors: CursorStore | None = None,
        sleep: Sleep = time.sleep,
        clock: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self._config = config
        headers = {"User-Agent": config.user_agent, "Accept": "application/rss+xml, application/atom+xml, */*"}
        self._client = client or httpx.Client(timeout=config.timeout_s, headers=headers, follow_redirects=True)
        self._cursors = cursors or MemoryCursors()
        self._sleep = sleep
        self._clock = clock
        self._throttle = Throttle(config.min_interval_s, sleep=sleep)
        self.last_errors: dict[str, str] = {}

    def fetch(self) -> list[Post]:
        """New items from every feed; raises only when all feeds failed."""
        posts: dict[str, Post] = {}
        errors: dict[str, SourceError] = {}
        for feed in self._config.feeds:
            try:
                items = self._feed(feed)
            except SourceError as error:
                logger.warning("feed %s failed: %s", feed.url, error)
                errors[feed.url] = error
                continue
            for post in items:
                posts.setdefault(post.external_id, post)
        self.last_errors = {url: str(error) for url, error in errors.items()}
        if errors and len(errors) == len(self._config.feeds):
            raise next(iter(errors.values()))
        return list(posts.values())

    def _feed(self, feed: Feed) -> list[Post]:
        response = self._get(feed)
        if response.status_code == 304:
            return []
        if len(response.content) > self._config.max_bytes:
            raise MalformedResponse(f"feed {feed.url} is larger than {self._config.max_bytes} bytes")
        parsed = feedparser.parse(response.content)
        if parsed.get("bozo") and not parsed.entries:
            raise MalformedResponse(f"feed {feed.url} is not RSS/Atom: {parsed.get('bozo_exception')}")
        posts = [post for entry in parsed.entries if (post := self._to_post(feed, entry)) is not None]
        for header, key in (("etag", "etag"), ("last-modified", "modified")):
            if value := response.headers.get(header):
                self._cursors.set(SOURCE, f"{feed.url}#{key}", value)
        return posts

    def _get(self, feed: Feed) -> httpx.Response:
        headers = {}
        if etag := self._cursors.get(SOURCE, f"{feed.url}#etag"):
            headers["If-None-Match"] = etag
        if modified := self._cursors.get(SOURCE, f"{feed.url}#modified"):
            headers["If-Modified-Since"] = modified

        def request() -> httpx.Response:
            self._throttle.wait()
            response = self._client.get(feed.url, headers=headers)
            if response.status_code in (429, 503):
                raise _RateLimited(response.status_code, _seconds(response.headers.get("retry-after")))
            return response

        try:
            response = call_with_backoff(
                request, retry_after=_retry_after, backoff=self._config.backoff, sleep=self._sleep, what=feed.url
            )
        except _RateLimited as error:
            raise SourceUnavailable(f"feed {feed.url} still rate limited after retries ({error})") from error
        except httpx.HTTPError as error:
            raise SourceUnavailable(f"feed {feed.url} unreachable: {error}") from error
        if response.status_code >= 400:
            raise SourceUnavailable(f"feed {feed.url} answered HTTP {response.status_code}")
        return response

    def _to_post(self, feed: Feed, entry: feedparser.FeedParserDict) -> Post | None:
        title = plain_text(entry.get("title", ""))
        summary = plain_text(entry.get("summary", ""))
        text = f"{title}. {summary}" if title and summary and summary != title else title or summary
        identifier = entry.get("id") or entry.get("link") or title
        if not text or not identifier:
            return None
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        created_ms = calendar.timegm(stamp) * 1000 if stamp else self._clock()
        symbols = tuple(sorted({*feed.symbols, *extract_symbols(text)}))
        return Post(
            source=SOURCE, external_id=str(identifier)[:191], text=text, created_ms=created_ms,
            author=entry.get("author", ""), url=entry.get("link", ""), symbols=symbols, channel=feed.name or feed.url,
        )  # fmt: skip
