"""The backtest loop: drive a strategy over candles against the simulated venue.

Per bar, in this order:

1. resting limit orders are matched along the bar's price path (``venue.price_path``); each fill
   goes to ``strategy.on_fill`` at once and what it returns is submitted at the fill price;
2. ``strategy.on_bar`` decides at the close; market orders fill at the close plus slippage and
   the resulting fills go back to the strategy the same way;
3. equity is marked at the close: ``cash + sum(position * close)``, in quote currency.

Speed: bars on which neither the strategy (its ``Wake``) nor a resting order can act are skipped
with numpy scans over float64 arrays, and the equity curve is filled in afterwards with numpy.
The range-extrema tables and the timestamp list are kept on the ``CandleSeries`` (built on first
use, shared by every later run over the same series); float thresholds are remembered per object
(``float(Decimal)`` goes through a string); the hot loop builds its NamedTuples with
``tuple.__new__`` and reads the venue's books directly.
Floats are fine here (this is analytics); decisions and balances stay ``Decimal`` and are only
computed on the bars that matter. The float screen cannot miss a bar: float rounding is monotonic,
so ``a <= b`` in ``Decimal`` implies it for the floats; at worst it wakes the strategy for nothing.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from strategies.backtest.data import CandleSeries
from strategies.backtest.scan import RangeExtrema, Screen, first_hit
from strategies.backtest.venue import Resting, SimulatedVenue, price_path
from strategies.core.base import Strategy
from strategies.core.types import Bar, CancelIntent, Candle, Intent, Wake

Progress = Callable[[int, int], None]
_new = tuple.__new__  # builds a NamedTuple without its Python-level __new__ (hot loop only)


@dataclass(frozen=True, slots=True)
class Simulation:
    """What a run produced: the equity curve (one value per bar) and the venue's records."""

    ts: np.ndarray
    equity: np.ndarray
    venue: SimulatedVenue
    strategy: Strategy
    events: int


