from __future__ import annotations

import pytest
from sqlalchemy import Engine, create_engine

from sentiment import storage
from sentiment.models import Label, Post, Score, ScoredPost


@pytest.fixture
def engine(tmp_path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'sentiment.db'}")
    storage.create_tables(engine)
    return engine


def scored(
    external_id: str, *, source: str = "reddit", symbols: tuple[str, ...] = ("BTC",), ms: int = 1000
) -> ScoredPost:
    post = Post(source, external_id, f"post {external_id}", ms, author="a", engagement=3, symbols=symbols)
    return ScoredPost(post, Score(Label.POSITIVE, 0.5, ("moon",)))


def test_tables_have_own_metadata_and_prefix() -> None:
    assert all(name.startswith("sentiment_") for name in storage.metadata.tables)


def test_duplicates_by_source_and_external_id_are_skipped(engine: Engine) -> None:
    first = storage.store_scored_posts(engine, [scored("1"), scored("2")], scorer="vader", ingested_ms=5)
    second = storage.store_scored_posts(
        engine, [scored("1"), scored("1", source="twitter"), scored("3")], scorer="vader", ingested_ms=6
    )
    assert (first.inserted, first.duplicates) == (2, 0)
    assert (second.inserted, second.duplicates) == (2, 1)
    assert storage.known_external_ids(engine, "reddit", ["1", "2", "3", "4"]) == {"1", "2", "3"}


def test_posts_for_symbol_round_trip_scores_and_cues(engine: Engine) -> None:
    storage.store_scored_posts(
        engine,
        [scored("1", symbols=("BTC", "ETH"), ms=1000), scored("2", symbols=("ETH",), ms=3000)],
        scorer="vader",
        ingested_ms=5,
    )
    btc = storage.posts_for_symbol(engine, "BTC", since_ms=0, until_ms=10_000)
    eth = storage.posts_for_symbol(engine, "ETH", since_ms=2000, until_ms=10_000)
    assert [item.post.external_id for item in btc] == ["1"]
    assert [item.post.external_id for item in eth] == ["2"]
    assert btc[0].score == Score(Label.POSITIVE, 0.5, ("moon",))
    assert storage.tracked_symbols(engine, since_ms=0) == ["BTC", "ETH"]


def test_cursors_and_index_points_replace_previous_values(engine: Engine) -> None:
    assert storage.get_cursor(engine, "twitter", "q") is None
    storage.set_cursor(engine, "twitter", "q", "100", now_ms=1)
    storage.set_cursor(engine, "twitter", "q", "200", now_ms=2)
    assert storage.get_cursor(engine, "twitter", "q") == "200"
    storage.record_index_point(engine, "BTC", 10, 0.1, 3)
    storage.record_index_point(engine, "BTC", 10, 0.3, 4)
    storage.record_index_point(engine, "BTC", 20, -0.2, 1)
    assert storage.index_history(engine, "BTC", since_ms=0) == [(10, 0.3, 4), (20, -0.2, 1)]


def test_channels_are_opted_out_by_default(engine: Engine) -> None:
    assert not storage.is_channel_opted_in(engine, "slack", "C1")
    storage.set_channel_optin(engine, "slack", "C1", enabled=True, now_ms=1)
    assert storage.is_channel_opted_in(engine, "slack", "C1")
    storage.set_channel_optin(engine, "slack", "C1", enabled=False, now_ms=2)
    assert not storage.is_channel_opted_in(engine, "slack", "C1")


def test_concurrent_writer_race_falls_back_to_row_by_row(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    storage.store_scored_posts(engine, [scored("1")], scorer="vader", ingested_ms=5)
    # Another worker stored "1" after our duplicate check: the bulk insert hits the unique constraint.
    monkeypatch.setattr(storage, "_existing_keys", lambda _engine, _keys: set())
    result = storage.store_scored_posts(engine, [scored("1"), scored("2"), scored("3")], scorer="vader", ingested_ms=6)
    assert (result.inserted, result.duplicates) == (2, 1)
    assert storage.known_external_ids(engine, "reddit", ["1", "2", "3"]) == {"1", "2", "3"}
    assert len(storage.posts_for_symbol(engine, "BTC", since_ms=0, until_ms=10_000)) == 3
