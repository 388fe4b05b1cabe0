"""TradingView fixtures: the live app with chosen TradingView settings, a trader with a hook."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.app.api import create_app
from hub.app.container import Container
from tests.conftest import LiveServer

PAYLOADS = Path(__file__).parent / "payloads"
DONE = {"executed", "rejected", "no_change", "awaiting_confirmation", "failed", "duplicate", "rate_limited"}


@dataclass
class Trader:
    """A trader with an API key, talking to the live app over HTTP."""

    url: str
    key: str
    container: Container

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def create_hook(self, **options: Any) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/api/v1/tradingview/hooks", json=options, headers=self.auth, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()

    def send(
        self, hook: dict[str, Any], body: str | bytes, *, content_type: str = "text/plain; charset=utf-8", **kw: Any
    ) -> httpx.Response:
        headers = {"Content-Type": content_type, **kw.pop("headers", {})}
        kw.setdefault("timeout", 30)
        return httpx.post(f"{self.url}{hook['url']}", content=body, headers=headers, **kw)

    def alerts(self, **params: Any) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/api/v1/tradingview/alerts", params=params, headers=self.auth, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["alerts"]

    def outcome(self, alert_id: str, *, timeout: float = 60.0) -> dict[str, Any]:
        """Wait until the alert has its outcome (it executes after the acknowledgement)."""
        deadline = time.monotonic() + timeout
        while True:
            found = {a["id"]: a for a in self.alerts(limit=1000)}
            alert = found.get(alert_id)
            if alert is not None and alert["status"] in DONE:
                return alert
            if time.monotonic() > deadline:
                raise AssertionError(f"alert {alert_id} has no outcome: {alert}")
            time.sleep(0.05)


@pytest.fixture
def serve(container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Trader]]:
    """``serve(trusted_proxies='["127.0.0.1"]')`` starts the app with those TRADEHUB_TRADINGVIEW_* settings
    and returns ``alice`` (a funded trader with an API key)."""
    servers: list[LiveServer] = []

    def start(**env: str) -> Trader:
        for name, value in env.items():
            monkeypatch.setenv(f"TRADEHUB_TRADINGVIEW_{name.upper()}", value)
        container.add_user("alice")
        key = container.services.users.create_key("alice")
        server = LiveServer(create_app(container)).__enter__()
        servers.append(server)
        return Trader(server.url, key, container)

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture
def alice(serve: Callable[..., Trader]) -> Trader:
    return serve()
