"""Registration with the composition root (hub/app/extensions.py). Imports lazily."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from hub.app.container import Container
    from hub.dispatch import Handler


def metadata() -> MetaData:
    from strategies.copytrade.storage import metadata as tables

    return tables


def handlers(container: Container) -> dict[str, Handler]:
    from strategies.copytrade import service_for
    from strategies.copytrade.chat import make_handlers

    return make_handlers(service_for(container))


def cli() -> tuple[str, Any]:
    from strategies.copytrade.cli import app

    return "copytrade", app


@contextlib.asynccontextmanager
async def background(container: Container) -> AsyncIterator[None]:
    """For the server's lifetime: a mirror pass at start (fills a crash left unfinished), then one every
    ``TRADEHUB_COPYTRADE_SWEEP_INTERVAL_S``; leader fills themselves wake the loop at once."""
    from strategies.copytrade import service_for

    service = service_for(container)

    async def sweep_forever() -> None:
        while True:
            service.kick()
            await asyncio.sleep(service.settings.sweep_interval_s)

    task = asyncio.create_task(sweep_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await service.idle()
