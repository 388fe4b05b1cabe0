"""Where optional packages plug into the composition root: one line each, in one place.

- ``METADATA``: SQLAlchemy metadata whose tables the Alembic migrations own.
- ``ROUTERS``: functions ``(container) -> fastapi.APIRouter`` mounted on the HTTP app.
- ``CLI``: ``(name, typer.Typer)`` sub-commands of ``tradehub``; ``CLI_COMMANDS``: single commands.
- ``HANDLERS``: functions ``(container) -> {family: handler}`` registered on the hub.
- ``BACKGROUND``: functions ``(container) -> async context manager`` that ``serve`` runs for the server's
  lifetime (chat bots in their no-public-URL modes); each does nothing unless it is configured.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData

import bots.discord.plugin as discord_plugin
import bots.slack.plugin as slack_plugin
import bots.telegram.plugin as telegram_plugin
import engine.orders.algos.plugin as algos_plugin
import engine.riskmonitor.plugin as riskmonitor_plugin
import engine.venues.plugin as venues_plugin
import strategies.copytrade.plugin as copytrade_plugin
import strategies.live.plugin as strategies_plugin
import tradingview.plugin as tradingview_plugin
import webhooks.plugin as webhooks_plugin

if TYPE_CHECKING:
    from fastapi import APIRouter

    from hub.app.container import Container
    from hub.dispatch import Handler


def _core_metadata() -> MetaData:
    import engine.storage.models  # noqa: F401
    import hub.models  # noqa: F401
    from engine.storage.db import Base

    return Base.metadata


def _sentiment_metadata() -> MetaData:
    from sentiment.storage import metadata

    return metadata


def _sentiment_cli() -> tuple[str, Any]:
    from sentiment.cli import app

    return "sentiment", app


def _backtest_command() -> tuple[str, Callable[..., Any]]:
    from strategies.backtest.cli import backtest_command

    return "backtest", backtest_command


METADATA: list[Callable[[], MetaData]] = [
    _core_metadata,
    _sentiment_metadata,
    webhooks_plugin.metadata,
    tradingview_plugin.metadata,
    strategies_plugin.metadata,
    copytrade_plugin.metadata,
    venues_plugin.metadata,
    riskmonitor_plugin.metadata,
    algos_plugin.metadata,
]
ROUTERS: list[Callable[[Container], APIRouter]] = [
    webhooks_plugin.router,
    tradingview_plugin.router,
    venues_plugin.router,
    telegram_plugin.router,
    slack_plugin.router,
    discord_plugin.router,
]
CLI: list[Callable[[], tuple[str, Any]]] = [
    _sentiment_cli,
    webhooks_plugin.cli,
    tradingview_plugin.cli,
    copytrade_plugin.cli,
    venues_plugin.cli,
    riskmonitor_plugin.cli,
]
CLI_COMMANDS: list[Callable[[], tuple[str, Callable[..., Any]]]] = [_backtest_command]
HANDLERS: list[Callable[[Container], dict[str, Handler]]] = [
    webhooks_plugin.handlers,
    tradingview_plugin.handlers,
    strategies_plugin.handlers,
    copytrade_plugin.handlers,
    riskmonitor_plugin.handlers,
    venues_plugin.handlers,
]
BACKGROUND: list[Callable[[Container], AbstractAsyncContextManager[None]]] = [
    algos_plugin.background,
    riskmonitor_plugin.background,
    telegram_plugin.background,
    slack_plugin.background,
    discord_plugin.background,
    copytrade_plugin.background,
    venues_plugin.background,
]
