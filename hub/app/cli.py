"""The ``tradehub`` command line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from engine.errors import TradehubError, UserInputError
from hub.app import logs, metrics
from hub.app.settings import Settings, describe_errors
from hub.principals import Principal, Role

app = typer.Typer(
    name="tradehub",
    help="Chat-ops trading hub: one command grammar for REST, chat bots and TradingView, paper trading by default.",
    no_args_is_help=True,
    add_completion=False,
)
user_app = typer.Typer(help="Manage users (roles: viewer, trader, admin).", no_args_is_help=True)
key_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
channel_app = typer.Typer(help="Chat group channels where trading is allowed.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(key_app, name="key")
app.add_typer(db_app, name="db")
app.add_typer(channel_app, name="channel")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        err.print("[bold red]Invalid configuration:[/]")
        for line in describe_errors(error):
            err.print(f"  {line}")
        raise typer.Exit(2) from None


def container():  # type: ignore[no-untyped-def]
    from hub.app.container import build

    current = settings()
    logs.configure(current.log_level, json=current.log_json)
    return build(current)


def fail(error: TradehubError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {error.message}")
    return typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    worker: Annotated[bool, typer.Option(help="Run the embedded Celery worker and beat")] = True,
) -> None:
    """Start the API server with the engine and, without Redis, an embedded background worker."""
    import uvicorn

    from hub.app.api import create_app

    built = container()
    current = built.settings
    child = None
    if worker and current.embedded_worker and not current.redis_url:
        child = subprocess.Popen(  # the embedded worker shares our environment and database
            [
                sys.executable,
                "-m",
                "hub.app.worker",
                "--quiet",
                "worker",
                "--beat",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=warning",
            ],
            env={**os.environ, "PYTHONWARNINGS": "ignore:You're running the worker with superuser privileges"},
        )
    base = f"http://{host}:{port}"
    out.print(f"tradehub {metrics.VERSION}: API at {base}/api/v1, docs at {base}/docs, health at {base}/healthz")
    out.print(f"database {_safe_url(current.sqlalchemy_url)}; paper trading on replayed Binance candles")
    try:
        uvicorn.run(
            create_app(built),
            host=host,
            port=port,
            loop="uvloop",
            http="httptools",
            log_level="warning",
            access_log=False,
        )
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=10)


@app.command()
def worker(concurrency: Annotated[int, typer.Option(help="Worker processes")] = 2) -> None:
    """Run a Celery worker (use with TRADEHUB_REDIS_URL when scaled out)."""
    from hub.app.worker import make_celery

    make_celery(settings()).worker_main(["worker", f"--concurrency={concurrency}", "--loglevel=info"])


@app.command()
def beat() -> None:
    """Run the Celery beat scheduler (end-of-day P&L snapshots and other periodic jobs)."""
    from hub.app.worker import make_celery

    make_celery(settings()).start(["beat", "--loglevel=info"])


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[Role, typer.Option(help="viewer, trader or admin")] = Role.TRADER,
    team: Annotated[str | None, typer.Option(help="Team the user belongs to")] = None,
) -> None:
    """Create a user with a funded paper account."""
    built = container()
    try:
        principal = built.add_user(name, role=role, team=team)
    except TradehubError as error:
        raise fail(error) from None
    out.print(
        f"user {principal.name} ({principal.role.value}) created with {built.settings.paper_balance} USDT on paper"
    )


@user_app.command("list")
def user_list() -> None:
    """List users and their roles."""
    for principal in container().services.users.list():
        out.print(f"{principal.name}\t{principal.role.value}\t{principal.team or ''}")


@key_app.command("create")
def key_create(name: str) -> None:
    """Create an API key for user NAME; it is printed once, as the last line."""
    try:
        key = container().services.users.create_key(name)
    except TradehubError as error:
        raise fail(error) from None
    out.print(f"API key for {name} (store it now; it cannot be shown again):")
    print(key)  # plain, last line, for scripts: KEY=$(tradehub key create alice | tail -n1)


@key_app.command("revoke")
def key_revoke(name: str) -> None:
    """Revoke every API key of user NAME."""
    try:
        count = container().services.users.revoke_keys(name)
    except TradehubError as error:
        raise fail(error) from None
    out.print(f"revoked {count} key(s) of {name}")


@app.command()
def run(
    text: Annotated[str, typer.Argument(help='A command, e.g. "buy 0.01 BTC/USDT"')],
    as_user: Annotated[str | None, typer.Option("--as", help="Run as this user")] = None,
) -> None:
    """Run one hub command locally and print the reply."""
    built = container()
    try:
        principal = _principal(built, as_user)
    except TradehubError as error:
        raise fail(error) from None
    reply = asyncio.run(built.hub.handle(principal, text, frontend="cli"))
    print(reply.text, file=sys.stdout if reply.ok else sys.stderr)
    if not reply.ok:
        raise typer.Exit(1)


def _principal(built, name: str | None) -> Principal:  # type: ignore[no-untyped-def]
    users = built.services.users
    if name is not None:
        return users.get(name)
    everyone = users.list()
    if len(everyone) == 1:
        return everyone[0]
    if not everyone:
        raise UserInputError("no users yet: run `tradehub user add NAME` first")
    raise UserInputError("several users exist: pass --as NAME")


@app.command()
def link(
    name: str,
    telegram: Annotated[str | None, typer.Option(help="Telegram user id")] = None,
    slack: Annotated[str | None, typer.Option(help="Slack TEAM_ID:USER_ID")] = None,
    discord: Annotated[str | None, typer.Option(help="Discord user id")] = None,
    code: Annotated[str | None, typer.Option(help="One-time code the bot gave after `link` in chat")] = None,
) -> None:
    """Link a chat identity to user NAME so the bots know who is talking."""
    given = [(p, v) for p, v in (("telegram", telegram), ("slack", slack), ("discord", discord)) if v]
    if len(given) + (code is not None) != 1:
        err.print("give exactly one of --telegram, --slack, --discord, --code")
        raise typer.Exit(2)
    try:
        services = container().services
        if code is not None:
            platform, external_id = services.links.redeem(services.users.get(name), code)
        else:
            platform, external_id = given[0]
            if platform == "slack" and ":" not in external_id:
                err.print("--slack takes TEAM_ID:USER_ID")
                raise typer.Exit(2)
            services.users.link(name, platform, external_id)
    except TradehubError as error:
        raise fail(error) from None
    out.print(f"linked {platform} {external_id} to {name}")


def _channel(where: str) -> tuple[str, str]:
    platform, sep, channel_id = where.partition(":")
    if not sep or not channel_id:
        err.print("name the channel as PLATFORM:CHANNEL_ID, e.g. telegram:-1001234 or slack:C0123")
        raise typer.Exit(2)
    return platform, channel_id


@channel_app.command("allow")
def channel_allow(
    where: Annotated[str, typer.Argument(help="PLATFORM:CHANNEL_ID, e.g. telegram:-1001234, slack:C0123")],
    team: Annotated[str | None, typer.Option(help="The team that owns the channel (balances shown there)")] = None,
    trading: Annotated[bool, typer.Option(help="Allow trading commands in the channel")] = True,
) -> None:
    """Allow-list a group channel: trading commands work there, and its team sees balances in it."""
    platform, channel_id = _channel(where)
    try:
        rule = container().services.channels.allow(platform, channel_id, team=team, trading=trading)
    except TradehubError as error:
        raise fail(error) from None
    out.print(f"{rule.platform} channel {rule.channel_id}: trading {'on' if rule.trading else 'off'}, team {rule.team}")


@channel_app.command("remove")
def channel_remove(where: Annotated[str, typer.Argument(help="PLATFORM:CHANNEL_ID")]) -> None:
    """Take a channel off the allow-list (trading is refused there again)."""
    platform, channel_id = _channel(where)
    if not container().services.channels.remove(platform, channel_id):
        err.print(f"{platform} channel {channel_id} is not allow-listed")
        raise typer.Exit(1)
    out.print(f"{platform} channel {channel_id} removed")


@channel_app.command("list")
def channel_list() -> None:
    """Show allow-listed chat channels."""
    table = Table("platform", "channel", "team", "trading")
    for rule in container().services.channels.list():
        table.add_row(rule.platform, rule.channel_id, rule.team or "", "yes" if rule.trading else "no")
    out.print(table)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply schema migrations (serve does this itself on an empty database)."""
    from engine.storage.db import make_engine
    from hub.app import migrate

    current = settings()
    revision = migrate.upgrade(make_engine(current.sqlalchemy_url))
    out.print(f"database at revision {revision}")


@app.command()
def version() -> None:
    """Print the tradehub version."""
    out.print(metrics.VERSION)


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _mount_extensions() -> None:
    from hub.app import extensions

    for sub_app in extensions.CLI:
        name, typer_app = sub_app()
        app.add_typer(typer_app, name=name)
    for command in extensions.CLI_COMMANDS:
        name, function = command()
        app.command(name)(function)


_mount_extensions()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
