"""Grid trading: buy low and sell high between fixed price levels with resting limit orders.

Parameters (``key=value``): ``lower``, ``upper`` (prices), ``levels`` (number of price levels, >= 2),
``mode`` (``arithmetic`` equal steps, or ``geometric`` equal ratios), ``quantity`` (base units per
level), optional ``tp_price`` / ``sl_price`` (close at or beyond them stops the whole grid: every
order is canceled and the position sold at market), ``out_of_range`` (``pause``: cancel the orders
while the close is outside [lower, upper] and put them back when it returns; ``stop``: cancel the
orders and stop for good, keeping the holdings).

Each interval between adjacent levels i and i+1 holds one working order: a buy of ``quantity`` at
level i while it holds nothing, or, once that buy filled, a sell of what was received at level i+1.
A filled sell completes a cycle and puts the buy back. On the first bar every interval starts with
its buy: those at or above the close are marketable and execute at once (the venue fills them at
the market price, at most the limit), which is how the grid acquires the coins it sells above.
The whole budget this can need is ``quantity * (level_0 + ... + level_{n-2})``; a larger sum than
the cash is refused up front. An order the venue rejects leaves its interval idle.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from engine.errors import UserInputError
from strategies.core.base import ZERO, Strategy, decode_decimal
from strategies.core.params import Params
from strategies.core.types import EVERY_BAR, IDLE, Bar, CancelIntent, Intent, OrderIntent, Side, StrategyFill, Wake

_BUY, _SELL, _IDLE = "B", "S", "X"
_BUY_SIDE, _SELL_SIDE = Side.BUY, Side.SELL


def grid_levels(lower: Decimal, upper: Decimal, count: int, mode: str) -> list[Decimal]:
    """Price levels from ``lower`` to ``upper`` inclusive, equally spaced or equally scaled."""
    steps = count - 1
    if mode == "arithmetic":
        step = (upper - lower) / steps
        levels = [lower + step * index for index in range(steps)]
    else:
        ratio = (upper / lower) ** (Decimal(1) / steps)
        levels = [lower * ratio**index for index in range(steps)]
    return [*levels, upper]


def _min_opt(first: Decimal | None, second: Decimal | None) -> Decimal | None:
    if first is None or second is None:
        return second if first is None else first
    return min(first, second)


def _max_opt(first: Decimal | None, second: Decimal | None) -> Decimal | None:
    if first is None or second is None:
        return second if first is None else first
    return max(first, second)


class Grid(Strategy):
    """See the module docstring for the rules."""

    kind = "grid"

    def _configure(self, params: Params) -> None:
        self.lower = params.required_decimal("lower", exclusive_minimum=ZERO)
        self.upper = params.required_decimal("upper", exclusive_minimum=self.lower)
        count = params.integer("levels", 10, minimum=2)
        self.mode = params.choice("mode", ("arithmetic", "geometric"), "arithmetic")
        self.quantity = params.required_decimal("quantity", exclusive_minimum=ZERO)
        self.tp_price = params.decimal("tp_price", exclusive_minimum=ZERO)
        self.sl_price = params.decimal("sl_price", exclusive_minimum=ZERO)
        self.out_of_range = params.choice("out_of_range", ("pause", "stop"), "pause")
        self.levels = grid_levels(self.lower, self.upper, count, self.mode)
        budget = self.quantity * sum(self.levels[:-1], ZERO)
        if budget > self.cash:
            raise UserInputError(f"this grid can need {budget:.2f} of cash; the budget is {self.cash}")
        intervals = count - 1
        self.status = "new"
        self.epoch = 0
        self.sides = [_BUY] * intervals
        self.held = [ZERO] * intervals
        self.cost = [ZERO] * intervals
        self.seq = [0] * intervals
        self.cycles = 0
        self.realized = ZERO
        self.paused_below = False
        self.live: dict[str, int] = {}
        # constant per instance: the reasons of each level's orders and the wake of each status
        self._buy_reasons = [f"grid buy at level {index}" for index in range(intervals)]
        self._sell_reasons = [f"grid sell at level {index + 1}" for index in range(intervals)]
        self._prefixes: tuple[int, list[str]] = (-1, [])
        self._wakes: dict[tuple[str, bool], Wake] = {}

    # -- orders ----------------------------------------------------------------------------------
    def _order(self, index: int) -> OrderIntent:
        epoch, prefixes = self._prefixes  # "<id>:grid:e<epoch>:i<index>", built once per epoch
        if epoch != self.epoch:
            head = f"{self.strategy_id}:grid:e{self.epoch}:i"
            prefixes = [f"{head}{number}" for number in range(len(self.sides))]
            self._prefixes = (self.epoch, prefixes)
        # positional arguments: intent_id, symbol, side, quantity, quote_amount, limit_price, reason
        if self.sides[index] == _BUY:
            intent_id = f"{prefixes[index]}:b{self.seq[index]}"
            intent = OrderIntent(intent_id, self.symbols[0], _BUY_SIDE, self.quantity, None, self.levels[index],
                                 self._buy_reasons[index])
        else:
            intent_id = f"{prefixes[index]}:s{self.seq[index]}"
            intent = OrderIntent(intent_id, self.symbols[0], _SELL_SIDE, self.held[index], None,
                                 self.levels[index + 1], self._sell_reasons[index])
        self.live[intent_id] = index
        return intent

    def _place_all(self) -> list[Intent]:
        self.status = "running"
        self.epoch += 1
        self.live = {}
        return [self._order(index) for index, side in enumerate(self.sides) if side != _IDLE]

    def _cancel_all(self, reason: str) -> list[Intent]:
        symbol = self.symbols[0]
        cancels: list[Intent] = [CancelIntent(intent_id, symbol, reason) for intent_id in self.live]
        self.live = {}
        return cancels

    def _stop(self, reason: str, *, sell: bool) -> list[Intent]:
        intents = self._cancel_all(reason)
        self.status = "stopped"
        self.stopped = True
        if sell and self.position > 0:
            intents.append(OrderIntent(f"{self.strategy_id}:grid:exit", self.symbol, Side.SELL,
                                       quantity=self.position, reason=reason))
        return intents

    # -- decisions -------------------------------------------------------------------------------
    def on_bar(self, bar: Bar) -> list[Intent]:
        candle = bar.candles.get(self.symbol)
        if candle is None or self.stopped:
            return []
        close = candle.close
        if self.tp_price is not None and close >= self.tp_price:
            return self._stop(f"take profit at {close}", sell=True)
        if self.sl_price is not None and close <= self.sl_price:
            return self._stop(f"stop loss at {close}", sell=True)
        inside = self.lower <= close <= self.upper
        if inside and self.status != "running":
            return self._place_all()
        if inside or (self.status == "paused" and self.paused_below == (close < self.lower)):
            return []
        if self.out_of_range == "stop":
            return self._stop(f"price {close} left the range", sell=False)
        self.status = "paused"
        self.paused_below = close < self.lower
        return self._cancel_all(f"price {close} left the range")

    def _after_fill(self, fill: StrategyFill) -> list[Intent]:
        index = self.live.get(fill.intent_id)
        if index is None:
            return []
        buy = fill.side is _BUY_SIDE
        if buy:
            self.held[index] += fill.quantity
            self.cost[index] += fill.quote
        else:
            self.held[index] -= fill.quantity
            self.realized += fill.quote
        if not fill.final:
            return []
        del self.live[fill.intent_id]
        if buy:
            self.sides[index] = _SELL
        else:
            self.realized -= self.cost[index]
            self.cycles += 1
            self.sides[index] = _BUY
            self.seq[index] += 1
            self.held[index] = ZERO
            self.cost[index] = ZERO
        return [self._order(index)]

    def _after_reject(self, intent_id: str, reason: str) -> list[Intent]:
        index = self.live.pop(intent_id, None)
        if index is not None and self.sides[index] == _BUY:
            self.sides[index] = _IDLE
        return []

    def wake(self) -> Wake:
        if self.stopped:
            return IDLE
        if self.status == "new":
            return EVERY_BAR
        key = (self.status, self.paused_below)
        wake = self._wakes.get(key)
        if wake is None:
            wake = self._wakes[key] = self._wake_for(*key)
        return wake

    def _wake_for(self, status: str, paused_below: bool) -> Wake:
        """The wake of a running or paused grid: it depends on the parameters and these two only."""
        below, above = self.sl_price, self.tp_price
        if status == "running":
            below, above = _max_opt(below, self.lower), _min_opt(above, self.upper)
        elif paused_below:
            above = _min_opt(above, self.lower)
        else:
            below = _max_opt(below, self.upper)
        return Wake(symbol=self.symbol, close_at_or_below=below, close_at_or_above=above)

    # -- state -----------------------------------------------------------------------------------
    def _dump(self) -> dict[str, str]:
        return {
            "status": self.status,
            "epoch": str(self.epoch),
            "sides": "".join(self.sides),
            "held": ",".join(map(str, self.held)),
            "cost": ",".join(map(str, self.cost)),
            "seq": ",".join(map(str, self.seq)),
            "cycles": str(self.cycles),
            "realized": str(self.realized),
            "paused_below": "1" if self.paused_below else "0",
            "live": ",".join(self.live),
        }

    def _load(self, state: Mapping[str, str]) -> None:
        self.status = state["status"]
        self.epoch = int(state["epoch"])
        self.sides = list(state["sides"])
        self.held = [Decimal(text) for text in state["held"].split(",")]
        self.cost = [Decimal(text) for text in state["cost"].split(",")]
        self.seq = [int(text) for text in state["seq"].split(",")]
        self.cycles = int(state["cycles"])
        self.realized = decode_decimal(state["realized"]) or ZERO
        self.paused_below = state["paused_below"] == "1"
        self.live = {intent_id: int(intent_id.rsplit(":i", 1)[1].split(":", 1)[0])
                     for intent_id in state["live"].split(",") if intent_id}

    def summary(self) -> str:
        return (f"grid {self.symbol} {self.status}: {self.cycles} cycles, realized {self.realized:.2f}, "
                f"{len(self.live)} working orders")

