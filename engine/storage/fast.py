"""Hot statements run straight on the DBAPI cursor of the caller's SQLAlchemy connection.

An order costs about fifteen statements; through ``Connection.execute`` each pays tens of microseconds
of SQLAlchemy bookkeeping (cache key, execution context, parameter and result objects) for a few
microseconds of SQLite. A ``Prepared`` statement is compiled once per dialect by SQLAlchemy itself (the
same SQL text, the same bind and result processors, so ``Money`` and JSON behave exactly as through
``Connection.execute``) and then run on the connection's DBAPI cursor, inside the caller's transaction.

DBAPI errors are wrapped in the matching ``sqlalchemy.exc`` class (``IntegrityError`` ...), as
``Connection.execute`` does. Statement events (``before_cursor_execute``) do not see these statements.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable


class _Compiled:
    __slots__ = ("binds", "columns", "positional", "processors", "result_types", "row", "sql")

    def __init__(self, statement: Any, column_keys: list[str] | None, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        if compiled.escaped_bind_names or compiled.literal_execute_params:
            raise ValueError("a prepared statement takes plain bound parameters only")
        self.sql: str = compiled.string
        self.positional: bool = bool(dialect.positional)
        names = compiled.positiontup if self.positional else list(compiled.bind_names.values())
        processors = compiled._bind_processors
        self.binds: list[tuple[str, Callable[[Any], Any] | None]] = [(n, processors.get(n)) for n in names or ()]
        selected = getattr(statement, "selected_columns", None)
        self.columns: list[str] = [] if selected is None or statement.is_dml else [c.key for c in selected]
        self.result_types = [] if not self.columns else [c.type for c in selected]
        self.processors: list[Callable[[Any], Any] | None] | None = None
        self.row: Any = namedtuple("Row", self.columns, rename=True) if self.columns else None

    def parameters(self, values: Mapping[str, Any]) -> Any:
        if self.positional:  # a list is a valid parameter sequence and quicker to build than a tuple
            return [values[n] if p is None else p(values[n]) for n, p in self.binds]
        return {n: values[n] if p is None else p(values[n]) for n, p in self.binds}

    def make_rows(self, dialect: Dialect, cursor: Any, raw: Iterable[Sequence[Any]]) -> list[Any]:
        processors = self.processors
        if processors is None:  # needs the driver's column types, known after the first execution
            processors = self.processors = [
                t._cached_result_processor(dialect, d[1])
                for t, d in zip(self.result_types, cursor.description, strict=True)
            ]
        make = self.row._make
        return [make([v if p is None else p(v) for p, v in zip(processors, r, strict=True)]) for r in raw]


class Prepared:
    """A Core statement compiled once per dialect. ``column_keys``: for an ``insert()`` without
    ``values``, the columns the parameters give (as for ``Connection.execute`` with a dict)."""

    __slots__ = ("_by_dialect", "column_keys", "statement")

    def __init__(self, statement: Executable, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = None if column_keys is None else list(column_keys)
        self._by_dialect: dict[tuple[str, str], _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.driver)  # the SQL text and processors depend on both
        found = self._by_dialect.get(key)
        if found is None:
            found = self._by_dialect[key] = _Compiled(self.statement, self.column_keys, dialect)
        return found


def execute(conn: Connection, prepared: Prepared, values: Mapping[str, Any]) -> None:
    """Run a write with one set of parameters."""
    compiled = prepared.compiled(conn.dialect)
    _run(conn, compiled, compiled.parameters(values), many=False)


def execute_many(conn: Connection, prepared: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run a write once per parameter set, in one ``executemany``."""
    if rows:
        compiled = prepared.compiled(conn.dialect)
        _run(conn, compiled, [compiled.parameters(r) for r in rows], many=True)


def fetch_all(conn: Connection, prepared: Prepared, values: Mapping[str, Any]) -> list[Any]:
    """Every row of a query, as named tuples with the result processors applied."""
    compiled = prepared.compiled(conn.dialect)
    return _run(conn, compiled, compiled.parameters(values), many=False, fetch=True)


def fetch_first(conn: Connection, prepared: Prepared, values: Mapping[str, Any]) -> Any:
    """The first row of a query, or None."""
    rows = fetch_all(conn, prepared, values)
    return rows[0] if rows else None


def _run(conn: Connection, compiled: _Compiled, parameters: Any, *, many: bool, fetch: bool = False) -> Any:
    if not conn.in_transaction():
        conn.begin()  # as Connection.execute would: the dialect's BEGIN (IMMEDIATE on SQLite) comes first
    dialect = conn.dialect
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if many:
            cursor.executemany(compiled.sql, parameters)
        else:
            cursor.execute(compiled.sql, parameters)
        return compiled.make_rows(dialect, cursor, cursor.fetchall()) if fetch else None
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            compiled.sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect, ismulti=many
        ) from error
    finally:
        cursor.close()
