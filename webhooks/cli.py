"""``tradehub webhooks ...``: the same actions as the chat family (run through the hub, audited),
plus ``relay`` to run the relay/sweep pump in the foreground when no ``tradehub serve`` runs."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Annotated

import typer

app = typer.Typer(
    help="Outbound webhook endpoints: add, list, pause, rotate, replay; run the relay.", no_args_is_help=True
)

AsUser = Annotated[str | None, typer.Option("--as", help="Run as this user")]


def _run(text: str, as_user: str | None) -> None:
    from engine.errors import TradehubError
    from hub.app.cli import _principal, container, fail

    built = container()
    try:
        principal = _principal(built, as_user)
    except TradehubError as error:
        raise fail(error) from None
    reply = asyncio.run(built.hub.handle(principal, text, frontend="cli"))
    print(reply.text, file=sys.stdout if reply.ok else sys.stderr)
    if not reply.ok:
        raise typer.Exit(1)


@app.command("list")
def list_endpoints(as_user: AsUser = None) -> None:
    """List your endpoints and your team's."""
    _run("webhooks list", as_user)


@app.command()
def add(
    url: str,
    events: Annotated[str, typer.Argument(help="Comma-separated event types, wildcards allowed: order.*,risk.alert")],
    team: Annotated[bool, typer.Option(help="Owned by your team; receives every member's events")] = False,
    as_user: AsUser = None,
) -> None:
    """Subscribe URL; prints the signing secret once."""
    _run(f"webhooks add {url} {events}{' team' if team else ''}", as_user)


@app.command()
def pause(endpoint_id: str, as_user: AsUser = None) -> None:
    """Hold deliveries to the endpoint until it is resumed."""
    _run(f"webhooks pause {endpoint_id}", as_user)


@app.command()
def resume(endpoint_id: str, as_user: AsUser = None) -> None:
    """Resume (or re-enable) the endpoint; held deliveries go out."""
    _run(f"webhooks resume {endpoint_id}", as_user)


@app.command()
def rotate(endpoint_id: str, as_user: AsUser = None) -> None:
    """Issue a new secret; the old one keeps signing beside it during the overlap."""
    _run(f"webhooks rotate {endpoint_id}", as_user)


@app.command()
def delete(endpoint_id: str, as_user: AsUser = None) -> None:
    """Delete the endpoint."""
    _run(f"webhooks delete {endpoint_id}", as_user)


@app.command()
def deliveries(endpoint_id: str, as_user: AsUser = None) -> None:
    """The latest deliveries of the endpoint."""
    _run(f"webhooks deliveries {endpoint_id}", as_user)


@app.command()
def replay(
    endpoint_id: str, message_id: Annotated[str | None, typer.Argument()] = None, as_user: AsUser = None
) -> None:
    """Send one message again, or every failed one."""
    _run(f"webhooks replay {endpoint_id}{' ' + message_id if message_id else ''}", as_user)


@app.command()
def relay(once: Annotated[bool, typer.Option(help="One pass, then exit")] = False) -> None:
    """Relay outbox events to deliveries and queue due retries, every poll interval, until stopped."""
    from webhooks.service import Pump
    from webhooks.tasks import _enqueue_from_settings, worker_service

    pump = Pump(worker_service(), _enqueue_from_settings())
    while True:
        queued = pump.pump_once()
        if once:
            print(f"queued {queued} deliveries")
            return
        time.sleep(pump.service.settings.poll_interval_s)
