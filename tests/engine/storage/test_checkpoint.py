"""WAL checkpoints run in the background: committed rows reach the database file without a commit
paying for the checkpoint, and the connections' own automatic checkpoint is only a backstop."""

from __future__ import annotations

import shutil
import sqlite3
import time
from decimal import Decimal as D
from pathlib import Path

from sqlalchemy import text

from engine.storage import checkpoint
from engine.storage import repository as repo
from engine.storage.db import Base, make_engine


def _rows_in_main_file(path: Path, copy: Path) -> int:
    """Rows of ``balances`` in the database file alone (a copy without its WAL)."""
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        return conn.execute("SELECT count(*) FROM balances").fetchone()[0]
    except sqlite3.OperationalError:  # the table itself is still only in the WAL
        return 0
    finally:
        conn.close()


def test_commits_reach_the_database_file_in_the_background(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == checkpoint.BACKSTOP_PAGES
    for i in range(checkpoint.EVERY_COMMITS * 3):
        with engine.begin() as conn:
            repo.set_balances(conn, i, "paper", {"USDT": (D(i), D(0))})
    deadline = time.monotonic() + 60
    while _rows_in_main_file(path, tmp_path / "copy.db") < checkpoint.EVERY_COMMITS * 3:
        assert time.monotonic() < deadline, "no checkpoint copied the commits into the database file"
        time.sleep(0.05)
    engine.dispose()
