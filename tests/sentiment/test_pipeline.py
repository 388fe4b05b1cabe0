"""End to end: real client libraries against local fakes -> poll -> index -> shift event."""

from __future__ import annotations

from sqlalchemy import create_engine

from sentiment import storage
from sentiment.scorers.vader import CryptoVaderScorer
from sentiment.service import SentimentService, poll_sources
from sentiment.sources.base import Backoff, EngineCursors
from sentiment.sources.reddit import RedditConfig, RedditSource
from sentiment.sources.rss import Feed, RSSConfig, RSSSource
from sentiment.sources.twitter import TwitterConfig, TwitterSource
from tests.fakes.reddit import FakeSubmission, RedditFake
from tests.fakes.rss import FeedServer, rss
from tests.fakes.twitter import FakeTweet, TwitterFake

START_S = 1_709_294_400  # 2024-03-01 12:00 UTC


def iso(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def rfc822(seconds: int) -> str:
    from email.utils import formatdate

    return formatdate(seconds, usegmt=True)


def test_three_sources_feed_the_index_and_a_crash_raises_one_shift(tmp_path) -> None:
    now = [START_S * 1000]
    engine = create_engine(f"sqlite:///{tmp_path / 'pipeline.db'}")
    storage.create_tables(engine)
    service = SentimentService(CryptoVaderScorer(), engine, lambda: now[0])
    cursors = EngineCursors(engine, lambda: now[0])
    fast = Backoff(retries=1, base_delay_s=0.0)
    with TwitterFake(bearer_token="b") as x, RedditFake() as reddit, FeedServer() as feeds:
        sources = [
            TwitterSource(
                TwitterConfig(bearer_token="b", symbols=("ETH",), min_interval_s=0, backoff=fast),
                session=x.session(), cursors=cursors, sleep=lambda _s: None,
            ),
            RedditSource(
                RedditConfig(client_id="cid", client_secret="csecret", subreddits=("ethereum",), oauth_url=reddit.url,
                             reddit_url=reddit.url, min_interval_s=0, backoff=fast),
                cursors=cursors, sleep=lambda _s: None,
            ),
            RSSSource(
                RSSConfig(feeds=(Feed(feeds.url("/news.rss")),), min_interval_s=0, backoff=fast),
                cursors=cursors, sleep=lambda _s: None, clock=lambda: now[0],
            ),
        ]  # fmt: skip
        for hour in range(30):
            t = START_S + hour * 3600
            tweet = FakeTweet(10_000 + hour, "$ETH looking bullish, steady accumulation", created_at=iso(t))
            x.tweets.append(tweet)
            reddit.submissions.append(FakeSubmission(f"r{hour}", "ethereum", "ETH staking growth continues", "", t))
            feeds.feeds["/news.rss"] = (
                rss((f"n{hour}", "Ether ETF inflows rise", "", rfc822(t))),
                "application/rss+xml",
            )
            now[0] = t * 1000
            report = poll_sources(service, sources)
            assert report.errors == {} and report.shifts == ()
        assert report.inserted == {"twitter": 1, "reddit": 1, "rss": 1}
        calm = service.snapshot("ETH")
        assert calm.index > 0.3 and calm.post_volume_24h == 72

        t = START_S + 30 * 3600
        now[0] = t * 1000
        panic = "$ETH crash, exchange hacked, longs liquidated"
        x.tweets += [FakeTweet(20_000 + n, panic, created_at=iso(t)) for n in range(15)]
        x.fail_next(429, headers={"Content-Type": "application/json"})
        report = poll_sources(service, sources)
    assert report.inserted["twitter"] == 15
    assert [(shift.symbol, shift.new < shift.old) for shift in report.shifts] == [("ETH", True)]
    assert service.snapshot("ETH").index < calm.index - 0.3
