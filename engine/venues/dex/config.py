"""Typed, frozen configuration of a DEX venue: the chain, its router and tokens, and the wallet.

Router and factory addresses are configuration, per chain (Ethereum, Base, Polygon, Arbitrum or
any EVM chain with a Uniswap-V2-style router). The wallet key comes from an encrypted keystore
(the JSON format of ``geth``/``eth-account``) and its password; neither appears in ``repr``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from engine.errors import OperatorError, UnknownSymbol

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _check_address(value: str, what: str) -> None:
    if not _ADDRESS.match(value):
        raise OperatorError(f"{what} is not an EVM address: {value!r}")


@dataclass(frozen=True, slots=True)
class TokenConfig:
    symbol: str
    address: str
    decimals: int = 18

    def __post_init__(self) -> None:
        _check_address(self.address, f"token {self.symbol}")
        if not 0 <= self.decimals <= 36:
            raise OperatorError(f"token {self.symbol} has unsupported decimals {self.decimals}")


@dataclass(frozen=True, slots=True)
class ChainConfig:
    """One EVM chain and the V2 deployment used on it."""

    name: str
    chain_id: int
    rpc_url: str
    router: str
    factory: str
    tokens: tuple[TokenConfig, ...]
    native_symbol: str = "ETH"

    def __post_init__(self) -> None:
        _check_address(self.router, f"{self.name} router")
        _check_address(self.factory, f"{self.name} factory")
        symbols = [token.symbol for token in self.tokens]
        if len(set(symbols)) != len(symbols):
            raise OperatorError(f"{self.name}: token symbols must be unique, got {symbols}")

    def token(self, symbol: str) -> TokenConfig:
        for token in self.tokens:
            if token.symbol == symbol.upper():
                return token
        raise UnknownSymbol(f"{symbol} is not a configured token on {self.name}.")


@dataclass(frozen=True, slots=True)
class DexVenueConfig:
    """A wallet trading on one chain.

    ``slippage_bps`` bounds the worse price accepted against the quote (amountOutMin for sells,
    amountInMax for buys); ``deadline_s`` is how long a signed swap stays valid; ``dry_run`` quotes
    and estimates gas without sending anything. ``approve_exact`` approves only what each swap
    needs (swaps of the same token then run one after another) instead of an unlimited allowance.
    ``lp_cache_s`` is how long the wallet's LP positions, once read, are reused.
    """

    chain: ChainConfig
    keystore_json: str = field(repr=False)
    keystore_password: str = field(repr=False)
    name: str = ""
    slippage_bps: int = 50
    deadline_s: int = 300
    dry_run: bool = False
    gas_multiplier: Decimal = Decimal("1.2")
    priority_fee_wei: int = 1_000_000_000
    receipt_timeout_s: float = 120.0
    receipt_poll_s: float = 0.5
    approve_exact: bool = False
    lp_cache_s: float = 5.0

    def __post_init__(self) -> None:
        if not 0 <= self.slippage_bps < 10_000:
            raise OperatorError("slippage_bps must be in [0, 10000)")
        if self.deadline_s <= 0:
            raise OperatorError("deadline_s must be positive")
        if not self.name:
            object.__setattr__(self, "name", f"dex-{self.chain.name}")
