"""Risk figures of one account: drawdown from peak equity, today's loss, the largest single position
as a share of equity, gross exposure and 1-day historical VaR.

Money stays ``Decimal``. VaR is a statistic over past returns, so it is computed in floats (numpy)
and handed back as a ``Decimal`` rounded to cents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from engine.domain import ZERO
from engine.errors import UnknownSymbol
from engine.marketdata import HOUR_MS, Candle
from engine.portfolio import VALUATION_QUOTE, PortfolioView

VAR_CONFIDENCE = 0.95
VAR_WINDOW_DAYS = 90
VAR_MIN_SAMPLES = 7 * 24  # a week of hourly-stepped 24 h returns before VaR means anything
_HOURS_PER_DAY = 24
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)

#: ``history(symbol, count)`` -> up to ``count`` hourly candles ending now (the replayed or live market).
History = Callable[[str, int], Sequence[Candle]]


@dataclass(frozen=True, slots=True)
class Measures:
    equity: Decimal
    peak_equity: Decimal
    day_open_equity: Decimal
    drawdown_pct: Decimal
    daily_loss: Decimal
    concentration_pct: Decimal
    concentration_asset: str | None
    exposure: Decimal
    var_1d: Decimal | None  # None while there is too little price history

    def value(self, rule: str) -> Decimal | None:
        return {
            "drawdown": self.drawdown_pct,
            "daily_loss": self.daily_loss,
            "concentration": self.concentration_pct,
            "exposure": self.exposure,
            "var": self.var_1d,
        }[rule]

    def to_json(self) -> dict[str, object]:
        return {
            "equity": format(self.equity, "f"),
            "peak_equity": format(self.peak_equity, "f"),
            "drawdown_pct": format(self.drawdown_pct, "f"),
            "daily_loss": format(self.daily_loss, "f"),
            "concentration_pct": format(self.concentration_pct, "f"),
            "concentration_asset": self.concentration_asset,
            "exposure": format(self.exposure, "f"),
            "var_1d": None if self.var_1d is None else format(self.var_1d, "f"),
        }


def asset_values(view: PortfolioView) -> dict[str, Decimal]:
    """Value of each non-quote asset across venues (assets no market prices are left out)."""
    values: dict[str, Decimal] = {}
    for holding in view.holdings:
        if holding.asset == VALUATION_QUOTE or holding.value is None or not holding.value:
            continue
        values[holding.asset] = values.get(holding.asset, ZERO) + holding.value
    return values


def cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def measure(
    view: PortfolioView,
    *,
    peak_equity: Decimal,
    day_open_equity: Decimal,
    history: History,
) -> Measures:
    """Figures for one account; ``peak_equity`` and ``day_open_equity`` already include ``view.equity``."""
    equity = view.equity
    values = asset_values(view)
    drawdown = (peak_equity - equity) / peak_equity * _HUNDRED if peak_equity > 0 else ZERO
    largest = max(values, key=lambda asset: abs(values[asset]), default=None)
    concentration = ZERO
    if largest is not None and equity > 0:
        concentration = abs(values[largest]) / equity * _HUNDRED
    return Measures(
        equity=equity,
        peak_equity=peak_equity,
        day_open_equity=day_open_equity,
        drawdown_pct=cents(max(drawdown, ZERO)),
        daily_loss=cents(max(day_open_equity - equity, ZERO)),
        concentration_pct=cents(concentration),
        concentration_asset=largest,
        exposure=cents(sum((abs(v) for v in values.values()), ZERO)),
        var_1d=historical_var(values, history),
    )


def historical_var(
    values: Mapping[str, Decimal],
    history: History,
    *,
    confidence: float = VAR_CONFIDENCE,
    window_days: int = VAR_WINDOW_DAYS,
) -> Decimal | None:
    """1-day historical-simulation VaR of the positions ``values`` (asset -> value in USDT).

    Each past hour gives one scenario: every asset's 24 h return ending that hour, applied to today's
    position values; VaR is the loss exceeded in ``1 - confidence`` of the scenarios. Assets without
    candles are left out; ``None`` when fewer than ``VAR_MIN_SAMPLES`` scenarios exist.
    """
    if not values:
        return ZERO
    count = window_days * _HOURS_PER_DAY + _HOURS_PER_DAY
    closes: dict[str, dict[int, float]] = {}
    for asset, value in values.items():
        try:
            candles = history(f"{asset}/{VALUATION_QUOTE}", count)
        except UnknownSymbol:
            continue
        if value and candles:
            closes[asset] = {c.ts_ms: float(c.close) for c in candles}
    if not closes:
        return None
    stamps = sorted(set.intersection(*(set(series) for series in closes.values())))
    stamps = [ts for ts in stamps if ts - _HOURS_PER_DAY * HOUR_MS in closes[next(iter(closes))]]
    if len(stamps) < VAR_MIN_SAMPLES:
        return None
    pnl = np.zeros(len(stamps))
    for asset, series in closes.items():
        now = np.array([series[ts] for ts in stamps])
        before = np.array([series.get(ts - _HOURS_PER_DAY * HOUR_MS, np.nan) for ts in stamps])
        returns = np.nan_to_num(now / before - 1.0)
        pnl += float(values[asset]) * returns
    loss = -float(np.quantile(pnl, 1.0 - confidence, method="lower"))
    return cents(Decimal(repr(max(loss, 0.0))))
