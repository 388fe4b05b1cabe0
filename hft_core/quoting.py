"""Avellaneda-Stoikov market-making quotes.

From "High-frequency trading in a limit order book" (Avellaneda and Stoikov, 2008):

* reservation price ``r = s - q * gamma * sigma**2 * tau``: the mid ``s`` shifted against the
  inventory ``q`` (long inventory lowers both quotes so that selling becomes likelier);
* optimal total spread ``delta = gamma * sigma**2 * tau + (2 / gamma) * ln(1 + gamma / k)``;
* quotes ``r - delta / 2`` and ``r + delta / 2``.

``gamma`` is risk aversion, ``sigma`` the mid's volatility per unit of time (in price units),
``tau`` the time left in the horizon (same unit), ``k`` how fast fill probability decays with
distance from the mid (order-book liquidity). All arithmetic is ``Decimal`` (``ln`` included);
the quotes are rounded outwards to the tick (bid down, ask up) and never cross or touch.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

_TWO = Decimal(2)


@dataclass(frozen=True, slots=True)
class QuoteParams:
    risk_aversion: Decimal  # gamma > 0
    volatility: Decimal  # sigma, price units per sqrt(time unit)
    liquidity: Decimal  # k > 0
    tick_size: Decimal
    order_size: Decimal
    max_inventory: Decimal | None = None  # stop quoting the side that would grow |inventory| past this

    def __post_init__(self) -> None:
        if self.risk_aversion <= 0 or self.liquidity <= 0 or self.tick_size <= 0 or self.order_size <= 0:
            raise ValueError("risk_aversion, liquidity, tick_size and order_size must be positive")
        if self.volatility < 0:
            raise ValueError("volatility cannot be negative")


@dataclass(frozen=True, slots=True)
class Quotes:
    """What to place: ``bid``/``ask`` are None for a side not to quote."""

    reservation_price: Decimal
    spread: Decimal
    bid: Decimal | None
    ask: Decimal | None
    bid_size: Decimal
    ask_size: Decimal


def reservation_price(mid: Decimal, inventory: Decimal, params: QuoteParams, time_left: Decimal) -> Decimal:
    """``s - q * gamma * sigma**2 * tau``."""
    return mid - inventory * params.risk_aversion * params.volatility**2 * time_left


def optimal_spread(params: QuoteParams, time_left: Decimal) -> Decimal:
    """``gamma * sigma**2 * tau + (2 / gamma) * ln(1 + gamma / k)``."""
    gamma = params.risk_aversion
    return gamma * params.volatility**2 * time_left + (_TWO / gamma) * (1 + gamma / params.liquidity).ln()


def make_quotes(mid: Decimal, inventory: Decimal, params: QuoteParams, *, time_left: Decimal = Decimal(1)) -> Quotes:
    """Bid and ask for the current mid and inventory, rounded outwards to the tick."""
    if mid <= 0 or time_left < 0:
        raise ValueError("mid must be positive and time_left non-negative")
    reservation = reservation_price(mid, inventory, params, time_left)
    spread = optimal_spread(params, time_left)
    tick = params.tick_size
    bid = ((reservation - spread / _TWO) / tick).to_integral_value(rounding=ROUND_FLOOR) * tick
    ask = ((reservation + spread / _TWO) / tick).to_integral_value(rounding=ROUND_CEILING) * tick
    if ask <= bid:
        ask = bid + tick
    quote_bid: Decimal | None = bid if bid > 0 else None
    quote_ask: Decimal | None = ask
    limit = params.max_inventory
    if limit is not None:
        if inventory >= limit:
            quote_bid = None
        if inventory <= -limit:
            quote_ask = None
    return Quotes(reservation, spread, quote_bid, quote_ask, params.order_size, params.order_size)
