"""Without the `chat` extra the server runs; a configured platform says exactly what to install."""

from __future__ import annotations

import contextlib

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from bots.extras import background_or_idle, router_or_notice
from engine.errors import OperatorError


def _absent() -> APIRouter:
    raise ModuleNotFoundError("No module named 'telegram'", name="telegram")


def test_the_endpoint_answers_503_with_the_install_command() -> None:
    app = FastAPI()
    app.include_router(router_or_notice(_absent, "/telegram/webhook", "Telegram"))
    response = TestClient(app).post("/telegram/webhook", json={"update_id": 1})
    assert response.status_code == 503
    assert response.json()["error"] == {
        "code": "not_installed",
        "message": "Telegram support is not installed on this server: pip install 'tradehub[chat]'",
    }


def test_background_idles_unless_the_platform_was_configured() -> None:
    idle = background_or_idle(_absent, configured=False, setting="TRADEHUB_TELEGRAM_TOKEN", platform="Telegram")
    assert isinstance(idle, contextlib.nullcontext)
    with pytest.raises(OperatorError, match=r"TRADEHUB_TELEGRAM_TOKEN is set but Telegram support is not installed"):
        background_or_idle(_absent, configured=True, setting="TRADEHUB_TELEGRAM_TOKEN", platform="Telegram")


def test_other_import_errors_are_not_hidden() -> None:
    def broken() -> APIRouter:
        raise ModuleNotFoundError("No module named 'bots.telegram.typo'", name="bots.telegram.typo")

    with pytest.raises(ModuleNotFoundError):
        router_or_notice(broken, "/telegram/webhook", "Telegram")
