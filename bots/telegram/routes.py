"""``POST /telegram/webhook``: verified Telegram updates into the same PTB handlers polling uses.

Telegram sends the ``secret_token`` given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``;
a missing or wrong header is a 401 and nothing runs. Oversized or malformed bodies are 4xx and
nothing runs. The update is processed before the 200 goes back, so a failed delivery is redelivered
by Telegram, and its ``update_id`` keeps the command from running twice.
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from telegram import Update

from bots.telegram.config import TelegramConfig
from bots.telegram.runtime import TelegramApplication, webhook_application
from bots.telegram.schemas import parse_webhook_body
from engine.errors import UserInputError

if TYPE_CHECKING:
    from hub.app.container import Container

PATH = "/telegram/webhook"


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def make_router(container: Container, config: TelegramConfig | None = None) -> APIRouter:
    config = config or TelegramConfig.from_settings(container.settings)
    state: dict[str, TelegramApplication] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if not config.webhook:
            yield
            return
        async with webhook_application(container, config) as application:
            state["application"] = application
            try:
                yield
            finally:
                state.clear()

    router = APIRouter(lifespan=lifespan, tags=["telegram"])

    @router.post(PATH, summary="Receive a Telegram update (webhook mode)")
    async def receive(
        request: Request,
        secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
    ) -> JSONResponse:
        application = state.get("application")
        if application is None or config.webhook_secret is None:
            return _error(404, "not_found", "the Telegram webhook is not enabled on this server")
        if secret is None or not hmac.compare_digest(secret.encode(), config.webhook_secret.encode()):
            return _error(401, "unauthenticated", "missing or wrong X-Telegram-Bot-Api-Secret-Token")
        raw = await _read_limited(request, config.max_update_bytes)
        if raw is None:
            return _error(413, "payload_too_large", f"an update is at most {config.max_update_bytes} bytes")
        try:
            body = parse_webhook_body(raw)
            update = Update.de_json(body, application.bot)
        except UserInputError as error:
            return _error(400, error.code, error.message)
        except (KeyError, TypeError, ValueError) as error:  # a field of the wrong shape inside the Update
            return _error(400, "invalid_update", f"body: not a Telegram Update ({type(error).__name__}: {error})")
        await application.process_update(update)
        return JSONResponse({"ok": True})

    return router


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or ``None`` as soon as it is known to exceed ``limit`` (declared or streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
