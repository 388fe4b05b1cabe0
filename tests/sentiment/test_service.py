from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from sentiment import storage
from sentiment.errors import SourceUnavailable
from sentiment.index import HOUR_MS
from sentiment.models import Post, Regime
from sentiment.scorers.vader import CryptoVaderScorer
from sentiment.service import SentimentService, make_gate, poll_sources, prune_history

START = 1_700_000_000_000


class FakeClock:
    def __init__(self, now_ms: int) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, hours: float) -> None:
        self.now_ms += int(hours * HOUR_MS)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def service(tmp_path, clock: FakeClock) -> SentimentService:
    engine = create_engine(f"sqlite:///{tmp_path / 'service.db'}")
    storage.create_tables(engine)
    return SentimentService(CryptoVaderScorer(), engine, clock)


def post(external_id: str, text: str, clock: FakeClock, *, engagement: int = 0, source: str = "reddit") -> Post:
    return Post(source, external_id, text, clock(), engagement=engagement)


def test_ingest_extracts_symbols_scores_and_deduplicates(service: SentimentService, clock: FakeClock) -> None:
    first = service.ingest([post("1", "$SOL breaking out, shorts liquidated 🚀", clock), post("1", "dup", clock)])
    again = service.ingest([post("1", "$SOL breaking out, shorts liquidated 🚀", clock)])
    assert (first.inserted, first.duplicates, again.inserted, again.duplicates) == (1, 1, 0, 1)
    snapshot = service.snapshot("SOL/USDT")
    assert snapshot.symbol == "SOL"
    assert snapshot.post_volume_24h == 1
    assert snapshot.index > 0.3
    assert snapshot.top_posts[0].post.symbols == ("SOL",)


def test_snapshot_reports_change_top_posts_and_regime(service: SentimentService, clock: FakeClock) -> None:
    service.ingest([post("old", "ETH bloodbath, longs liquidated everywhere", clock)])
    clock.advance(25)
    service.ingest(
        [
            post("a", "ETH rally, bears crushed 🚀", clock, engagement=500),
            post("b", "ETH looks bullish", clock, engagement=1),
            post("c", "ETH meetup tonight", clock),
        ]
    )
    snapshot = service.snapshot("eth", closes=[100.0 * 1.01**k for k in range(30)])
    assert snapshot.index > 0.2
    assert snapshot.change_24h > 0.5
    assert snapshot.post_volume_24h == 3
    assert snapshot.top_posts[0].post.external_id == "a"
    assert snapshot.regime == Regime.BULL
    assert service.snapshot("eth").regime is None


def test_chart_is_a_png(service: SentimentService, clock: FakeClock) -> None:
    for hour in range(5):
        service.ingest([post(f"p{hour}", "BTC pumping" if hour % 2 else "BTC dumping", clock)])
        clock.advance(1)
    png = service.chart_png("BTC", hours=12)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 5_000


def test_gate_blocks_below_threshold_and_allows_without_data(service: SentimentService, clock: FakeClock) -> None:
    gate = make_gate(service, -0.2)
    assert gate("ADA") is True
    assert service.gate("ADA", -0.2, allow_without_data=False) is False
    service.ingest([post("x", "ADA exploited, bridge drained, devs rugged", clock)])
    assert gate("ADA") is False
    assert service.buy_scale("ADA") == 0.0
    service.ingest([post(f"y{n}", "ADA moon, whales accumulating, wagmi 🚀", clock) for n in range(5)])
    assert gate("ADA") is True
    assert service.buy_scale("ADA") == 1.0


def test_sharp_move_raises_one_shift_event(service: SentimentService, clock: FakeClock) -> None:
    for hour in range(30):
        service.ingest([post(f"calm{hour}", "DOGE looks bullish, steady accumulation", clock)])
        clock.advance(1)
    assert service.detect_shifts() == []
    service.ingest([post(f"panic{n}", "DOGE crash, exchange hacked, withdrawals frozen", clock) for n in range(20)])
    shifts = service.detect_shifts()
    assert len(shifts) == 1
    shift = shifts[0]
    assert shift.symbol == "DOGE" and shift.new < shift.old and shift.z < -2.5
    assert service.detect_shifts() == []  # same hour: already reported


def test_first_posts_of_a_new_symbol_are_not_a_shift(service: SentimentService, clock: FakeClock) -> None:
    service.ingest([post(f"n{n}", "PEPE to the moon 🚀🚀", clock) for n in range(10)])
    assert service.detect_shifts() == []


class StaticSource:
    def __init__(self, name: str, posts: list[Post] | None = None, fail: bool = False) -> None:
        self.name = name
        self.posts = posts or []
        self.fail = fail

    def fetch(self) -> list[Post]:
        if self.fail:
            raise SourceUnavailable("429 after 3 retries")
        return self.posts


def test_poll_sources_isolates_failures(service: SentimentService, clock: FakeClock) -> None:
    good = StaticSource("rss", [post("n1", "BTC ETF inflows hit a record", clock, source="rss")])
    report = poll_sources(service, [StaticSource("twitter", fail=True), good])
    assert report.inserted == {"rss": 1}
    assert "SourceUnavailable" in report.errors["twitter"]
    assert service.snapshot("BTC").post_volume_24h == 1


def test_prune_history_keeps_recent_posts(service: SentimentService, clock: FakeClock) -> None:
    service.ingest([post("old", "BTC dumping", clock)])
    clock.advance(24 * 40)
    service.ingest([post("new", "BTC pumping", clock)])
    service.detect_shifts()
    assert prune_history(service, keep_days=30) == 1
    assert storage.known_external_ids(service.engine, "reddit", ["old", "new"]) == {"new"}
    assert storage.posts_for_symbol(service.engine, "BTC", since_ms=0, until_ms=clock()) != []
