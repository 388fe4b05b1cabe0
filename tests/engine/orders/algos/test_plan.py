"""Slice plans: sizes in Decimal that add up to the parent, remainders last, VWAP weights."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.errors import UserInputError
from engine.marketdata import HOUR_MS, Candle, CandleSeries
from engine.orders.algos import plan
from engine.venues.paper.config import DEFAULT_INSTRUMENTS

D = Decimal
ETH = DEFAULT_INSTRUMENTS["ETH/USDT"]
BTC = DEFAULT_INSTRUMENTS["BTC/USDT"]
MIDNIGHT = 1_640_995_200_000  # 2022-01-01 00:00 UTC


def test_twap_cuts_equal_slices_a_minute_apart_with_the_remainder_last() -> None:
    slices = plan.twap(D("2"), ETH, price=D("3700"), start_ms=MIDNIGHT, duration_s=1800)
    assert len(slices) == 30
    assert all(isinstance(s.quantity, Decimal) for s in slices)
    assert {s.quantity for s in slices[:-1]} == {D("0.0666")}
    assert slices[-1].quantity == D("2") - 29 * D("0.0666") == D("0.0686")
    assert sum(s.quantity for s in slices) == D("2")
    assert [s.due_ms - MIDNIGHT for s in slices] == [i * 60_000 for i in range(30)]
    assert [s.index for s in slices] == list(range(30))


def test_twap_never_exceeds_the_parent_and_rounds_to_the_step() -> None:
    slices = plan.twap(D("1"), ETH, price=D("3700"), start_ms=0, duration_s=180)
    assert [s.quantity for s in slices] == [D("0.3333"), D("0.3333"), D("0.3334")]
    for total in (D("0.0101"), D("1.2345"), D("7"), D("0.9999")):
        sizes = [s.quantity for s in plan.twap(total, ETH, price=D("3700"), start_ms=0, duration_s=3600)]
        assert sum(sizes) == total
        assert all(size % ETH.step_size == 0 and size > 0 for size in sizes)


def test_twap_uses_fewer_slices_when_each_would_be_below_the_market_minimum() -> None:
    # 0.01 ETH is 37 USDT; the minimum order is 5 USDT = 0.0014 ETH at 3700, so 7 slices, not 30
    slices = plan.twap(D("0.01"), ETH, price=D("3700"), start_ms=0, duration_s=1800)
    assert len(slices) == 7
    assert all(s.quantity * D("3700") >= ETH.min_notional for s in slices)
    assert sum(s.quantity for s in slices) == D("0.01")
    assert slices[-1].due_ms < 1800 * 1000  # the schedule still fits in the duration


@pytest.mark.parametrize("duration", [0, -60])
def test_zero_or_negative_duration_is_refused(duration: int) -> None:
    with pytest.raises(UserInputError, match="longer than zero"):
        plan.twap(D("1"), ETH, price=D("3700"), start_ms=0, duration_s=duration)


def test_a_total_below_one_minimum_order_is_refused() -> None:
    with pytest.raises(UserInputError, match="below the market's minimum"):
        plan.twap(D("0.001"), ETH, price=D("3700"), start_ms=0, duration_s=600)


def test_vwap_weights_slices_by_the_volume_profile() -> None:
    profile = [D(0)] * 24
    profile[0], profile[1] = D(1), D(3)  # the second hour trades three times the first
    slices = plan.vwap(D("100"), BTC, profile, price=D("40000"), start_ms=MIDNIGHT, duration_s=7200)
    assert len(slices) == 100  # capped at MAX_SLICES, 72 s apart: 50 slices in each hour
    first_hour = [s.quantity for s in slices if s.due_ms < MIDNIGHT + HOUR_MS]
    second_hour = [s.quantity for s in slices if s.due_ms >= MIDNIGHT + HOUR_MS]
    assert set(first_hour) == {D("0.5")} and set(second_hour) == {D("1.5")}
    assert sum(first_hour) == D("25") and sum(second_hour) == D("75")


def test_vwap_remainder_goes_to_the_last_slice() -> None:
    profile = [D(h + 1) for h in range(24)]
    slices = plan.vwap(D("1"), ETH, profile, price=D("3700"), start_ms=MIDNIGHT, duration_s=3 * 3600)
    assert sum(s.quantity for s in slices) == D("1")
    assert all(s.quantity % ETH.step_size == 0 for s in slices)
    # later hours trade more: the slices grow (up to rounding), the last takes the remainder
    assert slices[0].quantity < slices[-2].quantity


def test_profile_volume_counts_the_covered_share_of_each_hour() -> None:
    profile = [D(h) for h in range(24)]
    half_past = MIDNIGHT + 5 * HOUR_MS + HOUR_MS // 2
    assert plan.profile_volume(profile, half_past, half_past + HOUR_MS) == D("2.5") + D(3)
    late = MIDNIGHT + 23 * HOUR_MS
    assert plan.profile_volume(profile, late, late + 2 * HOUR_MS) == D(23) + D(0)  # wraps to hour 0


def test_hourly_profile_is_the_mean_volume_per_utc_hour() -> None:
    candles = [
        Candle(MIDNIGHT + i * HOUR_MS, D(1), D(1), D(1), D(1), D(10 if i % 24 == 3 else 2) * (1 + i // 24))
        for i in range(48)
    ]
    profile = plan.hourly_profile(CandleSeries("X/USDT", candles))
    assert len(profile) == 24
    assert profile[3] == D(15) and profile[4] == D(3)


def test_bundled_profile_has_a_positive_volume_for_every_hour() -> None:
    profile = plan.bundled_profile("ETH/USDT")
    assert len(profile) == 24 and all(volume > 0 for volume in profile)
    assert len(plan.bundled_profile("PEPE/USDT")) == 24  # unbundled symbols get the mean shape
