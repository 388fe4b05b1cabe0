"""Webhook tests reach receivers on 127.0.0.1, so loopback is allowed past the SSRF guard here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEHUB_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("TRADEHUB_WEBHOOK_PUMP", "false")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running
