"""Slice plans: how a parent quantity is cut into child orders and when each is due. Pure functions.

Quantities are ``Decimal`` rounded down to the market's step; whatever rounding leaves over goes to
the last slice, so the slices always add up to exactly the parent quantity and never exceed it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

from engine.domain import ZERO, Instrument
from engine.errors import UserInputError
from engine.marketdata import HOUR_MS, CandleSeries, load_bundled

#: aim for one child a minute, at most this many children per parent
TARGET_INTERVAL_S = 60
MAX_SLICES = 100
_HOURS = 24


@dataclass(frozen=True, slots=True)
class Slice:
    index: int
    due_ms: int
    quantity: Decimal

    def to_json(self) -> dict[str, object]:
        return {"index": self.index, "due_ms": self.due_ms, "quantity": str(self.quantity)}

    @staticmethod
    def from_json(data: Mapping[str, object]) -> Slice:
        return Slice(int(str(data["index"])), int(str(data["due_ms"])), Decimal(str(data["quantity"])))


def min_slice_quantity(instrument: Instrument, price: Decimal) -> Decimal:
    """The smallest child the market accepts at ``price``: its minimum amount and minimum notional."""
    by_notional = (instrument.min_notional / price / instrument.step_size).to_integral_value(rounding=ROUND_UP)
    return max(instrument.min_quantity, instrument.step_size, by_notional * instrument.step_size)


def slice_count(duration_s: int, total: Decimal, smallest: Decimal, *, interval_s: int = TARGET_INTERVAL_S) -> int:
    """One slice per ``interval_s`` (at most ``MAX_SLICES``), fewer if slices would be too small."""
    if duration_s <= 0:
        raise UserInputError(f"duration must be longer than zero, got {duration_s}s", code="bad_duration")
    wanted = min(MAX_SLICES, max(1, -(-duration_s // interval_s)))
    fitting = int(total // smallest)
    if fitting < 1:
        raise UserInputError(f"{total.normalize():f} is below the market's minimum order of {smallest.normalize():f}",
                             code="below_min_quantity")  # fmt: skip
    return min(wanted, fitting)


def due_times(start_ms: int, duration_s: int, count: int) -> list[int]:
    """Slice ``i`` is due at ``start + i * duration / count``: the first now, the last one interval
    before the end, so the whole parent is worked within ``duration``."""
    return [start_ms + i * duration_s * 1000 // count for i in range(count)]


def twap(
    total: Decimal,
    instrument: Instrument,
    *,
    price: Decimal,
    start_ms: int,
    duration_s: int,
    interval_s: int = TARGET_INTERVAL_S,
) -> list[Slice]:
    """Equal slices at a fixed interval; the rounding remainder goes to the last slice."""
    count = slice_count(duration_s, total, min_slice_quantity(instrument, price), interval_s=interval_s)
    return _slices(total, instrument, [Decimal(1)] * count, due_times(start_ms, duration_s, count))


def vwap(
    total: Decimal,
    instrument: Instrument,
    profile: Sequence[Decimal],
    *,
    price: Decimal,
    start_ms: int,
    duration_s: int,
) -> list[Slice]:
    """Slices weighted by the intraday volume ``profile`` (24 hourly volumes, UTC) over each slice's
    interval. Slices too small for the market shrink the slice count until every slice fits."""
    smallest = min_slice_quantity(instrument, price)
    count = slice_count(duration_s, total, smallest)
    while True:
        times = due_times(start_ms, duration_s, count)
        ends = [*times[1:], start_ms + duration_s * 1000]
        weights = [profile_volume(profile, begin, end) for begin, end in zip(times, ends, strict=True)]
        slices = _slices(total, instrument, weights, times)
        if count == 1 or min(s.quantity for s in slices) >= smallest:
            return slices
        count -= 1


def _slices(total: Decimal, instrument: Instrument, weights: Sequence[Decimal], times: Sequence[int]) -> list[Slice]:
    weight_sum = sum(weights, ZERO)
    if weight_sum <= 0:  # a profile without volume in the window: fall back to equal slices
        weights, weight_sum = [Decimal(1)] * len(weights), Decimal(len(weights))
    quantities = [instrument.round_quantity(total * weight / weight_sum) for weight in weights[:-1]]
    quantities.append(total - sum(quantities, ZERO))
    return [Slice(i, due, qty) for i, (due, qty) in enumerate(zip(times, quantities, strict=True))]


def iceberg_clip(visible: Decimal, remaining: Decimal, instrument: Instrument) -> Decimal:
    """The next visible child: ``visible`` or what is left, whichever is smaller (rounded to the step)."""
    return instrument.round_quantity(min(visible, remaining))


# --- the intraday volume profile ----------------------------------------------------------------


def profile_volume(profile: Sequence[Decimal], start_ms: int, end_ms: int) -> Decimal:
    """The profile's volume between two UTC times: each hour's volume times the share of it covered."""
    total = ZERO
    cursor = start_ms
    while cursor < end_ms:
        hour_end = cursor - cursor % HOUR_MS + HOUR_MS
        covered = min(end_ms, hour_end) - cursor
        total += profile[(cursor // HOUR_MS) % _HOURS] * Decimal(covered) / Decimal(HOUR_MS)
        cursor = hour_end
    return total


def hourly_profile(series: CandleSeries) -> list[Decimal]:
    """Mean volume of each UTC hour of the day over the candles (24 values)."""
    sums = [ZERO] * _HOURS
    counts = [0] * _HOURS
    for candle in series.candles:
        hour = (candle.ts_ms // HOUR_MS) % _HOURS
        sums[hour] += candle.volume
        counts[hour] += 1
    return [sums[h] / counts[h] if counts[h] else ZERO for h in range(_HOURS)]


@functools.cache
def bundled_profile(symbol: str) -> tuple[Decimal, ...]:
    """The symbol's hourly profile from the bundled candles; for a symbol without bundled candles,
    the mean of the bundled symbols' profiles, each scaled to sum to one."""
    store = load_bundled()
    if symbol in store:
        return tuple(hourly_profile(store[symbol]))
    shares = [ZERO] * _HOURS
    for name in store:
        profile = hourly_profile(store[name])
        whole = sum(profile, ZERO)
        shares = [share + volume / whole for share, volume in zip(shares, profile, strict=True)]
    return tuple(shares)
