"""Connections to the real PostgreSQL and Redis: skip without them on a laptop, fail loudly in CI."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest

POSTGRES_URL = os.environ.get("TRADEHUB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TRADEHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=1):
            return True
    except OSError:
        return False


def require(url: str, name: str) -> str:
    """Return ``url`` if its server answers; otherwise skip (laptop) or fail (CI=true)."""
    if reachable(url):
        return url
    message = f"{name} is not reachable at {urlparse(url).hostname}:{urlparse(url).port}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI requires it (.ci/run starts it)")
    pytest.skip(f"{message}; start it to run this integration test")


@contextmanager
def fresh_postgres_database(url: str) -> Iterator[str]:
    """Create an empty database for one test and drop it afterwards."""
    import psycopg

    name = f"tradehub_test_{uuid.uuid4().hex[:12]}"
    admin = url.replace("postgresql://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parsed = urlparse(url)
    try:
        yield parsed._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
