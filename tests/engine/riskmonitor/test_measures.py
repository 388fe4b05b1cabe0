"""1-day historical VaR on synthetic candles whose 24 h returns are known exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.errors import UnknownSymbol
from engine.marketdata import HOUR_MS, Candle
from engine.riskmonitor.measures import VAR_MIN_SAMPLES, historical_var


def _series(hourly_factor: Decimal, hours: int, start: Decimal = Decimal(100)) -> list[Candle]:
    candles, price = [], start
    for hour in range(hours):
        candles.append(Candle(hour * HOUR_MS, price, price, price, price, Decimal(1)))
        price *= hourly_factor
    return candles


def _history(series: dict[str, list[Candle]]):  # type: ignore[no-untyped-def]
    def history(symbol: str, count: int) -> list[Candle]:
        if symbol not in series:
            raise UnknownSymbol(symbol)
        return series[symbol][-count:]

    return history


def test_var_of_a_steady_fall_is_the_fall_times_the_position() -> None:
    falling = Decimal("0.98") ** (Decimal(1) / 24)  # exactly -2% every 24 h
    history = _history({"BTC/USDT": _series(falling, 24 * 20)})

    var = historical_var({"BTC": Decimal(5000)}, history)

    assert var == Decimal("100.00")


def test_a_short_position_loses_when_the_price_rises() -> None:
    rising = Decimal("1.03") ** (Decimal(1) / 24)
    history = _history({"ETH/USDT": _series(rising, 24 * 20)})

    assert historical_var({"ETH": Decimal(-1000)}, history) == Decimal("30.00")
    assert historical_var({"ETH": Decimal(1000)}, history) == Decimal("0.00")


def test_the_95th_percentile_loss_of_a_two_scenario_market() -> None:
    # 24 h returns are -10% in 10% of the hours and +1% otherwise: the 5% tail is the -10% scenario
    closes = [Decimal(100)] * 24
    for hour in range(24, 24 * 40):
        move = Decimal("0.90") if hour % 10 == 0 else Decimal("1.01")
        closes.append(closes[hour - 24] * move)
    candles = [Candle(h * HOUR_MS, c, c, c, c, Decimal(1)) for h, c in enumerate(closes)]

    var = historical_var({"SOL": Decimal(2000)}, _history({"SOL/USDT": candles}))

    assert var == Decimal("200.00")


def test_too_little_history_gives_no_var_and_unknown_assets_are_left_out() -> None:
    short = _history({"BTC/USDT": _series(Decimal(1), VAR_MIN_SAMPLES // 2)})

    assert historical_var({"BTC": Decimal(1000)}, short) is None
    assert historical_var({"XYZ": Decimal(1000)}, short) is None
    assert historical_var({}, short) == Decimal(0)


@pytest.mark.parametrize("value", [Decimal(1000), Decimal(-1000)])
def test_var_scales_with_the_position(value: Decimal) -> None:
    falling = Decimal("0.99") ** (Decimal(1) / 24)
    history = _history({"BTC/USDT": _series(falling, 24 * 20)})

    small = historical_var({"BTC": value}, history)
    large = historical_var({"BTC": value * 3}, history)

    assert small is not None and large is not None
    assert large == small * 3
