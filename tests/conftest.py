"""Shared fixtures: an isolated tradehub (SQLite in a temp dir, fake clock), the hub driver, live servers."""

from __future__ import annotations

import decimal
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from engine.clock import FakeClock
from engine.storage.db import make_engine
from hub.app import migrate
from hub.app.container import Container, build
from hub.app.settings import Settings
from hub.principals import Role
from tests.kit.hubdriver import HubDriver

pytest_plugins = ["tests.fakes.conftest_plugin", "tests.fakes.exchange_conftest"]

# CI runs the suite on a loaded 2-core machine: a property test must not fail because one example
# (or the data generation) was slow there. Per-test @settings still override max_examples etc.
hypothesis_settings.register_profile("tradehub", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("tradehub")

#: 2022-01-01 00:00 UTC, the first bundled candle: with epoch == start, prices are the data's own.
START_MS = 1_640_995_200_000



@pytest.fixture(autouse=True)
def default_decimal_context() -> None:
    """Each test starts from Python's default decimal context. Libraries that set the caller's context
    (ccxt's rounding helpers do, when a test calls them directly) must not change another test's last
    digits; the product's own ccxt clients keep the context alone (engine/venues/ccxt/factory.py)."""
    decimal.setcontext(decimal.Context())

@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "tradehub.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def make_settings(home: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"home": home, "replay_speed": 1.0, "rate_limit": "1000/second"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START_MS)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def container(settings: Settings, clock: FakeClock, template_db: Path) -> Iterator[Container]:
    shutil.copy(template_db, settings.home / "tradehub.db")
    built = build(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def hub(container: Container) -> HubDriver:
    """The hub with one funded trader, ``alice``; ``await hub.push("buy 0.01 BTC/USDT")``."""
    alice = container.add_user("alice", role=Role.TRADER)
    return HubDriver(container, alice)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The real app under uvicorn in a background thread, reached over real HTTP."""

    def __init__(self, app: object) -> None:
        import uvicorn

        # Bind here and hand the socket to uvicorn: picking a free port and binding it later can lose
        # the port to another process in between.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60  # the app's startup (migrations, background services) on a busy CI box
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self._socket.close()


@pytest.fixture
def api(container: Container) -> Iterator[LiveServer]:
    from hub.app.api import create_app

    with LiveServer(create_app(container)) as server:
        yield server


D = Decimal
