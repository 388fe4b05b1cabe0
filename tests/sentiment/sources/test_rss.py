from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sentiment.errors import MalformedResponse, SourceUnavailable
from sentiment.models import Label
from sentiment.scorers.vader import CryptoVaderScorer
from sentiment.sources.base import Backoff, MemoryCursors
from sentiment.sources.rss import Feed, RSSConfig, RSSSource, plain_text
from tests.fakes.rss import FeedServer, atom, rss, serve_directory

DATE = "Fri, 01 Mar 2024 12:00:00 GMT"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as fake:
        yield fake


def source(server: FeedServer, *paths: str, sleeps: list[float] | None = None) -> RSSSource:
    feeds = tuple(Feed(server.url(path), name=path.strip("/")) for path in paths)
    config = RSSConfig(feeds=feeds, min_interval_s=0.0, backoff=Backoff(retries=2, base_delay_s=1.0))
    return RSSSource(config, cursors=MemoryCursors(), sleep=(sleeps if sleeps is not None else []).append)


def test_reads_rss_and_atom_items(server: FeedServer) -> None:
    server.feeds["/news.rss"] = (
        rss(("n1", "Bitcoin ETF sees record inflows", "<p>Spot <b>BTC</b> funds &amp; more</p>", DATE)),
        "application/rss+xml",
    )
    server.feeds["/blog.atom"] = (
        atom(("urn:1", "Solana outage postmortem", "Validators halted", "2024-03-02T08:30:00Z")),
        "application/atom+xml",
    )
    posts = sorted(source(server, "/news.rss", "/blog.atom").fetch(), key=lambda post: post.external_id)
    assert [post.external_id for post in posts] == ["n1", "urn:1"]
    news, blog = posts
    assert news.text == "Bitcoin ETF sees record inflows. Spot BTC funds & more"
    assert news.symbols == ("BTC",) and news.created_ms == 1_709_294_400_000 and news.channel == "news.rss"
    assert blog.symbols == ("SOL",) and blog.created_ms == 1_709_368_200_000 and blog.author == "dev"


def test_unchanged_feed_is_a_conditional_get(server: FeedServer) -> None:
    server.feeds["/news.rss"] = (rss(("n1", "ETH rally", "", DATE)), "application/rss+xml")
    feed = source(server, "/news.rss")
    assert len(feed.fetch()) == 1
    assert feed.fetch() == []
    assert server.received[-1].headers.get("if-none-match", "").startswith('"')


def test_429_backs_off_then_succeeds(server: FeedServer) -> None:
    server.feeds["/news.rss"] = (rss(("n1", "XRP wins in court", "", DATE)), "application/rss+xml")
    server.fail_next(429, headers={"Retry-After": "3"})
    sleeps: list[float] = []
    assert len(source(server, "/news.rss", sleeps=sleeps).fetch()) == 1
    assert sleeps == [3.0]


def test_persistent_429_makes_the_source_unavailable(server: FeedServer) -> None:
    server.fail_next(429, times=3)
    with pytest.raises(SourceUnavailable, match="rate limited"):
        source(server, "/news.rss").fetch()


def test_malformed_feed_is_reported_but_other_feeds_still_deliver(server: FeedServer) -> None:
    server.feeds["/broken"] = (b"\xff\xfe<html><body>not a feed", "text/html")
    server.feeds["/news.rss"] = (rss(("n1", "DOGE pumps", "", DATE)), "application/rss+xml")
    with pytest.raises(MalformedResponse):
        source(server, "/broken").fetch()
    mixed = source(server, "/broken", "/news.rss")
    assert [post.external_id for post in mixed.fetch()] == ["n1"]
    assert server.url("/broken") in mixed.last_errors


def test_missing_feed_is_unavailable(server: FeedServer) -> None:
    with pytest.raises(SourceUnavailable, match="404"):
        source(server, "/nope").fetch()


def test_plain_text_strips_markup() -> None:
    assert plain_text("<p>Hello&nbsp;<a href='x'>world</a></p>\n\n") == "Hello world"


PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"


def test_realistic_feed_files_are_parsed_and_scored(server: FeedServer) -> None:
    serve_directory(server, PAYLOADS)
    feed = source(server, "/news.rss", "/blog.atom", "/truncated.rss")
    posts = {post.external_id: post for post in feed.fetch()}
    atom_id = "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6b"
    assert set(posts) == {"news-2024-0311-001", "news-2024-0312-002", "news-2024-0312-003", atom_id}
    # The truncated copy still yields its complete first item, which dedups with the full feed's.
    assert feed.last_errors == {}
    btc = posts["news-2024-0311-001"]
    assert btc.symbols == ("BTC",) and btc.author == "Markets Desk"
    assert "ETFs took in $1.1B — the most since launch" in btc.text
    scorer = CryptoVaderScorer()
    labels = {key: scorer.score(post.text).label for key, post in posts.items()}
    assert labels["news-2024-0311-001"] == Label.POSITIVE
    assert labels["news-2024-0312-002"] == Label.NEGATIVE
    assert labels["news-2024-0312-003"] == Label.NEUTRAL
    assert labels[atom_id] == Label.NEGATIVE