class Runner:
    """One backtest run; build it, then call ``run()`` once."""

    def __init__(self, strategy: Strategy, series: list[CandleSeries], venue: SimulatedVenue) -> None:
        if [item.symbol for item in series] != list(strategy.symbols):
            raise ValueError("series must be given in the strategy's symbol order")
        self.strategy = strategy
        self.series = series
        self.by_symbol = {item.symbol: item for item in series}
        self.venue = venue
        self.ts = series[0].ts
        self._ts_list: list[int] = series[0].ts_list()
        self.count = len(self.ts)
        self._floats: dict[Decimal, float] = {}
        self._wake_floats: list[tuple[Decimal | None, float]] = [(None, 0.0), (None, 0.0)]
        self._single = series[0] if len(series) == 1 else None
        self._changes: list[int] = [-1]
        # balances after each bar that changed them (Decimal; turned into floats once, at the end)
        self._cash: list[Decimal] = [venue.cash]
        self._positions: list[list[Decimal]] = [[units] for units in venue.positions.values()]  # per symbol
        self.events = 0

    def run(self, progress: Progress | None = None) -> Simulation:
        step = max(1, self.count // 200)
        reported = 0
        index = 0
        while index < self.count:
            index = self._next_event(index)
            if index >= self.count:
                break
            self._process(index)
            if progress is not None and index - reported >= step:
                reported = index
                progress(index, self.count)
            index += 1
        if progress is not None:
            progress(self.count, self.count)
        return Simulation(self.ts, self._equity(), self.venue, self.strategy, self.events)

    # -- skipping idle bars ----------------------------------------------------------------------
    def _next_event(self, start: int) -> int:
        wake = self.strategy.wake()
        if wake.every_bar:
            return start
        end = self.count
        if wake.at_ms is not None:
            end = bisect_left(self._ts_list, wake.at_ms, start)
            if end <= start:
                return start
        screens = self._screens(wake)
        if not screens:
            return end
        return first_hit(screens, start, end, bounded=wake.at_ms is not None)

    @staticmethod
    def _screen(item: CandleSeries, column: str, at_or_below: bool, threshold: float) -> Screen:
        """``item.<column> <= threshold`` (or ``>=``) with the column's extrema table, cached per series."""
        key = (column, at_or_below)
        extrema = item.cache.get(key)
        if extrema is None:
            extrema = item.cache[key] = RangeExtrema(getattr(item, column), minimum=at_or_below)
        return (extrema.levels[0], extrema, at_or_below, threshold)

    def _limit_float(self, limit: Decimal) -> float:
        """``float(limit)`` for a resting order's limit, remembered: a grid has few distinct levels."""
        floats = self._floats
        value = floats.get(limit)
        if value is None:  # float(Decimal) goes through a string
            if len(floats) >= 4096:
                floats.clear()
            value = floats[limit] = float(limit)
        return value

    def _wake_float(self, slot: int, threshold: Decimal) -> float:
        """``float(threshold)`` for a wake bound, remembered while the strategy returns the same object."""
        last = self._wake_floats[slot]
        if last[0] is threshold:
            return last[1]
        value = float(threshold)
        self._wake_floats[slot] = (threshold, value)
        return value

    def _screens(self, wake: Wake) -> list[Screen]:
        venue = self.venue
        below, above = wake.close_at_or_below, wake.close_at_or_above
        screens: list[Screen] = []
        if venue.resting_count:
            for item in self.series:
                symbol = item.symbol
                best_buy = venue.best_buy_limit(symbol)
                best_sell = venue.best_sell_limit(symbol)
                implied = symbol == wake.symbol
                if best_buy is not None:
                    screens.append(self._screen(item, "low", True, self._limit_float(best_buy)))
                    # low <= close, so "close <= x" is implied by "low <= limit" when x <= limit
                    if implied and below is not None and below <= best_buy:
                        below = None
                if best_sell is not None:
                    screens.append(self._screen(item, "high", False, self._limit_float(best_sell)))
                    if implied and above is not None and above >= best_sell:
                        above = None
        if wake.symbol is not None:
            item = self.by_symbol[wake.symbol]
            if below is not None:
                screens.append(self._screen(item, "close", True, self._wake_float(0, below)))
            if above is not None:
                screens.append(self._screen(item, "close", False, self._wake_float(1, above)))
        return screens

    # -- one bar ---------------------------------------------------------------------------------
    def _process(self, index: int) -> None:
        self.events += 1
        venue = self.venue
        version = venue.version
        ts_ms = self._ts_list[index]
        if self._single is not None:  # the common case, without the loops
            candle = self._single.candle(index, ts_ms)
            symbol = candle.symbol
            candles = {symbol: candle}
            if venue.buys[symbol] or venue.sells[symbol]:
                self._match_path(candle, ts_ms)
            intents = self.strategy.on_bar(_new(Bar, (ts_ms, candles)))
            if intents:
                self._dispatch(intents, {symbol: candle.close}, ts_ms)
        else:
            candles = {item.symbol: item.candle(index, ts_ms) for item in self.series}
            for symbol, candle in candles.items():
                if venue.buys[symbol] or venue.sells[symbol]:
                    self._match_path(candle, ts_ms)
            intents = self.strategy.on_bar(Bar(ts_ms, candles))
            if intents:
                self._dispatch(intents, {symbol: candle.close for symbol, candle in candles.items()}, ts_ms)
        if venue.version != version:
            self._changes.append(index)
            self._cash.append(venue.cash)
            for column, units in zip(self._positions, venue.positions.values(), strict=True):
                column.append(units)

    def _match_path(self, candle: Candle, ts_ms: int) -> None:
        buy_book, buys, sell_book, sells = self.venue.books(candle.symbol)  # live views, best buy last
        if (not buy_book or buy_book[-1][0] < candle.low) and (not sell_book or sell_book[0][0] > candle.high):
            return  # woken by the strategy's close condition: no resting order is within reach
        points = price_path(candle)
        previous = points[0]
        for point in points:
            if point <= previous:
                while buy_book and buy_book[-1][0] >= point:
                    self._fill_resting(buys[buy_book[-1][1]], ts_ms)
            if point >= previous:
                while sell_book and sell_book[0][0] <= point:
                    self._fill_resting(sells[sell_book[0][1]], ts_ms)
            previous = point

    def _fill_resting(self, order: Resting, ts_ms: int) -> None:
        outcome = self.venue.fill_resting(order, ts_ms)
        if isinstance(outcome, str):
            follow = self.strategy.on_reject(order.intent.intent_id, outcome)
        else:
            follow = self.strategy.on_fill(outcome)
        if follow:
            self._dispatch(follow, {order.intent.symbol: order.limit}, ts_ms)

    def _dispatch(self, intents: Iterable[Intent], prices: dict[str, Decimal], ts_ms: int) -> None:
        queue = list(intents)
        strategy, venue = self.strategy, self.venue
        for intent in queue:  # first in, first out: reactions join the end and are reached in turn
            if type(intent) is CancelIntent:
                venue.cancel(intent.intent_id, intent.symbol)
                continue
            market = prices.get(intent.symbol)
            if market is None:  # a reaction on another symbol: use that symbol's close
                market = self._last_close(intent.symbol, ts_ms)
            outcome = venue.submit(intent, market, ts_ms)  # type: ignore[arg-type]
            if outcome is None:
                continue
            follow = strategy.on_reject(intent.intent_id, outcome) if type(outcome) is str else \
                strategy.on_fill(outcome)  # type: ignore[arg-type]
            if follow:
                queue.extend(follow)

    def _last_close(self, symbol: str, ts_ms: int) -> Decimal:
        item = self.by_symbol[symbol]
        return item.candle(bisect_left(self._ts_list, ts_ms)).close

    # -- equity ----------------------------------------------------------------------------------
    def _equity(self) -> np.ndarray:
        # balance k holds from bar changes[k] (the first from bar 0) up to the next change
        starts = np.asarray(self._changes, dtype=np.int64)
        starts[0] = 0
        lengths = np.diff(starts, append=self.count)
        equity = np.repeat(_floats(self._cash), lengths)
        for column, item in zip(self._positions, self.series, strict=True):
            equity = equity + np.repeat(_floats(column), lengths) * item.close
        return equity


def _floats(values: list[Decimal]) -> np.ndarray:
    return np.fromiter(map(float, values), dtype=np.float64, count=len(values))


def run_simulation(
    strategy: Strategy, series: list[CandleSeries], *, cash: Decimal, fee: Decimal, slippage: Decimal,
    progress: Progress | None = None,
) -> Simulation:
    """Run ``strategy`` over aligned ``series`` and return the equity curve and the records."""
    venue = SimulatedVenue(strategy.symbols, cash=cash, fee=fee, slippage=slippage)
    return Runner(strategy, series, venue).run(progress)
