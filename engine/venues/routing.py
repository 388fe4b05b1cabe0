"""Smart order routing (opt-in): send an order without ``on VENUE`` to the best of the user's own venues.

When ``TRADEHUB_SMART_ROUTING=true`` and a user has several configured venues (exchange accounts,
DEX wallets) that trade the symbol, an order that names no venue goes to the one with the best
effective price for its size after the venue's taker fee: the order book is walked for an exchange,
the router is asked for a DEX (its pool fee is in the quote; gas is not priced in). Venues that do
not answer are left out. With fewer than two candidates nothing is routed and the default venue
(paper) is used as before; routing never moves an order between paper and real money.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.domain import Side
from engine.errors import TradehubError
from engine.venues.managed import ManagedVenue
from engine.venues.registry import VenueRegistry, taker_fee_rate

log = logging.getLogger(__name__)


class RoutingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRADEHUB_", frozen=True, extra="ignore")

    smart_routing: bool = False


@dataclass(frozen=True, slots=True)
class VenueQuote:
    venue: str
    price: Decimal  # average price for the quantity, before fees
    effective_price: Decimal  # after the taker fee: what a buy pays / a sell receives per unit

    def to_json(self) -> dict[str, str]:
        return {"venue": self.venue, "price": str(self.price), "effective_price": str(self.effective_price)}


def walk_book(levels: list[tuple[Decimal, Decimal]], quantity: Decimal) -> Decimal | None:
    """Average price of taking ``quantity`` from ``levels`` (best first); None if the book is too thin."""
    remaining, cost = quantity, Decimal(0)
    for price, size in levels:
        take = min(remaining, size)
        cost += take * price
        remaining -= take
        if remaining <= 0:
            return cost / quantity
    return None


async def quote(venue: ManagedVenue, symbol: str, side: Side, quantity: Decimal | None) -> VenueQuote | None:
    """The venue's effective price for the order, or None when it cannot fill it or does not answer."""
    inner = venue.venue
    try:
        await inner.instrument(symbol)
        price: Decimal | None
        if quantity is None:  # sized in quote currency or percent: compare at the current price
            price = await inner.last_price(symbol)
        elif hasattr(inner, "order_book"):
            bids, asks = await inner.order_book(symbol, depth=50)  # type: ignore[attr-defined]
            price = walk_book(asks if side is Side.BUY else bids, quantity)
        elif hasattr(inner, "quote"):
            price = (await inner.quote(symbol, side, quantity)).price  # type: ignore[attr-defined]
        else:
            price = await inner.last_price(symbol)
    except TradehubError as error:
        log.info("routing: %s left out for %s (%s)", venue.name, symbol, error.code)
        return None
    if price is None:
        return None
    fee = taker_fee_rate(venue)
    effective = price * (1 + fee) if side is Side.BUY else price * (1 - fee)
    return VenueQuote(venue.name, price, effective)


async def choose_venue(
    venues: VenueRegistry, user_id: int, symbol: str, side: Side, quantity: Decimal | None
) -> tuple[VenueQuote, list[VenueQuote]] | None:
    """The best of ``user_id``'s configured venues for the order and every quote, or None to not route."""
    own = [v for v in venues if isinstance(v, ManagedVenue) and v.owner_user_id == user_id]
    if len(own) < 2:
        return None
    quotes = [found for venue in own if (found := await quote(venue, symbol, side, quantity)) is not None]
    if len(quotes) < 2:
        return None
    best = min(quotes, key=lambda q: q.effective_price) if side is Side.BUY else max(
        quotes, key=lambda q: q.effective_price
    )
    return best, quotes

