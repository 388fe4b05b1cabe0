"""Prepared statements on the DBAPI cursor behave as ``Connection.execute`` does, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import IntegrityError

from engine.storage import fast
from engine.storage.db import Base, make_engine
from engine.storage.models import OutboxRow, PositionRow
from tests.kit.services import POSTGRES_URL, fresh_postgres_database, require

positions = PositionRow.__table__
outbox = OutboxRow.__table__
INSERT_POSITION = fast.Prepared(positions.insert(), [c.name for c in positions.columns])
POSITION = fast.Prepared(select(positions).where(positions.c.user_id == bindparam("user_id")))
INSERT_EVENT = fast.Prepared(outbox.insert(), ["event_id", "type", "user_id", "payload", "ts_ms", "published"])
EVENTS = fast.Prepared(select(outbox.c.event_id, outbox.c.payload, outbox.c.published).order_by(outbox.c.id))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        built = make_engine(f"sqlite:///{tmp_path / 'fast.db'}")
        Base.metadata.create_all(built)
        yield built
        built.dispose()
        return
    with fresh_postgres_database(require(POSTGRES_URL, "PostgreSQL")) as url:
        built = make_engine(url)
        Base.metadata.create_all(built)
        yield built
        built.dispose()


def _position(user_id: int, quantity: D) -> dict[str, object]:
    return {"user_id": user_id, "venue": "paper", "symbol": "BTC/USDT", "quantity": quantity,
            "average_cost": D("46286.280000000000000001"), "realized_pnl": D("-0.5"),
            "fees_paid": D("100.00")}  # fmt: skip


def test_money_and_json_round_trip_exactly(engine: Engine) -> None:
    with engine.begin() as conn:
        fast.execute(conn, INSERT_POSITION, _position(1, D("0.000000000000000001")))
        fast.execute_many(conn, INSERT_EVENT, [
            {"event_id": f"e{i}", "type": "t", "user_id": 1, "payload": {"n": i, "s": "x"}, "ts_ms": i,
             "published": False} for i in range(3)
        ])  # fmt: skip
    with engine.connect() as conn:
        row = fast.fetch_first(conn, POSITION, {"user_id": 1})
        assert conn.in_transaction()  # the statement began the transaction, as Connection.execute does
        events = fast.fetch_all(conn, EVENTS, {})
        assert fast.fetch_first(conn, POSITION, {"user_id": 2}) is None
    assert (row.quantity, row.average_cost, row.realized_pnl, row.fees_paid) == (
        D("0.000000000000000001"), D("46286.280000000000000001"), D("-0.5"), D("100"))  # fmt: skip
    assert [(e.event_id, e.payload, e.published) for e in events] == [
        (f"e{i}", {"n": i, "s": "x"}, False) for i in range(3)
    ]


def test_errors_are_sqlalchemy_errors_and_roll_back(engine: Engine) -> None:
    with engine.begin() as conn:
        fast.execute(conn, INSERT_POSITION, _position(1, D("1")))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        fast.execute(conn, INSERT_POSITION, _position(3, D("3")))
        fast.execute(conn, INSERT_POSITION, _position(1, D("2")))  # the same primary key
    with engine.connect() as conn:
        assert fast.fetch_first(conn, POSITION, {"user_id": 3}) is None  # the whole transaction rolled back
        assert fast.fetch_first(conn, POSITION, {"user_id": 1}).quantity == D("1")


def test_money_columns_refuse_floats(engine: Engine) -> None:
    with pytest.raises(TypeError, match="Decimal"), engine.begin() as conn:
        fast.execute(conn, INSERT_POSITION, _position(1, 0.5))  # type: ignore[arg-type]
