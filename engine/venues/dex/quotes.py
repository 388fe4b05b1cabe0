"""A swap quote: what goes in, what comes out, and the bounds the signed swap enforces."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.domain import Side


@dataclass(frozen=True, slots=True)
class SwapQuote:
    """``amount_in``/``amount_out`` are the router's quote in token units; the bounds include slippage.

    A sell spends exactly ``amount_in`` and requires at least ``min_amount_out``; a buy receives
    exactly ``amount_out`` and spends at most ``max_amount_in``.
    """

    symbol: str
    side: Side
    path: tuple[str, str]
    amount_in: int
    amount_out: int
    min_amount_out: int
    max_amount_in: int
    quantity: Decimal
    price: Decimal
    quoted_at_ms: int
