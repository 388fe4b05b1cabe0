"""Smart order routing (opt-in): send an order without ``on VENUE`` to the best of the user's own venues.

When ``TRADEHUB_SMART_ROUTING=true`` and a user has several configured venues (exchange accounts,
DEX wallets) that trade the symbol, an order that names no venue goes to the one with the best
effective price for its size after the venue's taker fee: the order book is walked for an exchange,
the router is asked for a DEX (its pool fee is in the quote) and the swap's gas (the node's estimate
times the EIP-1559 fee, converted to the quote token through the wrapped native coin's pool) is
spread over the order, so a small order does not go to a DEX whose gas eats the better price. Venues
that do not answer, and DEXes whose gas cannot be priced, are left out. With fewer than two
candidates nothing is routed and the default venue (paper) is used as before; routing never moves
an order between paper and real money.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.domain import ZERO, Side
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
    effective_price: Decimal  # after the taker fee and gas: what a buy pays / a sell receives per unit
    gas_cost: Decimal = ZERO  # a DEX swap's gas for the whole order, in the quote currency

    def to_json(self) -> dict[str, str]:
        return {"venue": self.venue, "price": str(self.price), "effective_price": str(self.effective_price),
                "gas_cost": str(self.gas_cost)}  # fmt: skip


def effective_price(
    price: Decimal, side: Side, *, fee_rate: Decimal, quantity: Decimal | None = None, gas_cost: Decimal = ZERO
) -> Decimal:
    """Per unit, what a buy pays (``price`` plus the taker fee plus the gas spread over ``quantity``) or
    a sell receives (``price`` less both). ``gas_cost`` is for the whole order, in the quote currency."""
    gas_per_unit = ZERO
    if gas_cost:
        if quantity is None or quantity <= 0:
            raise ValueError("gas can only be spread over a known, positive quantity")
        gas_per_unit = gas_cost / quantity
    if side is Side.BUY:
        return price * (1 + fee_rate) + gas_per_unit
    return price * (1 - fee_rate) - gas_per_unit


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


async def quote(
    venue: ManagedVenue, symbol: str, side: Side, quantity: Decimal | None, *, quote_amount: Decimal | None = None
) -> VenueQuote | None:
    """The venue's effective price for the order, or None when it cannot fill it or does not answer.

    ``quantity`` is in base units; an order sized in quote currency gives ``quote_amount`` instead
    (its size on each venue is then the amount at that venue's price). A DEX is left out when its gas
    cannot be priced in the quote currency or spread over a known size."""
    inner = venue.venue
    try:
        await inner.instrument(symbol)
        if hasattr(inner, "gas_cost"):
            return await _dex_quote(venue.name, inner, symbol, side, quantity, quote_amount)
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
    return VenueQuote(venue.name, price, effective_price(price, side, fee_rate=taker_fee_rate(inner)))


async def _dex_quote(
    name: str, dex: Any, symbol: str, side: Side, quantity: Decimal | None, quote_amount: Decimal | None
) -> VenueQuote | None:
    """The router's price for the size plus the swap's gas (estimate x EIP-1559 fee, in the quote token)."""
    if quantity is None and quote_amount is not None:
        quantity = quote_amount / await dex.last_price(symbol)
    if quantity is None:
        log.info("routing: %s left out for %s (gas cannot be spread over an order of unknown size)", name, symbol)
        return None
    swap = await dex.quote(symbol, side, quantity)
    gas = (await dex.gas_cost(swap)).quote_amount
    if gas is None:
        log.info("routing: %s left out for %s (no pool prices its gas in the quote token)", name, symbol)
        return None
    price = swap.price
    effective = effective_price(price, side, fee_rate=taker_fee_rate(dex), quantity=swap.quantity, gas_cost=gas)
    return VenueQuote(name, price, effective, gas)


async def choose_venue(
    venues: VenueRegistry,
    user_id: int,
    symbol: str,
    side: Side,
    quantity: Decimal | None,
    *,
    quote_amount: Decimal | None = None,
) -> tuple[VenueQuote, list[VenueQuote]] | None:
    """The best of ``user_id``'s configured venues for the order and every quote, or None to not route."""
    own = [v for v in venues if isinstance(v, ManagedVenue) and v.owner_user_id == user_id]
    if len(own) < 2:
        return None
    quotes = [
        found for venue in own
        if (found := await quote(venue, symbol, side, quantity, quote_amount=quote_amount)) is not None
    ]  # fmt: skip
    if len(quotes) < 2:
        return None
    best = (
        min(quotes, key=lambda q: q.effective_price)
        if side is Side.BUY
        else max(quotes, key=lambda q: q.effective_price)
    )
    return best, quotes
