"""Chat support is the optional ``chat`` extra: without it the server still starts, and says what to install.

A platform's endpoint then answers 503 with the install command, and its background mode refuses to
start only when the operator configured that platform (a token is set but the library is missing).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from engine.errors import OperatorError

INSTALL = "pip install 'tradehub[chat]'"
_LIBRARIES = frozenset({"telegram", "slack_bolt", "slack_sdk", "discord", "nacl", "aiohttp"})
T = TypeVar("T")


def _missing(error: ModuleNotFoundError) -> bool:
    return (error.name or "").split(".")[0] in _LIBRARIES


def router_or_notice(load: Callable[[], APIRouter], path: str, platform: str) -> APIRouter:
    """The platform's router, or one whose endpoint explains that chat support is not installed."""
    try:
        return load()
    except ModuleNotFoundError as error:
        if not _missing(error):
            raise
    notice = APIRouter()

    @notice.post(path, include_in_schema=False)
    async def not_installed() -> JSONResponse:
        message = f"{platform} support is not installed on this server: {INSTALL}"
        return JSONResponse({"error": {"code": "not_installed", "message": message}}, status_code=503)

    return notice


def background_or_idle(
    load: Callable[[], AbstractAsyncContextManager[None]], *, configured: bool, setting: str, platform: str
) -> AbstractAsyncContextManager[None]:
    """The platform's background mode; without the library, idle, or a clear error when it was configured."""
    try:
        return load()
    except ModuleNotFoundError as error:
        if not _missing(error):
            raise
        if configured:
            raise OperatorError(f"{setting} is set but {platform} support is not installed: {INSTALL}") from None
        return contextlib.nullcontext()
