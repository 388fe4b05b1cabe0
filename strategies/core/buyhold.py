"""Buy and hold: spend the whole budget on the first bar, then do nothing.

With several symbols the budget is split equally. It is also the benchmark every backtest report
compares against.
"""

from __future__ import annotations

from collections.abc import Mapping

from strategies.core.base import Strategy
from strategies.core.params import Params
from strategies.core.types import EVERY_BAR, IDLE, Bar, Intent, OrderIntent, Side, Wake


class BuyHold(Strategy):
    """Invest all cash at the first close that has every symbol; a rejected buy is not retried."""

    kind = "buyhold"
    single_symbol = False

    def _configure(self, params: Params) -> None:
        self.decided = False

    def on_bar(self, bar: Bar) -> list[Intent]:
        if self.decided or self.stopped or any(symbol not in bar.candles for symbol in self.symbols):
            return []
        self.decided = True
        share = self.cash / len(self.symbols)
        return [OrderIntent(f"{self.strategy_id}:buyhold:buy:{symbol}", symbol, Side.BUY,
                            quote_amount=share, reason="buy and hold") for symbol in self.symbols]

    def wake(self) -> Wake:
        return IDLE if self.decided or self.stopped else EVERY_BAR

    def _dump(self) -> dict[str, str]:
        return {"decided": "1" if self.decided else "0"}

    def _load(self, state: Mapping[str, str]) -> None:
        self.decided = state["decided"] == "1"
