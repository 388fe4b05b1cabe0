"""Read-only transactions on SQLite take no write lock; writes keep ``BEGIN IMMEDIATE``."""

from __future__ import annotations

import sqlite3
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.storage import repository as repo
from engine.storage.db import Base, make_engine, read_only


def test_a_read_only_transaction_leaves_the_database_writable(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        with read_only(engine).connect() as conn:
            assert repo.balances(conn, 1, "paper") == {}  # the transaction is open and has read
            other.execute("BEGIN IMMEDIATE")  # would raise "database is locked" under a write lock
            other.execute("INSERT INTO engine_state (key, value) VALUES ('k', 'v')")
            other.execute("COMMIT")
        with engine.connect() as conn:  # a plain connection writes, as before
            conn.execute(text("SELECT 1"))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()
        engine.dispose()


def test_balances_of_several_assets_are_written_in_one_call(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        repo.set_balances(conn, 7, "paper", {"USDT": (D("10.5"), D("1")), "BTC": (D("0.25"), D("0"))})
    with engine.begin() as conn:
        repo.set_balances(conn, 7, "paper", {"USDT": (D("9.5"), D("0"))})
        repo.set_balances(conn, 7, "paper", {})
    with read_only(engine).connect() as conn:
        assert repo.balances(conn, 7, "paper") == {"USDT": (D("9.5"), D("0")), "BTC": (D("0.25"), D("0"))}
    engine.dispose()
