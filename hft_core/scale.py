"""Integer ticks and lots: the one conversion between venue numbers and the fast core.

The order book and the matching engine work on integers only: a price is a whole number of
``tick_size`` steps ("ticks") and a size a whole number of ``step_size`` steps ("lots"). Integer
arithmetic is exact and several times faster than ``Decimal``. Conversion happens once, at the
edge, from the venue's strings or ``Decimal`` values; a value that is not on the grid is refused
rather than rounded, because a feed that sends off-grid prices has been decoded with the wrong
instrument and every later figure would be silently wrong.

Example: tick 0.01, step 0.001: ``"100.25"`` is 10025 ticks, ``"1.5"`` is 1500 lots, and
10025 ticks x 1500 lots is a notional of 10025 * 1500 * 0.01 * 0.001 = 150.375.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


class OffGridError(ValueError):
    """A price or size is not a whole number of ticks or lots for this instrument."""


def _decimal_places(step: Decimal) -> int:
    exponent = step.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _units_per_step(step: Decimal, places: int) -> int:
    """How many units of 10**-places one step is (0.05 with 2 places is 5)."""
    return int(step.scaleb(places))


@dataclass(frozen=True, slots=True)
class TickScale:
    """The price and size grid of one instrument.

    ``price_places`` and ``size_places`` are the decimal places used when a value is rendered
    as text (checksums, logs); by default the places of the tick and step themselves.
    """

    tick_size: Decimal
    step_size: Decimal
    price_places: int = -1
    size_places: int = -1
    _tick_units: int = field(init=False, repr=False, compare=False)
    _step_units: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.tick_size <= 0 or self.step_size <= 0:
            raise ValueError("tick_size and step_size must be positive")
        price_places = self.price_places if self.price_places >= 0 else _decimal_places(self.tick_size)
        size_places = self.size_places if self.size_places >= 0 else _decimal_places(self.step_size)
        if price_places < _decimal_places(self.tick_size) or size_places < _decimal_places(self.step_size):
            raise ValueError("text places must be at least the places of the tick and step")
        object.__setattr__(self, "price_places", price_places)
        object.__setattr__(self, "size_places", size_places)
        object.__setattr__(self, "_tick_units", _units_per_step(self.tick_size, price_places))
        object.__setattr__(self, "_step_units", _units_per_step(self.step_size, size_places))

    @classmethod
    def of(cls, tick_size: Decimal | str, step_size: Decimal | str) -> TickScale:
        """Build a scale from the instrument's tick and step, given as ``Decimal`` or text."""
        return cls(Decimal(tick_size), Decimal(step_size))

    def to_ticks(self, price: Decimal | str) -> int:
        """Convert a price to ticks; raise ``OffGridError`` when it is not a whole number of ticks."""
        if type(price) is str:
            units = _plain_units(price, self.price_places)
            if units is not None:
                ticks, rest = divmod(units, self._tick_units)
                if not rest:
                    return ticks
        return _to_steps(Decimal(price), self.tick_size, "price")

    def to_lots(self, size: Decimal | str) -> int:
        """Convert a size to lots; raise ``OffGridError`` when it is not a whole number of lots."""
        if type(size) is str:
            units = _plain_units(size, self.size_places)
            if units is not None:
                lots, rest = divmod(units, self._step_units)
                if not rest:
                    return lots
        return _to_steps(Decimal(size), self.step_size, "size")

    def price(self, ticks: int) -> Decimal:
        """The price of ``ticks`` as a ``Decimal`` with the scale's places."""
        return Decimal(ticks * self._tick_units).scaleb(-self.price_places)

    def size(self, lots: int) -> Decimal:
        """The size of ``lots`` as a ``Decimal`` with the scale's places."""
        return Decimal(lots * self._step_units).scaleb(-self.size_places)

    def notional(self, ticks_times_lots: int) -> Decimal:
        """The quote-currency value of a sum of ``ticks * lots`` products."""
        return Decimal(ticks_times_lots * self._tick_units * self._step_units).scaleb(
            -(self.price_places + self.size_places)
        )

    def price_digits(self, ticks: int) -> str:
        """The price in units of the last place: the price text without its point or leading zeros."""
        return str(ticks * self._tick_units)

    def size_digits(self, lots: int) -> str:
        """The size in units of the last place: the size text without its point or leading zeros."""
        return str(lots * self._step_units)

    def price_text(self, ticks: int) -> str:
        """The shortest plain text of a price (``3368`` not ``3368.0``), as OKX sends it."""
        return _plain(self.price(ticks))

    def size_text(self, lots: int) -> str:
        """The shortest plain text of a size (``8`` not ``8.000``), as OKX sends it."""
        return _plain(self.size(lots))


def _plain_units(text: str, places: int) -> int | None:
    """``"100.25"`` with 2 places -> 10025, by string surgery instead of ``Decimal`` (5x faster).

    Only plain non-negative decimals are handled; anything else (signs, exponents, more places
    than the scale has, NaN) returns None and takes the ``Decimal`` path.
    """
    whole, _, fraction = text.partition(".")
    if len(fraction) > places:
        fraction = fraction.rstrip("0")
        if len(fraction) > places:
            return None
    digits = whole + fraction + "0" * (places - len(fraction))
    if not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)


def _to_steps(value: Decimal, step: Decimal, what: str) -> int:
    if not value.is_finite():
        raise OffGridError(f"{what} {value} is not a finite number")
    steps = value / step
    whole = steps.to_integral_value()
    if steps != whole:
        raise OffGridError(f"{what} {value} is not a multiple of {step}")
    return int(whole)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
