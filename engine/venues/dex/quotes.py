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


_WEI_PER_NATIVE = Decimal(10) ** 18


@dataclass(frozen=True, slots=True)
class GasCost:
    """What sending a swap would cost in gas: ``gas_units`` at ``fee_per_gas_wei`` (the EIP-1559 base fee
    of the latest block plus the tip), in the native coin and, when a pool prices it, in ``quote``."""

    gas_units: int
    fee_per_gas_wei: int
    native_symbol: str
    quote: str
    native_price: Decimal | None  # quote per native coin; None when no configured pool prices it

    @property
    def native_amount(self) -> Decimal:
        return Decimal(self.gas_units * self.fee_per_gas_wei) / _WEI_PER_NATIVE

    @property
    def quote_amount(self) -> Decimal | None:
        return None if self.native_price is None else self.native_amount * self.native_price

    def to_json(self) -> dict[str, str | int | None]:
        quoted = self.quote_amount
        return {
            "gas_units": self.gas_units, "fee_per_gas_wei": self.fee_per_gas_wei,
            "native": str(self.native_amount), "native_symbol": self.native_symbol,
            "quote_amount": None if quoted is None else str(quoted), "quote": self.quote,
        }  # fmt: skip
