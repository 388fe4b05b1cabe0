"""The usage table: one line of syntax and one sentence per command family (``help``, bot menus)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_USAGE_LINES: dict[str, tuple[str, str]] = {
    "trade": ("buy|sell QTY SYMBOL [@ PRICE] [on VENUE] [twap|vwap DURATION | iceberg VISIBLE_QTY] "
              "[tp PRICE] [sl PRICE]",
              "Place a market order, or a limit order with a price; QTY is base units (0.01), "
              "a quote amount ($100) or a percentage of the available balance (25%)."),
    "cancel": ("cancel ID|all", "Cancel one open order by id, or all of them."),
    "confirm": ("confirm ID", "Confirm an action that asked for confirmation."),
    "orders": ("orders [on VENUE]", "List your open orders."),
    "fills": ("fills [on VENUE]", "List your recent fills."),
    "balance": ("balance [on VENUE]", "Show your balances."),
    "portfolio": ("portfolio [on VENUE]", "Show your positions, their value and unrealized P&L."),
    "pnl": ("pnl [day|week|month|all]", "Show realized and unrealized profit and loss for a period."),
    "price": ("price SYMBOL", "Show the last price of a market (a bare asset means its USDT market)."),
    "dca": ("dca $AMOUNT SYMBOL every DURATION [key=value ...]",
            "Buy a fixed quote amount at a fixed interval (dollar-cost averaging)."),
    "grid": ("grid SYMBOL LOW HIGH LEVELS [key=value ...]  (or LOW-HIGH)",
             "Run a grid of buy and sell orders between two prices."),
    "rebalance": ("rebalance ASSET=PCT% ... [every DURATION] [threshold PCT%] [min $AMOUNT]",
                  "Keep the portfolio at target weights, on a schedule or when it drifts past a threshold."),
    "strategies": ("strategies", "List your running strategies."),
    "stop": ("stop ID", "Stop a running strategy."),
    "backtest": ("backtest STRATEGY SYMBOL [key=value ...]",
                 "Run a strategy over historical candles and report the result."),
    "follow": ("follow LEADER [ratio X | fixed $AMOUNT] [max $AMOUNT]",
               "Copy a leader's trades, scaled by a ratio or at a fixed size, with an optional cap."),
    "unfollow": ("unfollow LEADER", "Stop copying a leader."),
    "leaders": ("leaders", "List the leaders you can follow."),
    "lead": ("lead on [discord CHANNEL_WEBHOOK_URL] | lead off",
             "Let others copy your trades (optionally posting your fills to a Discord channel), or stop."),
    "sentiment": ("sentiment SYMBOL", "Show the current sentiment index for an asset."),
    "risk": ("risk", "Show your risk limits and how much of them is used."),
    "alerts": ("alerts [ack ID]", "List recent risk alerts, or acknowledge one."),
    "kill": ("kill", "Cancel all orders and pause all strategies (the kill switch)."),
    "resume": ("resume", "Lift the kill switch."),
    "help": ("help [COMMAND]", "List the commands, or explain one."),
    "link": ("link [CODE]", "Link this chat account to your tradehub user; without a code, get one."),
    "webhooks": ("webhooks [ARGS ...]", "Manage outbound webhook endpoints."),
    "venues": ("venues | venue remove NAME",
               "List your exchange accounts and DEX wallets, or remove one; add them with the CLI or REST API, "
               "never in chat."),
}

USAGE: Mapping[str, str] = MappingProxyType(
    {family: f"{line}\n    {sentence}" for family, (line, sentence) in _USAGE_LINES.items()}
)
