"""Dollar-cost averaging with optional 3Commas-style safety orders, take-profit and dip multiplier.

Parameters (``key=value``):

- ``amount`` quote spent by each scheduled buy (required); ``every`` the interval (default ``24h``).
  The first bar buys; after that a bar buys when its timestamp is at least ``every`` after the
  previous scheduled buy. Buys are whole ``amount``s: once the cash left is smaller, buying stops.
- ``dip`` (percent) and ``dip_multiplier``: a scheduled buy whose close is at least ``dip``% below
  the close of the previous scheduled buy spends ``amount * dip_multiplier`` (or just ``amount`` if
  the multiplied sum is not available).
- ``safety_orders`` (max count, default 0), ``safety_amount`` (default ``amount``), ``safety_step``
  (percent deviation of the first one from the deal's first fill price, default 1),
  ``safety_step_scale`` and ``safety_volume_scale`` (default 1). Safety order k (1-based) triggers
  at ``base * (1 - step * (1 + s + ... + s^(k-1)) / 100)`` and spends ``safety_amount * v^(k-1)``.
- ``take_profit`` (percent): when the close reaches the deal's average cost (fees included) times
  ``1 + take_profit/100`` the whole position is sold; the deal closes and the next buy opens a new one.

Decisions use the bar's close (market orders). The schedule keeps running across deals.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from strategies.core.base import ZERO, Strategy, decode_decimal, decode_int, encode_decimal, encode_int
from strategies.core.params import Params
from strategies.core.types import IDLE, Bar, Intent, OrderIntent, Side, StrategyFill, Wake

_HUNDRED = Decimal(100)
_BUY = Side.BUY
_new = tuple.__new__  # the Wake without the NamedTuple's Python-level __new__: one per active bar


class Dca(Strategy):
    """See the module docstring for the rules."""

    kind = "dca"

    def _configure(self, params: Params) -> None:
        one = Decimal(1)
        self.amount = params.required_decimal("amount", exclusive_minimum=ZERO)
        self.every_ms = params.duration_ms("every", 86_400_000) or 86_400_000
        self.dip = params.decimal("dip", exclusive_minimum=ZERO)
        self.dip_multiplier = params.decimal("dip_multiplier", one, minimum=one) or one
        self.max_safety = params.integer("safety_orders", 0)
        self.safety_amount = params.decimal("safety_amount", self.amount, exclusive_minimum=ZERO) or self.amount
        self.safety_step = params.decimal("safety_step", one, exclusive_minimum=ZERO) or one
        self.safety_step_scale = params.decimal("safety_step_scale", one, exclusive_minimum=ZERO) or one
        self.safety_volume_scale = params.decimal("safety_volume_scale", one, exclusive_minimum=ZERO) or one
        self.take_profit = params.decimal("take_profit", exclusive_minimum=ZERO)
        self._deviations = self._safety_deviations()
        # computed once: the trigger of safety order k is deal_base * _factors[k - 1]
        self._factors = [1 - deviation for deviation in self._deviations]
        self._tp_factor = None if self.take_profit is None else 1 + self.take_profit / _HUNDRED
        self._sizes = [self.safety_amount * self.safety_volume_scale**k for k in range(self.max_safety)]
        self.buys = 0
        self.last_buy_ms: int | None = None
        self.last_buy_close: Decimal | None = None
        self.deal = 0
        self.deal_base: Decimal | None = None
        self.deal_cost = ZERO
        self.safety_done = 0
        self.pending_buys: dict[str, Decimal] = {}
        self.pending_sell = ""
        self._take_profit_price: Decimal | None = None

    # -- rules -----------------------------------------------------------------------------------
    def _safety_deviations(self) -> list[Decimal]:
        """Price deviation (as a fraction) of each safety order, index 0 for the first one."""
        deviations, scale, total = [], Decimal(1), ZERO
        for _ in range(self.max_safety):
            total += self.safety_step * scale
            scale *= self.safety_step_scale
            deviations.append(total / _HUNDRED)
        return deviations

    def safety_price(self, number: int) -> Decimal | None:
        """Trigger price of safety order ``number`` (1-based) in the current deal."""
        if self.deal_base is None or not 1 <= number <= self.max_safety:
            return None
        return self.deal_base * self._factors[number - 1]

    def safety_size(self, number: int) -> Decimal:
        return self._sizes[number - 1]

    def take_profit_price(self) -> Decimal | None:
        """The close that triggers the take-profit sell; None without a position or a target."""
        return self._take_profit_price

    def _update_take_profit(self) -> None:
        position = self.positions[self.symbols[0]]
        if self._tp_factor is None or position <= 0 or self.deal_cost <= 0:
            self._take_profit_price = None
        else:
            self._take_profit_price = self.deal_cost / position * self._tp_factor

    @property
    def available(self) -> Decimal:
        if not self.pending_buys:
            return self.cash
        return self.cash - sum(self.pending_buys.values(), ZERO)

    def _scheduled_amount(self, close: Decimal) -> Decimal:
        if self.dip is None:
            return self.amount
        dipped = (self.dip is not None and self.last_buy_close is not None
                  and close <= self.last_buy_close * (1 - self.dip / _HUNDRED))
        boosted = self.amount * self.dip_multiplier
        return boosted if dipped and boosted <= self.available else self.amount

    def _next_safety_affordable(self) -> bool:
        done = self.safety_done
        return self.deal_base is not None and done < self.max_safety and self._sizes[done] <= self.available

    # -- decisions -------------------------------------------------------------------------------
    def on_bar(self, bar: Bar) -> list[Intent]:
        candle = bar.candles.get(self.symbols[0])
        if candle is None or self.stopped or self.pending_sell:
            return []
        close = candle.close
        target = self._take_profit_price
        if target is not None and close >= target:
            self.pending_sell = f"{self.strategy_id}:dca:d{self.deal}:tp"
            return [OrderIntent(self.pending_sell, self.symbol, Side.SELL, quantity=self.position,
                                reason=f"take profit at {close}")]
        intents: list[Intent] = []
        ts_ms, last = bar.ts_ms, self.last_buy_ms
        if (last is None or ts_ms >= last + self.every_ms) and self.amount <= self.available:
            spend = self.amount if self.dip is None else self._scheduled_amount(close)
            intents.append(self._buy(f"b{self.buys}", spend, "scheduled buy"))
            self.buys += 1
            self.last_buy_ms, self.last_buy_close = ts_ms, close
        done = self.safety_done  # _next_safety_affordable() and safety_price(done + 1), inlined
        while self.deal_base is not None and done < self.max_safety and self._sizes[done] <= self.available:
            if close > self.deal_base * self._factors[done]:
                break
            number = done + 1
            intents.append(self._buy(f"d{self.deal}:so{number}", self.safety_size(number),
                                     f"safety order {number} at {close}"))
            self.safety_done = done = number
        return intents

    def _buy(self, suffix: str, spend: Decimal, reason: str) -> OrderIntent:
        intent_id = f"{self.strategy_id}:dca:{suffix}"
        self.pending_buys[intent_id] = spend
        return OrderIntent(intent_id, self.symbols[0], _BUY, None, spend, None, reason)  # quote_amount=spend

    def _after_fill(self, fill: StrategyFill) -> list[Intent]:
        if fill.side is _BUY:
            self.deal_cost += fill.quote
            if self.deal_base is None:
                self.deal_base = fill.price
            if fill.final:
                self.pending_buys.pop(fill.intent_id, None)
        elif fill.final and fill.intent_id == self.pending_sell:
            self.pending_sell = ""
            self.deal += 1
            self.deal_base = None
            self.safety_done = 0
            self.deal_cost = self.position * fill.price  # dust left by venue rounding, if any
        self._update_take_profit()
        return []

    def _after_reject(self, intent_id: str, reason: str) -> list[Intent]:
        self.pending_buys.pop(intent_id, None)
        if intent_id == self.pending_sell:
            self.pending_sell = ""
        return []

    def wake(self) -> Wake:
        if self.stopped or self.pending_sell:
            return IDLE
        available = self.available
        at_ms = None
        if self.amount <= available:
            at_ms = 0 if self.last_buy_ms is None else self.last_buy_ms + self.every_ms
        below = None
        done = self.safety_done  # the next safety order, as in _next_safety_affordable and safety_price
        if self.deal_base is not None and done < self.max_safety and self._sizes[done] <= available:
            below = self.deal_base * self._factors[done]
        return _new(Wake, (False, at_ms, self.symbols[0], below, self._take_profit_price))

    # -- state -----------------------------------------------------------------------------------
    def _dump(self) -> dict[str, str]:
        return {
            "buys": str(self.buys),
            "last_buy_ms": encode_int(self.last_buy_ms),
            "last_buy_close": encode_decimal(self.last_buy_close),
            "deal": str(self.deal),
            "deal_base": encode_decimal(self.deal_base),
            "deal_cost": str(self.deal_cost),
            "safety_done": str(self.safety_done),
            "pending_buys": ";".join(f"{key}={value}" for key, value in self.pending_buys.items()),
            "pending_sell": self.pending_sell,
        }

    def _load(self, state: Mapping[str, str]) -> None:
        self.buys = int(state["buys"])
        self.last_buy_ms = decode_int(state["last_buy_ms"])
        self.last_buy_close = decode_decimal(state["last_buy_close"])
        self.deal = int(state["deal"])
        self.deal_base = decode_decimal(state["deal_base"])
        self.deal_cost = Decimal(state["deal_cost"])
        self.safety_done = int(state["safety_done"])
        pairs = [item.rpartition("=") for item in state["pending_buys"].split(";") if item]
        self.pending_buys = {key: Decimal(value) for key, _, value in pairs}
        self.pending_sell = state["pending_sell"]
        self._update_take_profit()
