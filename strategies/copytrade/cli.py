"""``tradehub copytrade``: ``lead NAME [--discord URL] [--off]`` (opt a user in or out as a leader without
the channel URL passing through chat or the audit log) and ``sweep`` (finish interrupted fan-outs)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import typer

app = typer.Typer(help="Copy trading: leaders and maintenance.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Copy trading: leaders and maintenance."""


def _with_service(work: Callable[[Any, Any], Coroutine[Any, Any, str]]) -> str:
    from hub.app.container import build
    from hub.app.settings import Settings
    from strategies.copytrade import service_for

    container = build(Settings())
    try:
        return asyncio.run(work(container, service_for(container)))
    finally:
        container.close()


@app.command()
def lead(
    name: str,
    discord: Annotated[str | None, typer.Option(help="Discord channel webhook URL for fill posts")] = None,
    off: Annotated[bool, typer.Option("--off", help="Stop leading")] = False,
) -> None:
    """Let user NAME's trades be copied by followers (or stop, with --off)."""
    from engine.errors import TradehubError

    async def work(container: Any, service: Any) -> str:
        user = container.services.users.get(name)
        data = await service.lead(user.user_id, on=not off, discord_url=None if off else discord)
        channel = f", fills posted to {data['discord']}" if data["discord"] else ""
        return f"{name} {'leads' if data['active'] else 'no longer leads'} ({data['followers']} follower(s){channel})"

    try:
        typer.echo(_with_service(work))
    except TradehubError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None


@app.command()
def sweep() -> None:
    """Finish the fan-out of leader fills a crash interrupted (idempotent)."""

    async def work(container: Any, service: Any) -> str:
        results = await service.sweep()
        mirrored = sum(result.mirrored for result in results)
        skipped = sum(result.skipped for result in results)
        return f"{len(results)} leader fill(s): {mirrored} copied, {skipped} skipped"

    typer.echo(_with_service(work))
