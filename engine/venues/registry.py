"""The one place venues are registered and looked up by name."""

from __future__ import annotations

from decimal import Decimal

from engine.errors import UserInputError
from engine.venues.base import Venue

DEFAULT_FEE_RATE = Decimal("0.001")
DEFAULT_PRICE_BUFFER = Decimal("0.005")


class VenueRegistry:
    def __init__(self, default: str = "paper") -> None:
        self._venues: dict[str, Venue] = {}
        self.default = default

    def register(self, venue: Venue) -> None:
        self._venues[venue.name] = venue

    def unregister(self, name: str) -> Venue | None:
        """Remove and return the venue called ``name`` (None if there is none); the default stays."""
        if name == self.default:
            raise UserInputError(f"the default venue {name!r} cannot be removed", code="default_venue")
        return self._venues.pop(name, None)

    def get(self, name: str | None) -> Venue:
        key = (name or self.default).lower()
        try:
            return self._venues[key]
        except KeyError:
            known = ", ".join(sorted(self._venues))
            raise UserInputError(f"unknown venue {name!r}; available: {known}", code="unknown_venue") from None

    def names(self) -> list[str]:
        return sorted(self._venues)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._venues.values())


def taker_fee_rate(venue: Venue) -> Decimal:
    """The fee rate reserved when locking funds (venues may expose ``taker_fee_rate``)."""
    return getattr(venue, "taker_fee_rate", DEFAULT_FEE_RATE)


def market_price_buffer(venue: Venue) -> Decimal:
    """How far above the last price a market buy may fill; funds are locked for that price."""
    return getattr(venue, "market_price_buffer", DEFAULT_PRICE_BUFFER)
