"""Sentiment tables and the functions that read and write them.

The tables live on their own `metadata` (the lead includes it in the Alembic migrations); all
are prefixed `sentiment_`. Every function takes the SQLAlchemy `Engine` it works on; nothing is
connected at import time. Timestamps are integer milliseconds since the epoch, UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.exc import IntegrityError

from sentiment.models import Label, Post, Score, ScoredPost

metadata = MetaData()

posts = Table(
    "sentiment_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(32), nullable=False),
    Column("external_id", String(191), nullable=False),
    Column("channel", String(191), nullable=False, default=""),
    Column("author", String(191), nullable=False, default=""),
    Column("url", String(1024), nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("ingested_ms", BigInteger, nullable=False),
    Column("engagement", Integer, nullable=False, default=0),
    Column("scorer", String(32), nullable=False),
    Column("label", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("cues", Text, nullable=False, default="[]"),
    UniqueConstraint("source", "external_id", name="uq_sentiment_posts_source_external_id"),
)

post_symbols = Table(
    "sentiment_post_symbols",
    metadata,
    Column("post_id", Integer, ForeignKey("sentiment_posts.id", ondelete="CASCADE"), primary_key=True),
    Column("symbol", String(32), primary_key=True),
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_sentiment_post_symbols_symbol_created", "symbol", "created_ms"),
)

index_points = Table(
    "sentiment_index_points",
    metadata,
    Column("symbol", String(32), primary_key=True),
    Column("ts_ms", BigInteger, primary_key=True),
    Column("value", Float, nullable=False),
    Column("volume", Integer, nullable=False),
)

source_cursors = Table(
    "sentiment_source_cursors",
    metadata,
    Column("source", String(32), primary_key=True),
    Column("key", String(191), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

channel_optins = Table(
    "sentiment_channel_optins",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("channel_id", String(191), primary_key=True),
    Column("enabled", Boolean, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)


@dataclass(frozen=True, slots=True)
class StoreResult:
    """How many posts were new and how many were already stored (same source and external id)."""

    inserted: int
    duplicates: int


def create_tables(engine: Engine) -> None:
    """Create the sentiment tables (embedded mode and tests; production uses Alembic)."""
    metadata.create_all(engine)


def store_scored_posts(engine: Engine, scored: Iterable[ScoredPost], *, scorer: str, ingested_ms: int) -> StoreResult:
    """Insert posts with their scores, skipping any (source, external id) already stored.

    New posts go in as one bulk insert; if a concurrent writer stored some of them meanwhile,
    the batch is retried row by row so only the true duplicates are skipped.
    """
    items = list(scored)
    unique: dict[tuple[str, str], ScoredPost] = {}
    for item in items:
        unique.setdefault((item.post.source, item.post.external_id), item)
    existing = _existing_keys(engine, list(unique))
    fresh = [item for key, item in unique.items() if key not in existing]
    try:
        with engine.begin() as connection:
            _bulk_insert(connection, fresh, scorer, ingested_ms)
        inserted = len(fresh)
    except IntegrityError:
        inserted = _insert_one_by_one(engine, fresh, scorer, ingested_ms)
    return StoreResult(inserted, len(items) - inserted)


def _existing_keys(engine: Engine, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    for source, ids in by_source.items():
        for start in range(0, len(ids), 500):
            found.update((source, known) for known in known_external_ids(engine, source, ids[start : start + 500]))
    return found


def _row(item: ScoredPost, scorer: str, ingested_ms: int) -> dict[str, object]:
    post, score = item.post, item.score
    return {
        "source": post.source, "external_id": post.external_id, "channel": post.channel, "author": post.author,
        "url": post.url, "text": post.text, "created_ms": post.created_ms, "ingested_ms": ingested_ms,
        "engagement": post.engagement, "scorer": scorer, "label": score.label.value, "score": score.score,
        "cues": json.dumps(list(score.cues)),
    }  # fmt: skip


def _bulk_insert(connection: Connection, items: list[ScoredPost], scorer: str, ingested_ms: int) -> None:
    if not items:
        return
    statement = posts.insert().returning(posts.c.id, sort_by_parameter_order=True)
    ids = connection.execute(statement, [_row(item, scorer, ingested_ms) for item in items]).scalars().all()
    links = [
        {"post_id": post_id, "symbol": symbol, "created_ms": item.post.created_ms}
        for post_id, item in zip(ids, items, strict=True)
        for symbol in item.post.symbols
    ]
    if links:
        connection.execute(post_symbols.insert(), links)


def _insert_one_by_one(engine: Engine, items: list[ScoredPost], scorer: str, ingested_ms: int) -> int:
    inserted = 0
    for item in items:
        try:
            with engine.begin() as connection:
                _bulk_insert(connection, [item], scorer, ingested_ms)
        except IntegrityError:
            continue
        inserted += 1
    return inserted


def known_external_ids(engine: Engine, source: str, external_ids: Sequence[str]) -> set[str]:
    """Which of `external_ids` of `source` are already stored (lets sources skip scoring them)."""
    if not external_ids:
        return set()
    query = select(posts.c.external_id).where(posts.c.source == source, posts.c.external_id.in_(external_ids))
    with engine.connect() as connection:
        return set(connection.scalars(query))


def posts_for_symbol(engine: Engine, symbol: str, *, since_ms: int, until_ms: int) -> list[ScoredPost]:
    """Stored posts mentioning `symbol` created in [since_ms, until_ms], oldest first."""
    query = (
        select(posts, post_symbols.c.symbol)
        .join(post_symbols, post_symbols.c.post_id == posts.c.id)
        .where(post_symbols.c.symbol == symbol, post_symbols.c.created_ms.between(since_ms, until_ms))
        .order_by(posts.c.created_ms, posts.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [_scored_post(row) for row in rows]


def _scored_post(row: object) -> ScoredPost:
    data = dict(row)  # type: ignore[call-overload]
    post = Post(
        source=data["source"], external_id=data["external_id"], text=data["text"], created_ms=data["created_ms"],
        author=data["author"], url=data["url"], engagement=data["engagement"], symbols=(data["symbol"],),
        channel=data["channel"],
    )  # fmt: skip
    score = Score(Label(data["label"]), data["score"], tuple(json.loads(data["cues"])))
    return ScoredPost(post, score)


def tracked_symbols(engine: Engine, *, since_ms: int) -> list[str]:
    """Symbols with at least one post since `since_ms`."""
    query = select(post_symbols.c.symbol).where(post_symbols.c.created_ms >= since_ms).distinct()
    with engine.connect() as connection:
        return sorted(connection.scalars(query))


def record_index_point(engine: Engine, symbol: str, ts_ms: int, value: float, volume: int) -> None:
    """Store (or replace) the index value of `symbol` at `ts_ms`."""
    with engine.begin() as connection:
        connection.execute(index_points.delete().where(index_points.c.symbol == symbol, index_points.c.ts_ms == ts_ms))
        connection.execute(index_points.insert().values(symbol=symbol, ts_ms=ts_ms, value=value, volume=volume))


def index_history(engine: Engine, symbol: str, *, since_ms: int) -> list[tuple[int, float, int]]:
    """(ts_ms, value, volume) points of `symbol` since `since_ms`, oldest first."""
    query = (
        select(index_points.c.ts_ms, index_points.c.value, index_points.c.volume)
        .where(index_points.c.symbol == symbol, index_points.c.ts_ms >= since_ms)
        .order_by(index_points.c.ts_ms)
    )
    with engine.connect() as connection:
        return [(row.ts_ms, row.value, row.volume) for row in connection.execute(query)]


def get_cursor(engine: Engine, source: str, key: str) -> str | None:
    """A source's saved position (newest id seen, ETag, ...) for `key`, or None."""
    query = select(source_cursors.c.value).where(source_cursors.c.source == source, source_cursors.c.key == key)
    with engine.connect() as connection:
        return connection.scalar(query)


