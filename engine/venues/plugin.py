"""Registration with the composition root (hub/app/extensions.py and container.py). Imports lazily."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import APIRouter
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Engine

    from engine.clock import Clock
    from engine.venues.accounts import VenueAccounts
    from engine.venues.registry import VenueRegistry


def metadata() -> MetaData:
    from engine.venues.storage import metadata as tables

    return tables


def accounts(db: Engine, registry: VenueRegistry, clock: Clock, settings: Any) -> VenueAccounts:
    """The venue account service for a process's settings (``master_key`` is a ``SecretStr`` or None)."""
    from engine.venues.accounts import VenueAccounts
    from engine.venues.credentials import CredentialBox

    master_key = settings.master_key.get_secret_value() if settings.master_key is not None else None
    return VenueAccounts(db, registry, CredentialBox(master_key), clock)


def register_stored_venues(db: Engine, registry: VenueRegistry, clock: Clock, settings: Any) -> int:
    """Register every configured exchange account and wallet (connected on first use)."""
    return accounts(db, registry, clock, settings).register_all()


def router(container: Any) -> APIRouter:
    from engine.venues.routes import make_router

    return make_router(container)


def cli() -> tuple[str, Any]:
    from engine.venues.cli import app

    return "venue", app


def background(container: Any) -> AbstractAsyncContextManager[None]:
    """For the server's lifetime: reconcile each configured exchange account at start, then track fills
    of resting orders, streamed (ccxt ``watch_orders``) where the exchange can and polled otherwise."""
    from engine.venues.tracking import track_orders

    return track_orders(container.services.oms, container.services.venues)


def handlers(container: Any) -> dict[str, Any]:
    """With ``TRADEHUB_SMART_ROUTING=true``: route trades that name no venue (see ``routing.py``)."""
    from engine.venues.routing import RoutingSettings

    if not RoutingSettings().smart_routing:
        return {}
    return {"trade": routed_trade}


async def routed_trade(services: Any, context: Any, command: Any) -> Any:
    """The hub's ``trade`` handler, with the venue chosen by effective price when none is named."""
    import dataclasses

    from engine.venues.routing import choose_venue
    from hub.commands import QuantityKind
    from hub.handlers.format import amount
    from hub.handlers.trading import trade

    if command.venue is not None or command.algo is not None:
        return await trade(services, context, command)
    quantity = command.quantity.value if command.quantity.kind is QuantityKind.BASE else None
    quote_amount = command.quantity.value if command.quantity.kind is QuantityKind.QUOTE else None
    chosen = await choose_venue(services.venues, context.principal.user_id, command.symbol, command.side, quantity,
                                quote_amount=quote_amount)  # fmt: skip
    if chosen is None:
        return await trade(services, context, command)
    best, quotes = chosen
    reply = await trade(services, context, dataclasses.replace(command, venue=best.venue))
    routing = {"venue": best.venue, "quotes": [found.to_json() for found in quotes]}
    text = f"Routed to {best.venue} (best effective price {amount(best.effective_price)} after fees). {reply.text}"
    return dataclasses.replace(reply, text=text, data={**reply.data, "routing": routing})
