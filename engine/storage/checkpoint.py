"""SQLite WAL checkpoints off the request path.

In WAL mode SQLite copies the log back into the database (a checkpoint, with an fsync) inside whichever
commit crosses ``wal_autocheckpoint`` pages: about one order in seventy paid several milliseconds for
it (the hub benchmark's p99). Here a background thread checkpoints (``PASSIVE``: it never waits for
readers or writers) every ``EVERY_COMMITS`` commits of the engine and at least every ``IDLE_S``
seconds. Commits stay exactly as durable as before. The connections' own automatic checkpoint is
raised to ``BACKSTOP_PAGES``, so the log stays bounded if this thread ever falls behind or dies.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

EVERY_COMMITS = 20
IDLE_S = 1.0
BACKSTOP_PAGES = 4000  # SQLite's default is 1000 pages


class Checkpointer:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.checkpoints = 0
        self._commits = 0
        self._thread = threading.Thread(target=self._run, name=f"sqlite-checkpoint {path.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def committed(self) -> None:
        self._commits += 1  # a lost update under threads only delays a checkpoint
        if self._commits >= EVERY_COMMITS:
            self._commits = 0
            self.wake.set()

    def stop(self) -> None:
        self.stopped.set()
        self.wake.set()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while not self.stopped.is_set():
                self.wake.wait(IDLE_S)
                self.wake.clear()
                if self.stopped.is_set():
                    break
                try:
                    if conn is None:  # mode=rw: never create a database that was removed
                        conn = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, timeout=0, isolation_level=None)
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error:
                    if conn is not None:
                        conn.close()
                        conn = None
                    if not self.path.exists():
                        break  # the database is gone (a deleted temporary directory): nothing to do
        finally:
            if conn is not None:
                conn.close()


def install(engine: Engine, path: Path) -> Checkpointer:
    """Checkpoint ``engine``'s database file in the background until the engine is garbage collected."""
    checkpointer = Checkpointer(path)

    @event.listens_for(engine, "connect")
    def _raise_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")

    @event.listens_for(engine, "commit")
    def _on_commit(_connection: Any) -> None:
        checkpointer.committed()

    weakref.finalize(engine, checkpointer.stop)
    checkpointer.start()
    return checkpointer
