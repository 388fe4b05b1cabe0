"""Venue commands from chat: ``venues`` lists the caller's exchange accounts and DEX wallets, ``venue remove
NAME`` deletes one after a confirmation. Adding stays CLI/REST only: API keys and wallet keys must never
be typed into a chat, so ``venue add`` only answers where to do it.

Nothing secret is shown: no credential hint, no RPC or API URL (those often carry a provider key).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.errors import Conflict, NotFound
from hub.commands import VenueChange, Venues
from hub.dispatch import Context, Services
from hub.principals import Role
from hub.reply import Reply

if TYPE_CHECKING:
    from engine.venues.accounts import VenueAccount, VenueAccounts

ADD_ELSEWHERE = (
    "Venues are added with the CLI or the REST API, never in chat, so that API keys and wallet keys are "
    "not typed into a chat: `tradehub venue add NAME --exchange ID --api-key-stdin` (or `--dex …`), or "
    "`POST /api/v1/venues`. Nothing was stored."
)
NO_VENUES = "No venues configured: you trade on paper. Add an exchange account or wallet with the CLI or the REST API."


def _accounts(services: Services) -> VenueAccounts:
    # Imported here: ccxt and web3 load only when a venue command runs. Listing and removing never open
    # the stored secrets, so no master key is needed.
    from engine.venues.accounts import VenueAccounts
    from engine.venues.credentials import CredentialBox

    return VenueAccounts(services.db, services.venues, CredentialBox(None), services.clock)


def _connected(services: Services, name: str) -> bool:
    for venue in services.venues:
        if venue.name == name:
            describe = getattr(venue, "describe", None)
            return bool(describe is not None and describe().get("connected"))
    return False


def venue_payload(account: VenueAccount, *, connected: bool) -> dict[str, Any]:
    """What chat may show of an account: where it trades, never how it authenticates."""
    config = account.config
    payload: dict[str, Any] = {"name": account.name, "kind": account.kind, "connected": connected}
    if account.kind == "dex":
        payload.update(chain=config.get("chain"), chain_id=config.get("chain_id"),
                       dry_run=bool(config.get("dry_run")), sandbox=False)  # fmt: skip
    else:
        payload.update(exchange=config.get("exchange"), sandbox=bool(config.get("sandbox")))
    return payload


def venue_line(venue: dict[str, Any]) -> str:
    """``binance-main: exchange binance (sandbox), connected``."""
    if venue["kind"] == "dex":
        where = f"DEX wallet on {venue['chain']}" + (" (dry run)" if venue["dry_run"] else "")
    else:
        where = f"exchange {venue['exchange']}" + (" (sandbox)" if venue["sandbox"] else "")
    return f"{venue['name']}: {where}, {'connected' if venue['connected'] else 'not connected'}"


async def venues(services: Services, context: Context, command: Venues) -> Reply:
    found = [
        venue_payload(account, connected=_connected(services, account.name))
        for account in _accounts(services).list(context.principal.user_id)
    ]
    if not found:
        return Reply(True, NO_VENUES, data={"venues": []})
    return Reply(True, "\n".join(venue_line(venue) for venue in found), data={"venues": found})


async def venue(services: Services, context: Context, command: VenueChange) -> Reply:
    if command.action == "add":
        return Reply(False, ADD_ELSEWHERE, error_code="add_outside_chat", status=400)
    assert command.name is not None
    service = _accounts(services)
    principal = context.principal
    try:
        account = service.get(command.name)
    except NotFound:
        account = None
    if account is None or (account.owner_user_id != principal.user_id and principal.role is not Role.ADMIN):
        raise NotFound(f"you have no venue named {command.name!r}; `venues` lists yours")
    open_orders = services.oms.open_orders(None, venue=account.name)
    if open_orders:
        raise Conflict(
            f"venue {account.name!r} has {len(open_orders)} open order(s); cancel them first (`orders on "
            f"{account.name}` lists them), or they would stay on the venue without tradehub tracking them"
        )
    shown = venue_line(venue_payload(account, connected=_connected(services, account.name)))
    if not context.confirmed:
        request = services.confirmations.request(
            principal,
            command.describe(),
            prompt=f"Remove venue {shown}? Its stored keys are deleted; its orders and fills stay in the history.",
            idempotency_key=context.idempotency_key,
            frontend=context.frontend,
        )
        return Reply(
            True,
            f"{request.prompt} Reply `confirm {request.id}` within 5 minutes.",
            data={"confirmation_id": request.id, "command": command.describe()},
            confirmation=request,
            status=202,
        )
    removed = await service.remove(account.name)
    return Reply(True, f"Removed venue {removed.name}; its stored keys are deleted.",
                 data={"venue": venue_payload(removed, connected=False)})  # fmt: skip
