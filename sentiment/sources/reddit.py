"""Reddit: newest submissions of chosen subreddits through praw (application-only OAuth).

`oauth_url` and `reddit_url` are configurable, so praw can talk to a gateway or a local fake.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import praw
import prawcore
import requests

from sentiment.errors import MalformedResponse, SourceUnavailable
from sentiment.models import Post
from sentiment.sources.base import Backoff, CursorStore, MemoryCursors, Sleep, Throttle, call_with_backoff
from sentiment.symbols import extract_symbols

SOURCE = "reddit"


@dataclass(frozen=True, slots=True)
class RedditConfig:
    """Credentials of a Reddit "script" or "web" app and the subreddits to read."""

    client_id: str
    client_secret: str
    user_agent: str = "tradehub-sentiment/0.1 (by tradehub)"
    subreddits: tuple[str, ...] = ("CryptoCurrency", "Bitcoin", "ethereum", "solana")
    limit: int = 100
    oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"
    min_interval_s: float = 1.0
    timeout_s: float = 16.0
    backoff: Backoff = field(default_factory=Backoff)


def _rate_limit_wait(error: Exception) -> float | None:
    if not isinstance(error, prawcore.TooManyRequests):
        return None
    try:
        return float(error.retry_after) if error.retry_after else 0.0
    except ValueError:
        return 0.0


class RedditSource:
    """Polls `/r/<name>/new` for each subreddit; keeps the newest creation time per subreddit."""

    name = SOURCE

    def __init__(
        self,
        config: RedditConfig,
        *,
        session: requests.Session | None = None,
        cursors: CursorStore | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._config = config
        requestor_kwargs: dict[str, Any] = {"session": session} if session is not None else {}
        self._reddit = praw.Reddit(
            client_id=config.client_id,
            client_secret=config.client_secret,
            user_agent=config.user_agent,
            oauth_url=config.oauth_url,
            reddit_url=config.reddit_url,
            timeout=config.timeout_s,
            check_for_updates=False,
            check_for_async=False,
            requestor_kwargs=requestor_kwargs,
        )
        self._reddit.read_only = True
        self._cursors = cursors or MemoryCursors()
        self._sleep = sleep
        self._throttle = Throttle(config.min_interval_s, sleep=sleep)

    def fetch(self) -> list[Post]:
        """New submissions from every configured subreddit."""
        posts: dict[str, Post] = {}
        for subreddit in self._config.subreddits:
            for post in self._subreddit(subreddit):
                posts.setdefault(post.external_id, post)
        return list(posts.values())

    def _subreddit(self, name: str) -> list[Post]:
        newest_seen = float(self._cursors.get(SOURCE, name) or 0.0)

        def request() -> list[Any]:
            self._throttle.wait()
            return list(self._reddit.subreddit(name).new(limit=self._config.limit))

        try:
            submissions = call_with_backoff(
                request, retry_after=_rate_limit_wait, backoff=self._config.backoff, sleep=self._sleep, what=SOURCE
            )
            posts = [self._to_post(item) for item in submissions if float(item.created_utc) >= newest_seen]
        except prawcore.TooManyRequests as error:
            raise SourceUnavailable(f"Reddit rate limit still exceeded after retries: {error}") from error
        except prawcore.BadJSON as error:
            raise MalformedResponse(f"Reddit returned a body that is not JSON: {error}") from error
        except (prawcore.ServerError, prawcore.RequestException) as error:
            raise SourceUnavailable(f"Reddit unavailable: {error}") from error
        except (prawcore.PrawcoreException, praw.exceptions.PRAWException) as error:
            raise SourceUnavailable(f"Reddit refused the request: {error}") from error
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise MalformedResponse(f"Reddit listing has an unexpected shape: {error!r}") from error
        if posts:
            newest = max(post.created_ms for post in posts) / 1000
            self._cursors.set(SOURCE, name, repr(max(newest, newest_seen)))
        return posts

    @staticmethod
    def _to_post(submission: Any) -> Post:
        text = submission.title if not submission.selftext else f"{submission.title}\n\n{submission.selftext}"
        engagement = max(0, int(submission.score)) + int(submission.num_comments)
        author = submission.author.name if submission.author is not None else ""
        return Post(
            source=SOURCE,
            external_id=str(submission.id),
            text=text,
            created_ms=int(float(submission.created_utc) * 1000),
            author=author,
            url=f"https://www.reddit.com{submission.permalink}",
            engagement=engagement,
            symbols=extract_symbols(text),
            channel=str(submission.subreddit),
        )
