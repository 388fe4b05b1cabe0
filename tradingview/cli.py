"""``tradehub tradingview ...``: create, list, rotate and revoke hooks; list alerts with their outcome.

$ tradehub tradingview create alice --passphrase 's3cret-phrase' --symbol BTCUSDT --size '$100'
...
/tradingview/3q2...   (the URL path, printed last)
"""

from __future__ import annotations

from types import ModuleType
from typing import Annotated

import typer
from pydantic import ValidationError

from engine.errors import TradehubError
from hub.app.container import Container
from tradingview.alerts import AlertStore
from tradingview.chat import alert_line
from tradingview.config import TradingViewSettings
from tradingview.hooks import Hook, HookStore
from tradingview.schemas import HookCreate


def _hub_cli() -> ModuleType:
    """The ``tradehub`` CLI module, imported late: it mounts this module's ``app`` when it loads."""
    from hub.app import cli

    return cli


app = typer.Typer(
    help="TradingView webhooks: hooks (the URL you paste into an alert) and alerts.", no_args_is_help=True
)


def _hooks() -> tuple[HookStore, Container]:
    built = _hub_cli().container()
    settings = TradingViewSettings()
    return HookStore(built.db, built.clock, default_rate_limit=settings.rate_limit), built


def _show(hook: Hook) -> str:
    state = "revoked" if hook.revoked_ms is not None else "live"
    extras = []
    if hook.symbols:
        extras.append("symbols=" + ",".join(hook.symbols))
    if hook.default_size:
        extras.append(f"size={hook.default_size}")
    if hook.venue:
        extras.append(f"venue={hook.venue}")
    if hook.passphrase_hash:
        extras.append("passphrase")
    return f"{hook.id}\t{state}\t{hook.mode}\t{hook.token_hint}…\t{hook.rate_limit}\t{' '.join(extras)}"


@app.command("create")
def create(
    user: str,
    mode: Annotated[str, typer.Option(help="orders (each alert is an order) or position (target position)")] = "orders",
    passphrase: Annotated[str | None, typer.Option(help="Required in every alert body (8+ characters)")] = None,
    venue: Annotated[str | None, typer.Option(help="Default venue")] = None,
    size: Annotated[str | None, typer.Option(help="Default size when an alert has none: 0.01, $100 or 10%")] = None,
    symbol: Annotated[list[str] | None, typer.Option(help="Allowed symbol (repeat); default: any")] = None,
    allow_ip: Annotated[list[str] | None, typer.Option(help="Allowed source IP (repeat); `tradingview`")] = None,
    rate_limit: Annotated[str | None, typer.Option(help="Per hook, like 60/minute")] = None,
    label: Annotated[str, typer.Option(help="A name for the hook")] = "",
) -> None:
    """Create a hook for USER; the URL path is printed once, as the last line."""
    store, built = _hooks()
    try:
        request = HookCreate(
            mode=mode, passphrase=passphrase, venue=venue, default_size=size, symbols=symbol or None,  # type: ignore[arg-type]
            allowed_ips=allow_ip or None, rate_limit=rate_limit, label=label,
        )  # fmt: skip
        principal = built.services.users.get(user)
        hook, token = store.create(principal.user_id, request)
    except ValidationError as error:
        _hub_cli().err.print(f"[bold red]error:[/] {error.errors()[0]['loc'][0]}: {error.errors()[0]['msg']}")
        raise typer.Exit(2) from None
    except TradehubError as error:
        raise _hub_cli().fail(error) from None
    _hub_cli().out.print(
        f"hook {hook.id} for {user} ({hook.mode}); paste this URL (store it now, it is not shown again):"
    )
    print(f"/tradingview/{token}")


@app.command("list")
def list_hooks(
    user: Annotated[str | None, typer.Argument(help="Only this user's hooks")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include revoked hooks")] = False,
) -> None:
    """List hooks (tokens are never shown again; the hint is their first characters)."""
    store, built = _hooks()
    try:
        user_id = None if user is None else built.services.users.get(user).user_id
    except TradehubError as error:
        raise _hub_cli().fail(error) from None
    for hook in store.list(user_id, include_revoked=all_):
        _hub_cli().out.print(_show(hook))


@app.command("rotate")
def rotate(hook_id: str) -> None:
    """Give HOOK_ID a new URL; the old one stops working. The new path is printed last."""
    store, _ = _hooks()
    try:
        hook, token = store.rotate(None, hook_id)
    except TradehubError as error:
        raise _hub_cli().fail(error) from None
    _hub_cli().out.print(f"hook {hook.id} rotated; the new URL path:")
    print(f"/tradingview/{token}")


@app.command("revoke")
def revoke(hook_id: str) -> None:
    """Revoke HOOK_ID: its URL answers 404 from now on."""
    store, _ = _hooks()
    try:
        hook = store.revoke(None, hook_id)
    except TradehubError as error:
        raise _hub_cli().fail(error) from None
    _hub_cli().out.print(f"hook {hook.id} revoked")


@app.command("alerts")
def alerts(
    user: Annotated[str | None, typer.Option(help="Only this user's alerts")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    status: Annotated[
        str | None, typer.Option(help="executed, rejected, duplicate, rate_limited, pending, ...")
    ] = None,
) -> None:
    """List recent alerts with their outcome, newest first."""
    _, built = _hooks()
    store = AlertStore(built.db, window_ms=0, publish=built.bus.publish)
    try:
        user_id = None if user is None else built.services.users.get(user).user_id
    except TradehubError as error:
        raise _hub_cli().fail(error) from None
    for record in store.list(user_id, limit=limit, status=status):
        _hub_cli().out.print(alert_line(record))


@app.command("execute")
def execute(
    once: Annotated[bool, typer.Option(help="Drain the pending alerts and exit")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between looks for new alerts")] = 0.2,
    most: Annotated[int | None, typer.Option("--max", min=1, help="Stop after this many alerts")] = None,
) -> None:
    """Execute pending alerts in this process (for servers run with TRADEHUB_TRADINGVIEW_EXECUTE=false)."""
    import asyncio
    import time

    from tradingview.executor import AlertExecutor

    built = _hub_cli().container()
    settings = TradingViewSettings()
    store = AlertStore(built.db, window_ms=settings.dedupe_window_s * 1000, publish=built.bus.publish)
    executor = AlertExecutor(built.hub, store)

    async def run() -> int:
        total = 0
        while True:
            total += await executor.drain(None if most is None else most - total)
            if once or (most is not None and total >= most):
                return total
            await asyncio.sleep(poll)

    started = time.perf_counter()
    count = asyncio.run(run())
    _hub_cli().out.print(f"executed {count} alert(s) in {time.perf_counter() - started:.2f} s")
