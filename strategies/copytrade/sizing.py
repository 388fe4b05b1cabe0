"""How big a follower's copy of one leader fill is: pure Decimal arithmetic, no I/O.

- ``ratio X``: X times the leader's quantity (ratio 1 when the follow names neither ratio nor fixed);
- ``fixed $N``: N quote worth at the current price;
- ``max $M``: a buy is cut so the quote allocated to this leader (buys add their notional, sells take
  theirs off) never passes M; with nothing left the copy is skipped, with the reason.
Rounding down to the market's step happens here; the market minimums and the follower's balance and
risk limits are the OMS's to check, so a copy is placed whole or skipped, never shrunk to fit a balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.domain import ZERO, Instrument, Side
from strategies.copytrade.storage import Follow

ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Size:
    """A base quantity to place, or the reason the follower gets instead."""

    quantity: Decimal = ZERO
    skipped: str | None = None


def copy_size(rule: Follow, side: Side, leader_quantity: Decimal, price: Decimal, instrument: Instrument) -> Size:
    """The follower's base quantity for a leader fill of ``leader_quantity`` at about ``price``."""
    if rule.fixed is not None:
        raw = rule.fixed / price
    else:
        raw = leader_quantity * (rule.ratio if rule.ratio is not None else ONE)
    if side is Side.BUY and rule.max_allocation is not None:
        room = rule.max_allocation - rule.allocated
        if room < max(instrument.min_notional, ZERO) or room <= ZERO:  # too little left for any order
            return Size(skipped=f"max allocation of {rule.max_allocation:f} {instrument.quote} reached")
        raw = min(raw, room / price)
    quantity = instrument.round_quantity(raw)
    if quantity <= ZERO:
        return Size(skipped=f"copy size {raw:.10f} {instrument.base} rounds to nothing")
    return Size(quantity)


def allocated_after(rule: Follow, side: Side, notional: Decimal) -> Decimal:
    """The allocation once a copy of ``notional`` quote filled: buys add, sells release (never below 0)."""
    if side is Side.BUY:
        return rule.allocated + notional
    return max(ZERO, rule.allocated - notional)
