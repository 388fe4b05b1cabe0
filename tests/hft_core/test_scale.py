from __future__ import annotations

from decimal import Decimal
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hft_core.scale import OffGridError, TickScale


def test_round_trip_between_decimal_and_ticks():
    scale = TickScale.of("0.01", "0.001")
    assert scale.to_ticks("100.25") == 10025 and scale.to_lots(D("1.5")) == 1500
    assert scale.price(10025) == D("100.25") and scale.size(1500) == D("1.500")
    assert scale.notional(10025 * 1500) == D("150.375")


def test_coarse_ticks_render_with_their_own_places():
    scale = TickScale.of("0.05", "1")
    assert scale.to_ticks("100.05") == 2001
    assert scale.price(2001) == D("100.05")
    assert scale.price_digits(2001) == "10005"


def test_off_grid_and_non_finite_values_are_refused():
    scale = TickScale.of("0.01", "0.001")
    for bad in ("100.001", "NaN", "Infinity"):
        with pytest.raises(OffGridError):
            scale.to_ticks(bad)
    with pytest.raises(OffGridError):
        scale.to_lots("0.0005")


def test_text_forms_for_checksums():
    scale = TickScale(D("0.1"), D("0.0001"), price_places=2, size_places=8)
    assert scale.price_text(33680) == "3368"
    assert scale.size_text(5) == "0.0005"
    assert scale.price_digits(33661) == "336610"
    assert scale.size_digits(5) == "50000"


def test_invalid_scales_are_refused():
    with pytest.raises(ValueError):
        TickScale.of("0", "1")
    with pytest.raises(ValueError):
        TickScale(D("0.01"), D("1"), price_places=1)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["0.01", "0.05", "1", "0.5", "0.00000001", "10"]),
    st.decimals(min_value=0, max_value=10**7, places=9, allow_nan=False),
)
def test_fast_text_path_agrees_with_decimal(tick, value):
    scale = TickScale.of(tick, tick)
    text = format(value, "f")
    try:
        expected = _decimal_ticks(value, Decimal(tick))
    except OffGridError:
        with pytest.raises(OffGridError):
            scale.to_ticks(text)
        return
    assert scale.to_ticks(text) == expected
    assert scale.to_lots(text) == expected


def _decimal_ticks(value: Decimal, tick: Decimal) -> int:
    steps = value / tick
    if steps != steps.to_integral_value():
        raise OffGridError(str(value))
    return int(steps)


def test_unusual_text_still_converts_through_decimal():
    scale = TickScale.of("0.01", "1")
    assert scale.to_ticks("1E+2") == 10000
    assert scale.to_ticks("100.2500") == 10025
    assert scale.to_ticks("-1.00") == -100
