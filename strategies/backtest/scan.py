"""Find the next bar where a price condition holds, without visiting the bars in between.

A screen is "values[i] <= threshold" or "values[i] >= threshold" over a float64 array. Sparse
tables of range minima and maxima answer "does any bar in [a, b) pass?" in O(1), so the search
gallops over growing windows with constant-time checks and scans only the last window with numpy.
Screens are plain tuples ``(values, extrema, at_or_below, threshold)``: this runs once per active
bar, and a tuple is the cheapest thing Python builds.
"""

from __future__ import annotations

import numpy as np

_FIRST_WINDOW = 32

Screen = tuple[np.ndarray, "RangeExtrema", bool, float]


class RangeExtrema:
    """Sparse table: ``levels[k][i]`` is the min (or max) of ``values[i : i + 2**k]``."""

    __slots__ = ("levels", "minimum")

    def __init__(self, values: np.ndarray, *, minimum: bool) -> None:
        combine = np.minimum if minimum else np.maximum
        self.minimum = minimum
        self.levels = [values]
        width = 1
        while 2 * width <= len(values):
            previous = self.levels[-1]
            self.levels.append(combine(previous[:-width], previous[width:]))
            width *= 2

    def passes(self, start: int, end: int, threshold: float) -> bool:
        """Whether some value in ``values[start:end]`` (``end > start``) is at or beyond ``threshold``."""
        level = (end - start).bit_length() - 1
        table = self.levels[level]
        if self.minimum:
            return table.item(start) <= threshold or table.item(end - (1 << level)) <= threshold
        return table.item(start) >= threshold or table.item(end - (1 << level)) >= threshold


def _scan(screens: list[Screen], start: int, end: int) -> int:
    """The first index in [start, end) where one of ``screens`` passes; each is known to pass somewhere."""
    first = end
    for values, _, at_or_below, threshold in screens:
        if first == start:
            break
        window = values[start:first]  # only what lies before the best hit so far
        hit = window <= threshold if at_or_below else window >= threshold
        position = int(hit.argmax())
        if hit[position]:
            first = start + position
    return first


def first_hit(screens: list[Screen], start: int, end: int, *, bounded: bool = True) -> int:
    """The first index in [start, end) where any screen passes, else ``end``.

    ``bounded`` says ``end`` comes from a time limit, so one O(1) check over the whole window
    often settles it; without a limit the search gallops straight away.
    """
    if start >= end:
        return end
    if bounded:
        for _, extrema, _, threshold in screens:
            if extrema.passes(start, end, threshold):
                break
        else:
            return end
    low, size = start, _FIRST_WINDOW
    while low < end:
        high = min(end, low + size)
        passing = [screen for screen in screens if screen[1].passes(low, high, screen[3])]
        if passing:
            return _scan(passing, low, high)
        low, size = high, size * 4
    return end
