"""Strategy decision logic, shared by the live runner and the backtester.

The interface (see ``base.Strategy`` and ``types``)::

    strategy = create_strategy("dca", strategy_id="s42", symbols=("BTC/USDT",),
                               cash=Decimal(1000), params={"amount": "100", "every": "24h"})
    strategy.wake() -> Wake              # which bars can make on_bar act (lets drivers skip the rest)
    strategy.on_bar(bar) -> [intents]    # decide at the close of a bar (Bar: ts_ms + Candle per symbol)
    strategy.on_fill(fill) -> [intents]  # book an execution of one of its intents and react to it
    strategy.on_reject(intent_id, reason) -> [intents]   # the venue refused or canceled an intent
    strategy.to_state() -> dict[str, str]; restore_strategy(state) -> Strategy

Intents are ``OrderIntent`` (side, base ``quantity`` or buy ``quote_amount``, optional
``limit_price``) and ``CancelIntent``. Each ``intent_id`` is derived from the strategy id and its
state only, so it is the idempotency key of the engine order.

Each strategy keeps its own ledger (budget ``cash`` and ``positions``) moved only by fills, so it
never spends more than it was given, whatever else the account holds.

How a live runner resumes without repeating or skipping an action:

1. load the last persisted state (``restore_strategy``) and the id of the last bar it completed;
2. for the next bar: ``intents = strategy.on_bar(bar)``; submit every intent to the engine with
   ``intent_id`` as idempotency key (``CancelIntent``: cancel the order with that key);
3. deliver each fill exactly once through ``on_fill`` (submit what it returns the same way), and
   rejections through ``on_reject``;
4. persist ``to_state()`` together with the bar id and the fill cursor, in one transaction.

A crash before step 4 replays the bar from the previous state: ``on_bar`` is deterministic, so it
returns the same intents with the same ids and the engine recognises them (no repeat); nothing is
lost because nothing was persisted as done (no skip). After downtime the next bar is evaluated as
usual: a DCA due during the outage buys once, it does not catch up on every missed interval.

``wake()`` is an optimisation only: a runner may call ``on_bar`` on every bar.
"""

from __future__ import annotations

from strategies.core.base import Strategy
from strategies.core.registry import STRATEGIES, create_strategy, restore_strategy, strategy_class
from strategies.core.types import Bar, CancelIntent, Candle, Intent, OrderIntent, Side, StrategyFill, Wake

__all__ = [
    "STRATEGIES",
    "Bar",
    "CancelIntent",
    "Candle",
    "Intent",
    "OrderIntent",
    "Side",
    "Strategy",
    "StrategyFill",
    "Wake",
    "create_strategy",
    "restore_strategy",
    "strategy_class",
]
