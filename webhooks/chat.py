"""The chat (and ``tradehub run``) ``webhooks`` command family, through the hub's dispatcher.

webhooks                              list your endpoints (and your team's)
webhooks add URL EVENTS [team]        EVENTS comma-separated, wildcards allowed: order.*,risk.alert
webhooks pause|resume|delete|rotate ID
webhooks deliveries ID                the latest deliveries and their last attempt
webhooks replay ID [MESSAGE_ID]       one message again, or every failed one
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from engine.errors import UserInputError
from hub.commands import Webhooks
from hub.dispatch import Context, Services
from hub.reply import Reply
from webhooks.endpoints import Endpoint, EndpointStore

if TYPE_CHECKING:
    from hub.app.container import Container

USAGE = (
    "Usage: webhooks [add URL EVENTS [team] | pause ID | resume ID | delete ID | rotate ID"
    " | deliveries ID | replay ID [MESSAGE_ID]]"
)


def _line(endpoint: Endpoint) -> str:
    owner = f" team {endpoint.team}" if endpoint.team else ""
    reason = f" ({endpoint.disabled_reason})" if endpoint.disabled_reason else ""
    return f"{endpoint.id} {endpoint.status}{reason}{owner}: {endpoint.url} [{', '.join(endpoint.events)}]"


def _need(args: tuple[str, ...], count: int) -> None:
    if len(args) < count:
        raise UserInputError(f"`webhooks {args[0]}` is missing an argument. {USAGE}", code="bad_command")


def make_handler(container: Container) -> Callable[[Services, Context, Webhooks], Awaitable[Reply]]:
    from webhooks.routes import service_for

    store = service_for(container).store

    async def webhooks(services: Services, context: Context, command: Webhooks) -> Reply:
        return run(store, context, command.args)

    return webhooks


def run(store: EndpointStore, context: Context, args: tuple[str, ...]) -> Reply:
    principal = context.principal
    if not args or args[0].lower() == "list":
        endpoints = store.list(principal)
        text = "\n".join(_line(e) for e in endpoints) or "No webhook endpoints. Add one: webhooks add URL order.*"
        return Reply(True, text, data={"endpoints": [e.to_json() for e in endpoints]})
    verb = args[0].lower()
    if verb == "add":
        _need(args, 3)
        team = len(args) > 3 and args[3].lower() == "team"
        endpoint, secret = store.create(principal, args[1], args[2].split(","), team=team)
        text = f"Added {endpoint.id} for {', '.join(endpoint.events)}.\nSigning secret (shown once): {secret}"
        return Reply(True, text, data={**endpoint.to_json(), "secret": secret})
    if verb in ("pause", "resume"):
        _need(args, 2)
        endpoint = store.update(principal, args[1], paused=verb == "pause")
        return Reply(True, f"{endpoint.id} is {endpoint.status}.", data=endpoint.to_json())
    if verb == "delete":
        _need(args, 2)
        store.delete(principal, args[1])
        return Reply(True, f"Deleted {args[1]}.", data={"id": args[1]})
    if verb == "rotate":
        _need(args, 2)
        secret = store.rotate(principal, args[1])
        return Reply(
            True,
            f"New secret for {args[1]} (the old one also signs for a day): {secret}",
            data={"id": args[1], "secret": secret},
        )
    if verb == "deliveries":
        _need(args, 2)
        found = store.deliveries(principal, args[1], limit=10)
        lines = [
            f"{d['message_id']} {d['event_type']} {d['status']} after {len(d['attempts'])} attempt(s)"
            f"{' - ' + d['last_error'] if d['last_error'] else ''}"
            for d in found
        ]
        return Reply(True, "\n".join(lines) or "No deliveries yet.", data={"deliveries": found})
    if verb == "replay":
        _need(args, 2)
        ids = store.replay(principal, args[1], message_id=args[2] if len(args) > 2 else None)
        return Reply(
            True, f"Queued {len(ids)} deliver{'y' if len(ids) == 1 else 'ies'} again.", data={"queued": len(ids)}
        )
    raise UserInputError(f"unknown webhooks action `{verb[:20]}`. {USAGE}", code="bad_command")
