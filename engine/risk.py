"""Pre-trade risk checks and the kill switch state.

``check_order`` is pure: the OMS gathers the facts inside its transaction and asks; a breach
raises ``RiskRejected`` (or ``InsufficientBalance``) naming the limit, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.domain import Side
from engine.errors import InsufficientBalance, RiskRejected


@dataclass(frozen=True, slots=True)
class RiskLimits:
    max_order_notional: Decimal = Decimal("250000")
    max_position_notional: Decimal = Decimal("1000000")
    daily_loss_limit: Decimal = Decimal("10000")
    allowed_symbols: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the risk check needs to know about one order and its account, at one moment."""

    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal  # limit price, or the current price with slippage for market orders
    base_asset: str
    quote_asset: str
    fee_rate: Decimal
    available_base: Decimal
    available_quote: Decimal
    position_quantity: Decimal
    daily_realized_pnl: Decimal
    kill_switch: bool

    @property
    def notional(self) -> Decimal:
        return self.quantity * self.price


def required_funds(facts: OrderFacts) -> tuple[str, Decimal]:
    """The asset and amount the order must lock: quote incl. fee for a buy, base for a sell."""
    if facts.side is Side.BUY:
        return facts.quote_asset, facts.notional * (1 + facts.fee_rate)
    return facts.base_asset, facts.quantity


def check_order(facts: OrderFacts, limits: RiskLimits) -> None:
    """Raise if the order breaches a limit; return None if it may go to the venue."""
    if facts.kill_switch:
        raise RiskRejected("trading is halted by the kill switch; an admin can `resume`", code="kill_switch")
    if limits.allowed_symbols is not None and facts.symbol not in limits.allowed_symbols:
        raise RiskRejected(f"{facts.symbol} is not on the symbol allow-list", code="symbol_not_allowed")
    if facts.notional > limits.max_order_notional:
        raise RiskRejected(
            f"order notional {facts.notional:.2f} {facts.quote_asset} exceeds the limit of "
            f"{limits.max_order_notional} {facts.quote_asset}",
            code="max_order_notional",
        )
    if facts.side is Side.BUY:
        _check_buy(facts, limits)
    asset, needed = required_funds(facts)
    available = facts.available_quote if facts.side is Side.BUY else facts.available_base
    if needed > available:
        verb = "buy" if facts.side is Side.BUY else "sell"
        raise InsufficientBalance(
            f"insufficient {asset} to {verb} {facts.quantity} {facts.base_asset}: "
            f"needs {_show(needed)}, available {_show(available)}"
        )


def _check_buy(facts: OrderFacts, limits: RiskLimits) -> None:
    after = (facts.position_quantity + facts.quantity) * facts.price
    if after > limits.max_position_notional:
        raise RiskRejected(
            f"position in {facts.base_asset} would be {after:.2f} {facts.quote_asset}, above the limit of "
            f"{limits.max_position_notional}",
            code="max_position",
        )
    if -facts.daily_realized_pnl >= limits.daily_loss_limit:
        raise RiskRejected(
            f"daily loss limit of {limits.daily_loss_limit} {facts.quote_asset} reached "
            f"(today {facts.daily_realized_pnl:.2f}); only reducing orders are allowed",
            code="daily_loss_limit",
        )


def _show(amount: Decimal) -> str:
    return f"{amount.normalize():f}" if amount == amount.to_integral_value() else f"{amount:f}".rstrip("0")
