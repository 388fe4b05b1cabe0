"""Configuration of the paper venue: fees, slippage and the markets it simulates."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from engine.domain import Instrument


def _instrument(symbol: str, tick: str, step: str, min_notional: str = "5") -> Instrument:
    base, quote = symbol.split("/")
    return Instrument(symbol, base, quote, Decimal(tick), Decimal(step), Decimal(step), Decimal(min_notional))


#: Precision and minimums as Binance spot lists them for the bundled markets.
DEFAULT_INSTRUMENTS: dict[str, Instrument] = {
    i.symbol: i
    for i in (
        _instrument("BTC/USDT", "0.01", "0.00001"),
        _instrument("ETH/USDT", "0.01", "0.0001"),
        _instrument("SOL/USDT", "0.01", "0.001"),
        _instrument("BNB/USDT", "0.1", "0.001"),
        _instrument("ADA/USDT", "0.0001", "0.1"),
        _instrument("XRP/USDT", "0.0001", "1"),
    )
}


@dataclass(frozen=True, slots=True)
class PaperConfig:
    taker_fee_rate: Decimal = Decimal("0.001")
    maker_fee_rate: Decimal = Decimal("0.001")
    slippage_bps: Decimal = Decimal("5")
    initial_balance: Decimal = Decimal("10000")
    quote_asset: str = "USDT"
    instruments: dict[str, Instrument] = field(default_factory=lambda: dict(DEFAULT_INSTRUMENTS))
