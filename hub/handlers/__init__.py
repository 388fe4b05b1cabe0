"""One handler per command family; ``HANDLERS`` is the registry the composition root gives the hub."""

from __future__ import annotations

from hub.dispatch import Handler
from hub.handlers import account, control, identity, research, trading, venues

HANDLERS: dict[str, Handler] = {
    "trade": trading.trade,
    "cancel": trading.cancel,
    "orders": trading.orders,
    "fills": trading.fills,
    "balance": account.balance,
    "portfolio": account.portfolio,
    "pnl": account.pnl,
    "price": account.price,
    "help": control.help_,
    "risk": control.risk,
    "alerts": control.alerts,
    "kill": control.kill,
    "resume": control.resume,
    "backtest": research.backtest,
    "sentiment": research.sentiment,
    "link": identity.link,
    "venues": venues.venues,
    "venue": venues.venue,
}