def set_cursor(engine: Engine, source: str, key: str, value: str, *, now_ms: int) -> None:
    """Save a source's position for `key`."""
    where = (source_cursors.c.source == source) & (source_cursors.c.key == key)
    with engine.begin() as connection:
        connection.execute(source_cursors.delete().where(where))
        connection.execute(source_cursors.insert().values(source=source, key=key, value=value, updated_ms=now_ms))


def set_channel_optin(engine: Engine, platform: str, channel_id: str, *, enabled: bool, now_ms: int) -> None:
    """Opt a chat channel in to (or out of) sentiment ingestion."""
    where = (channel_optins.c.platform == platform) & (channel_optins.c.channel_id == channel_id)
    with engine.begin() as connection:
        connection.execute(channel_optins.delete().where(where))
        connection.execute(
            channel_optins.insert().values(platform=platform, channel_id=channel_id, enabled=enabled, updated_ms=now_ms)
        )


def is_channel_opted_in(engine: Engine, platform: str, channel_id: str) -> bool:
    """Whether messages from this channel may be ingested (default: no)."""
    query = select(channel_optins.c.enabled).where(
        channel_optins.c.platform == platform, channel_optins.c.channel_id == channel_id
    )
    with engine.connect() as connection:
        return bool(connection.scalar(query))


def prune(engine: Engine, *, older_than_ms: int) -> int:
    """Delete posts (with their symbol links) and index points older than `older_than_ms`; return posts deleted."""
    with engine.begin() as connection:
        old_ids = select(posts.c.id).where(posts.c.created_ms < older_than_ms)
        connection.execute(post_symbols.delete().where(post_symbols.c.post_id.in_(old_ids)))
        deleted = connection.execute(posts.delete().where(posts.c.created_ms < older_than_ms)).rowcount
        connection.execute(index_points.delete().where(index_points.c.ts_ms < older_than_ms))
    return int(deleted or 0)
