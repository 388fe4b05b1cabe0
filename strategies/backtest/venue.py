"""The simulated exchange of the backtester: balances, resting limit orders and fill rules.

Fill rules (the conventions the report documents):

- A market order decided on a bar fills at that bar's close plus slippage ``S`` (buys pay
  ``close * (1 + S)``, sells get ``close * (1 - S)``).
- A fee ``F`` is charged on the quote amount traded: a buy of quote amount ``A`` at price ``p``
  receives ``A * (1 - F) / p`` units; a buy of ``Q`` units pays ``Q * p`` and receives
  ``Q * (1 - F)``; a sell of ``Q`` units receives ``Q * p * (1 - F)``.
- A limit order that is marketable when placed fills at once like a market order, never at a worse
  price than its limit. A resting limit order fills at its limit price, without slippage, when the
  bar's price path reaches it (see ``PricePath``).
- Resting buys reserve ``Q * limit`` of cash and resting sells their units; an order that needs more
  than the free balance is rejected.

Balances are ``Decimal`` like the engine's; only the equity curve is turned into floats.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from strategies.core.types import Candle, OrderIntent, Side, StrategyFill

ZERO = Decimal(0)
ONE = Decimal(1)
_BUY = Side.BUY
_new = tuple.__new__


class Trade(NamedTuple):
    ts_ms: int
    intent_id: str
    symbol: str
    side: str
    liquidity: str
    price: Decimal
    quantity: Decimal
    quote: Decimal
    fee: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class Rejection:
    ts_ms: int
    intent_id: str
    reason: str


class Resting(NamedTuple):
    """A limit order on the book (a tuple: thousands are built and dropped by a grid's pauses)."""

    intent: OrderIntent
    limit: Decimal
    reserved: Decimal


def price_path(candle: Candle) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The order in which a bar is assumed to visit its prices.

    A bar that closed at or above its open went open -> low -> high -> close; one that closed
    lower went open -> high -> low -> close. Resting orders are matched along that path: on a
    falling leg, buys from the highest limit down; on a rising leg, sells from the lowest limit up.
    An order placed by a fill on that path can fill later on the same path.
    """
    if candle.close >= candle.open:
        return candle.open, candle.low, candle.high, candle.close
    return candle.open, candle.high, candle.low, candle.close


class SimulatedVenue:
    """Balances, resting orders and executions of one backtest (one strategy, one or more symbols)."""

    def __init__(self, symbols: tuple[str, ...], *, cash: Decimal, fee: Decimal, slippage: Decimal) -> None:
        self.cash = cash
        self.fee = fee
        self.slippage = slippage
        self._keep = ONE - fee
        self._buy_factor = ONE + slippage
        self._sell_factor = ONE - slippage
        self.positions = dict.fromkeys(symbols, ZERO)
        self.reserved_cash = ZERO
        self.reserved_units = dict.fromkeys(symbols, ZERO)
        self.buys: dict[str, dict[str, Resting]] = {symbol: {} for symbol in symbols}
        self.sells: dict[str, dict[str, Resting]] = {symbol: {} for symbol in symbols}
        # (limit, intent_id) in ascending order: the best buy is the last, the best sell the first
        self._buy_book: dict[str, list[tuple[Decimal, str]]] = {symbol: [] for symbol in symbols}
        self._sell_book: dict[str, list[tuple[Decimal, str]]] = {symbol: [] for symbol in symbols}
        self.trades: list[Trade] = []
        self.rejections: list[Rejection] = []
        self.version = 0
        self.resting_count = 0

    # -- resting book ----------------------------------------------------------------------------
    def best_buy(self, symbol: str) -> Resting | None:
        book = self._buy_book[symbol]
        return self.buys[symbol][book[-1][1]] if book else None

    def best_sell(self, symbol: str) -> Resting | None:
        book = self._sell_book[symbol]
        return self.sells[symbol][book[0][1]] if book else None

    def best_buy_limit(self, symbol: str) -> Decimal | None:
        book = self._buy_book[symbol]
        return book[-1][0] if book else None

    def best_sell_limit(self, symbol: str) -> Decimal | None:
        book = self._sell_book[symbol]
        return book[0][0] if book else None

    def books(
        self, symbol: str,
    ) -> tuple[list[tuple[Decimal, str]], dict[str, Resting], list[tuple[Decimal, str]], dict[str, Resting]]:
        """The live buy book, buy orders, sell book and sell orders of ``symbol``, for matching loops.

        The books are ``(limit, intent_id)`` lists in ascending order (best buy last, best sell
        first), updated in place by the venue; callers must only read them.
        """
        return self._buy_book[symbol], self.buys[symbol], self._sell_book[symbol], self.sells[symbol]

    def has_resting(self, symbol: str) -> bool:
        return bool(self.buys[symbol] or self.sells[symbol])

    def cancel(self, intent_id: str, symbol: str) -> bool:
        order = self.buys[symbol].pop(intent_id, None)
        if order is not None:
            self.reserved_cash -= order.reserved
            book = self._buy_book[symbol]
            if book[-1][1] == intent_id:  # the best buy: the usual case when it fills
                book.pop()
            else:
                book.remove((order.limit, intent_id))
            self.resting_count -= 1
            return True
        order = self.sells[symbol].pop(intent_id, None)
        if order is not None:
            self.reserved_units[symbol] -= order.reserved
            book = self._sell_book[symbol]
            if book[0][1] == intent_id:
                del book[0]
            else:
                book.remove((order.limit, intent_id))
            self.resting_count -= 1
            return True
        return False

    # -- executions ------------------------------------------------------------------------------
    def submit(self, intent: OrderIntent, market: Decimal, ts_ms: int) -> StrategyFill | str | None:
        """Execute or rest ``intent`` with the market at ``market``.

        Returns the fill, the rejection reason, or None when the order now rests on the book.
        """
        intent_id, symbol, side, quantity, _, limit, _ = intent
        buy = side is _BUY
        if limit is None or (limit >= market if buy else limit <= market):
            price = market * (self._buy_factor if buy else self._sell_factor)
            if limit is not None:
                price = min(price, limit) if buy else max(price, limit)
            return self._execute(intent, price, ts_ms, "taker")
        if quantity is None:
            quantity = ZERO
        if buy:
            reserve = quantity * limit
            if reserve > self.cash - self.reserved_cash:
                return self._reject(intent, ts_ms, "insufficient cash for the buy order")
            self.reserved_cash += reserve
            self.buys[symbol][intent_id] = _new(Resting, (intent, limit, reserve))
            insort(self._buy_book[symbol], (limit, intent_id))
            self.resting_count += 1
        else:
            if quantity > self.positions[symbol] - self.reserved_units[symbol]:
                return self._reject(intent, ts_ms, "insufficient position for the sell order")
            self.reserved_units[symbol] += quantity
            self.sells[symbol][intent_id] = _new(Resting, (intent, limit, quantity))
            insort(self._sell_book[symbol], (limit, intent_id))
            self.resting_count += 1
        return None

    def fill_resting(self, order: Resting, ts_ms: int) -> StrategyFill | str:
        """Fill a resting order at its limit price (the caller checked the path reached it)."""
        symbol = order.intent.symbol
        self.cancel(order.intent.intent_id, symbol)
        return self._execute(order.intent, order.limit, ts_ms, "maker")

    def _execute(self, intent: OrderIntent, price: Decimal, ts_ms: int, liquidity: str) -> StrategyFill | str:
        intent_id, symbol, side, quantity, quote_amount, _, reason = intent
        if side is _BUY:
            if quote_amount is not None:
                quote = quote_amount
                quantity = quote * self._keep / price
            else:
                quantity = quantity or ZERO
                quote = quantity * price
                quantity -= quantity * self.fee
            if quote > self.cash - self.reserved_cash:
                return self._reject(intent, ts_ms, "insufficient cash")
            fee = quote * self.fee
            self.cash -= quote
            self.positions[symbol] += quantity
        else:
            quantity = quantity or ZERO
            if quantity > self.positions[symbol] - self.reserved_units[symbol]:
                return self._reject(intent, ts_ms, "insufficient position")
            gross = quantity * price
            fee = gross * self.fee
            quote = gross - fee
            self.cash += quote
            self.positions[symbol] -= quantity
        self.version += 1
        # tuple.__new__ builds the records without the NamedTuples' Python-level __new__ (same values)
        self.trades.append(_new(Trade, (ts_ms, intent_id, symbol, str(side), liquidity, price, quantity, quote, fee,
                                        reason)))
        return _new(StrategyFill, (intent_id, symbol, side, quantity, price, quote, fee, ts_ms, True))

    def _reject(self, intent: OrderIntent, ts_ms: int, reason: str) -> str:
        self.rejections.append(Rejection(ts_ms, intent.intent_id, reason))
        return reason
