"""Rebalancing: hold several assets at target weights of the strategy's equity.

Parameters (``key=value``): ``weights`` as ``BTC/USDT:0.6,ETH/USDT:0.4`` or ``60%,40%`` in symbol
order (their sum may stay below 1; the rest is kept in cash); ``every`` (duration: periodic) and/or
``threshold`` (percentage points: rebalance when any weight drifts that far from its target);
``min_trade`` (quote, default 10): smaller adjustments are skipped.

A rebalance decided at a bar's close sells the overweight assets first; once every sell has filled,
it buys the underweight ones with the cash actually available (scaled down pro rata when fees left
too little). Valuation uses the closes of the deciding bar. A bar missing any symbol is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from engine.errors import UserInputError
from strategies.core.base import ZERO, Strategy, decode_int, encode_int
from strategies.core.params import Params, parse_decimal
from strategies.core.types import EVERY_BAR, IDLE, Bar, Intent, OrderIntent, Side, StrategyFill, Wake

_HUNDRED = Decimal(100)


def parse_weights(text: str, symbols: tuple[str, ...]) -> dict[str, Decimal]:
    """Parse ``SYM:w,...`` or ``w,...`` (fractions or percentages) into weights per symbol."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) != len(symbols):
        raise UserInputError(f"`weights` needs one weight per symbol ({len(symbols)}), got {len(parts)}")
    weights: dict[str, Decimal] = {}
    for position, part in enumerate(parts):
        name, sep, value = part.rpartition(":")
        symbol = name.strip().upper() if sep else symbols[position]
        if symbol not in symbols:
            raise UserInputError(f"`weights` names {symbol}, which is not one of {', '.join(symbols)}")
        weight = parse_decimal(value, name="weights")
        weights[symbol] = weight / _HUNDRED if value.strip().endswith("%") else weight
    if any(weight < 0 for weight in weights.values()) or sum(weights.values()) > 1:
        raise UserInputError("`weights` must be non-negative and add up to at most 1 (100%)")
    return weights


class Rebalance(Strategy):
    """See the module docstring for the rules."""

    kind = "rebalance"
    single_symbol = False

    def _configure(self, params: Params) -> None:
        self.weights = parse_weights(params.required_text("weights"), self.symbols)
        self.every_ms = params.duration_ms("every")
        threshold = params.decimal("threshold", exclusive_minimum=ZERO)
        self.threshold = None if threshold is None else threshold / _HUNDRED
        if self.every_ms is None and self.threshold is None:
            raise UserInputError("rebalance needs `every` (periodic), `threshold` (drift), or both")
        self.min_trade = params.decimal("min_trade", Decimal(10), minimum=ZERO) or ZERO
        self.rounds = 0
        self.last_ms: int | None = None
        self.closes: dict[str, Decimal] = {}
        self.pending_sells: set[str] = set()
        self.pending_buys: set[str] = set()

    def equity(self, closes: Mapping[str, Decimal]) -> Decimal:
        return self.cash + sum((self.positions[s] * closes[s] for s in self.symbols), ZERO)

    def drift(self, closes: Mapping[str, Decimal]) -> Decimal:
        """Largest absolute distance between an actual and a target weight."""
        equity = self.equity(closes)
        if equity <= 0:
            return ZERO
        return max(abs(self.positions[s] * closes[s] / equity - self.weights[s]) for s in self.symbols)

    def _due(self, bar: Bar, closes: Mapping[str, Decimal]) -> bool:
        if self.last_ms is None:
            return True
        if self.every_ms is not None and bar.ts_ms >= self.last_ms + self.every_ms:
            return True
        return self.threshold is not None and self.drift(closes) >= self.threshold

    def on_bar(self, bar: Bar) -> list[Intent]:
        if self.stopped or self.pending_sells or self.pending_buys:
            return []
        if any(symbol not in bar.candles for symbol in self.symbols):
            return []
        closes = {symbol: bar.candles[symbol].close for symbol in self.symbols}
        if not self._due(bar, closes):
            return []
        self.rounds += 1
        self.last_ms = bar.ts_ms
        self.closes = closes
        sells = self._sells()
        return sells if sells else self._buys()

    def _gaps(self) -> dict[str, Decimal]:
        equity = self.equity(self.closes)
        return {s: self.weights[s] * equity - self.positions[s] * self.closes[s] for s in self.symbols}

    def _sells(self) -> list[Intent]:
        intents: list[Intent] = []
        for symbol, gap in self._gaps().items():
            if -gap < self.min_trade or -gap <= 0:
                continue
            quantity = min(self.positions[symbol], -gap / self.closes[symbol])
            if quantity <= 0:
                continue
            intent_id = f"{self.strategy_id}:rb{self.rounds}:sell:{symbol}"
            self.pending_sells.add(intent_id)
            intents.append(OrderIntent(intent_id, symbol, Side.SELL, quantity=quantity,
                                       reason=f"rebalance {self.rounds}: down to {self.weights[symbol]:.2%}"))
        return intents

    def _buys(self) -> list[Intent]:
        wanted = {s: gap for s, gap in self._gaps().items() if gap >= self.min_trade and gap > 0}
        total = sum(wanted.values(), ZERO)
        scale = min(Decimal(1), self.cash / total) if total > 0 else ZERO
        intents: list[Intent] = []
        for symbol, gap in wanted.items():
            spend = gap * scale
            if spend < self.min_trade or spend <= 0:
                continue
            intent_id = f"{self.strategy_id}:rb{self.rounds}:buy:{symbol}"
            self.pending_buys.add(intent_id)
            intents.append(OrderIntent(intent_id, symbol, Side.BUY, quote_amount=spend,
                                       reason=f"rebalance {self.rounds}: up to {self.weights[symbol]:.2%}"))
        return intents

    def _after_fill(self, fill: StrategyFill) -> list[Intent]:
        if not fill.final:
            return []
        return self._settle(fill.intent_id)

    def _after_reject(self, intent_id: str, reason: str) -> list[Intent]:
        return self._settle(intent_id)

    def _settle(self, intent_id: str) -> list[Intent]:
        self.pending_buys.discard(intent_id)
        if intent_id in self.pending_sells:
            self.pending_sells.discard(intent_id)
            if not self.pending_sells:
                return self._buys()
        return []

    def wake(self) -> Wake:
        if self.stopped or self.pending_sells or self.pending_buys:
            return IDLE
        if self.last_ms is None or self.threshold is not None:
            return EVERY_BAR
        return Wake(at_ms=self.last_ms + (self.every_ms or 0))

    def _dump(self) -> dict[str, str]:
        return {
            "rounds": str(self.rounds),
            "last_ms": encode_int(self.last_ms),
            "closes": ",".join(f"{symbol}={price}" for symbol, price in self.closes.items()),
            "pending_sells": ",".join(sorted(self.pending_sells)),
            "pending_buys": ",".join(sorted(self.pending_buys)),
        }

    def _load(self, state: Mapping[str, str]) -> None:
        self.rounds = int(state["rounds"])
        self.last_ms = decode_int(state["last_ms"])
        pairs = [item.partition("=") for item in state["closes"].split(",") if item]
        self.closes = {symbol: Decimal(price) for symbol, _, price in pairs}
        self.pending_sells = {item for item in state["pending_sells"].split(",") if item}
        self.pending_buys = {item for item in state["pending_buys"].split(",") if item}
