from __future__ import annotations

from collections.abc import Iterator

import pytest

from sentiment.errors import MalformedResponse, SourceUnavailable
from sentiment.sources.base import Backoff, MemoryCursors
from sentiment.sources.twitter import TwitterConfig, TwitterSource, build_query
from tests.fakes.twitter import FakeTweet, TwitterFake


@pytest.fixture
def fake() -> Iterator[TwitterFake]:
    with TwitterFake(bearer_token="secret") as server:
        yield server


def source(fake: TwitterFake, sleeps: list[float], **overrides: object) -> TwitterSource:
    settings: dict[str, object] = {
        "bearer_token": "secret", "symbols": ("BTC", "SOL"), "min_interval_s": 0.0,
        "backoff": Backoff(retries=2, base_delay_s=1.0),
    }  # fmt: skip
    settings.update(overrides)
    config = TwitterConfig(**settings)  # type: ignore[arg-type]
    return TwitterSource(config, session=fake.session(), cursors=MemoryCursors(), sleep=sleeps.append)


def test_query_uses_cashtag_and_keywords() -> None:
    query = build_query("BTC", ("bitcoin", "digital gold"), "en")
    assert query == '($BTC OR bitcoin OR "digital gold") -is:retweet lang:en'


def test_fetches_tweets_over_tls_and_remembers_newest_id(fake: TwitterFake) -> None:
    fake.tweets += [
        FakeTweet(101, "$BTC breaking out 🚀", likes=10, retweets=2),
        FakeTweet(102, "solana validators halted again"),
        FakeTweet(103, "cats are great"),
    ]
    sleeps: list[float] = []
    twitter = source(fake, sleeps)
    posts = sorted(twitter.fetch(), key=lambda post: post.external_id)
    assert [(p.external_id, p.symbols) for p in posts] == [("101", ("BTC",)), ("102", ("SOL",))]
    assert posts[0].engagement == 12
    assert posts[0].created_ms == 1_709_294_400_000
    assert all(r.headers["host"] == "api.twitter.com" for r in fake.received)
    fake.tweets.append(FakeTweet(104, "bitcoin ETF inflows"))
    again = twitter.fetch()
    assert [p.external_id for p in again] == ["104"]
    assert fake.received[-2].query.get("since_id") == "101"


def test_rate_limit_is_retried_with_backoff(fake: TwitterFake) -> None:
    fake.tweets.append(FakeTweet(7, "$BTC"))
    fake.fail_next(429, times=2, body=b'{"title":"Too Many Requests"}', headers={"Content-Type": "application/json"})
    sleeps: list[float] = []
    posts = source(fake, sleeps, symbols=("BTC",)).fetch()
    assert [p.external_id for p in posts] == ["7"]
    assert sleeps == [1.0, 2.0]


def test_rate_limit_that_persists_becomes_source_unavailable(fake: TwitterFake) -> None:
    fake.fail_next(429, times=5)
    with pytest.raises(SourceUnavailable, match="rate limit"):
        source(fake, [], symbols=("BTC",)).fetch()


def test_malformed_json_is_reported(fake: TwitterFake) -> None:
    fake.fail_next(200, body=b"{not json", headers={"Content-Type": "application/json"})
    with pytest.raises(MalformedResponse):
        source(fake, [], symbols=("BTC",)).fetch()


def test_server_error_and_bad_token(fake: TwitterFake) -> None:
    fake.fail_next(503)
    with pytest.raises(SourceUnavailable):
        source(fake, [], symbols=("BTC",)).fetch()
    with pytest.raises(SourceUnavailable, match="refused"):
        source(fake, [], symbols=("BTC",), bearer_token="wrong").fetch()


def test_tls_is_verified_against_the_fake_ca_only(fake: TwitterFake) -> None:
    from sentiment.sources.http import resolving_session

    untrusting = resolving_session({"api.twitter.com": fake.address})
    twitter = TwitterSource(
        TwitterConfig(bearer_token="secret", symbols=("BTC",), min_interval_s=0.0), session=untrusting, sleep=[].append
    )
    with pytest.raises(SourceUnavailable):
        twitter.fetch()


def test_follows_next_token_pages_up_to_the_limit(fake: TwitterFake) -> None:
    fake.tweets += [FakeTweet(1000 + n, f"$BTC post {n}") for n in range(25)]
    twitter = source(fake, [], symbols=("BTC",), max_results=10, max_pages=2)
    first = twitter.fetch()
    assert len(first) == 20
    assert [r.query.get("next_token") for r in fake.received] == [None, "10"]
    assert {post.external_id for post in first} == {str(1000 + n) for n in range(5, 25)}
    fake.tweets.append(FakeTweet(2000, "$BTC newest"))
    assert [post.external_id for post in twitter.fetch()] == ["2000"]


def test_configured_base_url_reaches_a_gateway(fake: TwitterFake) -> None:
    fake.accepted_hosts.add(fake.address)
    fake.tweets.append(FakeTweet(5, "$BTC via gateway"))
    config = TwitterConfig(
        bearer_token="secret", symbols=("BTC",), min_interval_s=0.0, base_url=fake.base_url, ca_bundle=str(fake.ca_path)
    )
    posts = TwitterSource(config, sleep=[].append).fetch()
    assert [post.external_id for post in posts] == ["5"]
    assert fake.received[-1].headers["host"] == fake.address
