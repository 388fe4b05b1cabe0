from __future__ import annotations

from collections.abc import Iterator

import pytest

from sentiment.errors import MalformedResponse, SourceUnavailable
from sentiment.sources.base import Backoff, MemoryCursors
from sentiment.sources.reddit import RedditConfig, RedditSource
from tests.fakes.reddit import FakeSubmission, RedditFake


@pytest.fixture
def fake() -> Iterator[RedditFake]:
    with RedditFake(client_id="cid", client_secret="csecret") as server:
        yield server


def source(fake: RedditFake, sleeps: list[float], *, secret: str = "csecret") -> RedditSource:  # noqa: S107
    config = RedditConfig(
        client_id="cid", client_secret=secret, subreddits=("CryptoCurrency", "solana"), oauth_url=fake.url,
        reddit_url=fake.url, min_interval_s=0.0, backoff=Backoff(retries=2, base_delay_s=1.0),
    )  # fmt: skip
    return RedditSource(config, cursors=MemoryCursors(), sleep=sleeps.append)


def test_reads_new_submissions_with_oauth(fake: RedditFake) -> None:
    fake.submissions += [
        FakeSubmission("a1", "CryptoCurrency", "ETH breaking out", "Shorts getting squeezed", score=40, num_comments=9),
        FakeSubmission("b2", "solana", "Network halted again", created_utc=1_709_294_500.0),
        FakeSubmission("c3", "dogs", "not polled"),
    ]
    sleeps: list[float] = []
    posts = sorted(source(fake, sleeps).fetch(), key=lambda post: post.external_id)
    assert [post.external_id for post in posts] == ["a1", "b2"]
    first = posts[0]
    assert first.text == "ETH breaking out\n\nShorts getting squeezed"
    assert first.engagement == 49 and first.symbols == ("ETH",) and first.channel == "CryptoCurrency"
    assert first.url == "https://www.reddit.com/r/CryptoCurrency/comments/a1/post/"
    assert posts[1].created_ms == 1_709_294_500_000
    assert fake.received[0].path == "/api/v1/access_token"
    assert sleeps == []


def test_second_poll_skips_older_posts(fake: RedditFake) -> None:
    fake.submissions.append(FakeSubmission("a1", "solana", "SOL up", created_utc=100.0))
    reddit = source(fake, [])
    assert [post.external_id for post in reddit.fetch()] == ["a1"]
    fake.submissions.append(FakeSubmission("a2", "solana", "SOL down", created_utc=200.0))
    fake.submissions.append(FakeSubmission("a0", "solana", "SOL old", created_utc=50.0))
    assert [post.external_id for post in reddit.fetch()] == ["a2", "a1"]


def test_429_is_retried_after_the_servers_delay(fake: RedditFake) -> None:
    fake.submissions.append(FakeSubmission("a1", "CryptoCurrency", "BTC"))
    reddit = source(fake, sleeps := [])
    reddit.fetch()  # obtains the token
    fake.fail_next(429, body=b"{}", headers={"Retry-After": "7", "Content-Type": "application/json"})
    fake.submissions.append(FakeSubmission("a2", "CryptoCurrency", "ETH", created_utc=1_709_294_401.0))
    assert {post.external_id for post in reddit.fetch()} == {"a1", "a2"}
    assert sleeps == [7.0]


def test_persistent_429_is_source_unavailable(fake: RedditFake) -> None:
    reddit = source(fake, [])
    reddit.fetch()
    fake.fail_next(429, times=3, body=b"{}", headers={"Content-Type": "application/json"})
    with pytest.raises(SourceUnavailable, match="rate limit"):
        reddit.fetch()


def test_malformed_listing_is_reported(fake: RedditFake) -> None:
    reddit = source(fake, [])
    reddit.fetch()
    fake.fail_next(200, body=b"<html>oops</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(MalformedResponse):
        reddit.fetch()


def test_wrong_credentials_are_refused(fake: RedditFake) -> None:
    with pytest.raises(SourceUnavailable):
        source(fake, [], secret="wrong").fetch()
