"""Database plumbing shared by every package that stores rows: the declarative base, the exact
``Money`` column type and the engine factory with SQLite and PostgreSQL settings.

SQLite has no decimal type, so money is stored there as text (exact); PostgreSQL uses NUMERIC.
SQLite transactions start with ``BEGIN IMMEDIATE`` so read-modify-write of balances is serialised
across processes; on PostgreSQL the same code takes row locks (``SELECT ... FOR UPDATE``).
Reads that no write follows use ``read_only(engine)``: on SQLite its transactions start with a
deferred ``BEGIN`` (a consistent snapshot without taking the write lock); on PostgreSQL it is the
same engine.
"""

from __future__ import annotations

from decimal import Context, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Dialect, Numeric, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator, TypeEngine

from engine.storage import checkpoint

_WIDE = Context(prec=60)  # NUMERIC(38, 18) values must not be rounded by the default 28 digits
READ_ONLY = "tradehub_read_only"  # execution option: the transaction only reads


class Base(DeclarativeBase):
    pass


class Money(TypeDecorator[Decimal]):
    """An exact decimal: NUMERIC(38, 18) on PostgreSQL, canonical text on SQLite."""

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(38, 18, asdecimal=True))
        return dialect.type_descriptor(String(64))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"Money columns take Decimal, got {type(value).__name__}")
        if dialect.name == "postgresql":
            return value
        return format(value, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):  # NUMERIC(38, 18) pads with zeros: give back the plain value
            return strip_zeros(value)
        return Decimal(value)


def strip_zeros(value: Decimal) -> Decimal:
    """``Decimal('1.500')`` -> ``Decimal('1.5')``, ``Decimal('100.00')`` -> ``Decimal('100')`` (no exponent)."""
    normal = value.normalize(_WIDE)
    return normal.quantize(Decimal(1), context=_WIDE) if normal.as_tuple().exponent > 0 else normal


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Build the SQLAlchemy engine for ``url`` with the settings tradehub relies on."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def read_only(engine: Engine) -> Engine:
    """The same pool and settings as ``engine``, for transactions that only read (no write lock on
    SQLite). Writing through it on SQLite may fail with "database is locked" under contention: don't."""
    return engine.execution_options(**{READ_ONLY: True})


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    if not in_memory:
        path = url.split("///", 1)[1]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, echo=echo, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        statement = "BEGIN" if connection.get_execution_options().get(READ_ONLY, False) else "BEGIN IMMEDIATE"
        dialect = connection.dialect
        try:  # on the DBAPI connection: through exec_driver_sql it cost as much as a write
            connection.connection.driver_connection.execute(statement)
        except dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(statement, (), error, dialect.loaded_dbapi.Error, dialect=dialect) from error

    if not in_memory:
        checkpoint.install(engine, Path(path))  # WAL checkpoints in a background thread, not in a commit
    return engine
