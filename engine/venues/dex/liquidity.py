"""Liquidity-pool positions in V2 pairs: what a wallet's LP tokens are worth and the impermanent loss.

A V2 LP token is a share of both reserves: ``share = balance / totalSupply``. Its value in the quote
token is ``base_amount * price + quote_amount`` at the pool's own price. Against simply holding what
was deposited, a constant-product position at price ratio ``r = price_now / price_at_deposit`` is
worth ``2 * sqrt(r) / (1 + r)`` of the held tokens: that shortfall is the impermanent loss (always
<= 0, zero when the price is back where it was). Fees earned are inside the reserves, so the value
includes them; the loss figure does not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from web3 import AsyncWeb3
from web3.exceptions import ContractLogicError, Web3Exception

from engine.errors import UnknownSymbol, UserInputError
from engine.venues.dex import abi
from engine.venues.dex.config import ChainConfig, TokenConfig
from engine.venues.dex.transactions import convert

LP_DECIMALS = 18  # every V2 pair token


@dataclass(frozen=True, slots=True)
class LiquidityPosition:
    symbol: str
    share: Decimal  # of the pool, 0..1
    base_amount: Decimal
    quote_amount: Decimal
    price: Decimal  # quote per base, from the reserves
    value: Decimal  # in the quote token
    impermanent_loss: Decimal | None  # fraction of the held value (<= 0); None without an entry price
    lp_tokens: Decimal | None = None  # the wallet's LP token balance
    pair_address: str | None = None

    @property
    def base(self) -> str:
        return self.symbol.partition("/")[0]

    @property
    def quote(self) -> str:
        return self.symbol.partition("/")[2]

    def to_json(self) -> dict[str, str | None]:
        return {
            "symbol": self.symbol, "share": str(self.share), "base_amount": str(self.base_amount),
            "quote_amount": str(self.quote_amount), "price": str(self.price), "value": str(self.value),
            "impermanent_loss": None if self.impermanent_loss is None else str(self.impermanent_loss),
            "lp_tokens": None if self.lp_tokens is None else str(self.lp_tokens), "pair_address": self.pair_address,
        }  # fmt: skip


def impermanent_loss(entry_price: Decimal, price: Decimal) -> Decimal:
    """The LP position's value relative to holding the deposit, minus one, for a V2 (x*y=k) pool."""
    if entry_price <= 0 or price <= 0:
        raise UserInputError("prices for impermanent loss must be positive")
    ratio = price / entry_price
    return 2 * ratio.sqrt() / (1 + ratio) - 1


async def liquidity_position(
    w3: AsyncWeb3, chain: ChainConfig, symbol: str, owner: str, *, entry_price: Decimal | None = None
) -> LiquidityPosition:
    """The LP position of ``owner`` in the ``BASE/QUOTE`` pair of ``chain``'s factory."""
    base_symbol, _, quote_symbol = symbol.upper().partition("/")
    base, quote = chain.token(base_symbol), chain.token(quote_symbol)
    factory = w3.eth.contract(address=w3.to_checksum_address(chain.factory), abi=abi.FACTORY_V2)
    try:
        pair_address = await factory.functions.getPair(base.address, quote.address).call()
    except (ContractLogicError, Web3Exception, OSError) as error:
        raise convert(error, venue=chain.name, action=f"read the {symbol} pool") from None
    if int(pair_address, 16) == 0:
        raise UnknownSymbol(f"No {base.symbol}/{quote.symbol} pool on {chain.name}.")
    pair = w3.eth.contract(address=pair_address, abi=abi.PAIR_V2)
    try:
        held = await pair.functions.balanceOf(w3.to_checksum_address(owner)).call()
    except (ContractLogicError, Web3Exception, OSError) as error:
        raise convert(error, venue=chain.name, action=f"read the {symbol} pool") from None
    return await _position(pair, held, base, quote, chain=chain.name, entry_price=entry_price)


class PairDirectory:
    """Pair addresses from a V2 factory. A pair never moves once created, so a found address is kept;
    a missing pair is asked again after ``missing_ttl_s`` (someone may create it meanwhile)."""

    def __init__(self, *, missing_ttl_s: float = 300.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._found: dict[tuple[str, str], str] = {}
        self._missing: dict[tuple[str, str], float] = {}
        self._missing_ttl_s = missing_ttl_s
        self._monotonic = monotonic

    async def address(self, factory: Any, first: TokenConfig, second: TokenConfig) -> str | None:
        key = (first.address.lower(), second.address.lower())
        if key in self._found:
            return self._found[key]
        checked = self._missing.get(key)
        if checked is not None and self._monotonic() - checked < self._missing_ttl_s:
            return None
        address = str(await factory.functions.getPair(first.address, second.address).call())
        if int(address, 16) == 0:
            self._missing[key] = self._monotonic()
            return None
        self._found[key] = address
        return address


async def wallet_positions(
    w3: AsyncWeb3, chain: ChainConfig, owner: str, *, pairs: PairDirectory | None = None
) -> list[LiquidityPosition]:
    """Every V2 pool of two configured tokens in which ``owner`` holds LP tokens, valued from the reserves.

    Each pool is named ``BASE/QUOTE`` with a stablecoin (then the wrapped native coin, then the later
    configured token) as the quote. Tradehub does not record deposits, so no impermanent loss is given.
    Pass the same ``pairs`` between calls to skip asking the factory again."""
    factory = w3.eth.contract(address=w3.to_checksum_address(chain.factory), abi=abi.FACTORY_V2)
    wallet = w3.to_checksum_address(owner)
    directory = pairs or PairDirectory()
    found = []
    for index, first in enumerate(chain.tokens):
        for second in chain.tokens[index + 1 :]:
            base, quote = _oriented(first, second, chain.native_symbol)
            try:
                pair_address = await directory.address(factory, base, quote)
                if pair_address is None:
                    continue
                pair = w3.eth.contract(address=pair_address, abi=abi.PAIR_V2)
                held = await pair.functions.balanceOf(wallet).call()
            except (ContractLogicError, Web3Exception, OSError) as error:
                raise convert(error, venue=chain.name, action="read LP balances") from None
            if held:
                found.append(await _position(pair, held, base, quote, chain=chain.name, entry_price=None))
    return found


_QUOTE_PREFERENCE = ("USDT", "USDC", "DAI", "BUSD")


def _oriented(first: TokenConfig, second: TokenConfig, native: str) -> tuple[TokenConfig, TokenConfig]:
    """(base, quote) of a pool: the stablecoin, else the wrapped native coin, else ``second`` is the quote."""
    for preferred in (*_QUOTE_PREFERENCE, native, f"W{native}"):
        if first.symbol == preferred and second.symbol != preferred:
            return second, first
        if second.symbol == preferred:
            return first, second
    return first, second


async def _position(
    pair: Any, held: int, base: TokenConfig, quote: TokenConfig, *, chain: str, entry_price: Decimal | None
) -> LiquidityPosition:
    symbol = f"{base.symbol}/{quote.symbol}"
    try:
        reserve0, reserve1, _ = await pair.functions.getReserves().call()
        token0 = await pair.functions.token0().call()
        supply = await pair.functions.totalSupply().call()
    except (ContractLogicError, Web3Exception, OSError) as error:
        raise convert(error, venue=chain, action=f"read the {symbol} pool") from None
    base_units, quote_units = (reserve0, reserve1) if token0.lower() == base.address.lower() else (reserve1, reserve0)
    base_reserve = Decimal(base_units).scaleb(-base.decimals)
    quote_reserve = Decimal(quote_units).scaleb(-quote.decimals)
    share = Decimal(held) / Decimal(supply) if supply else Decimal(0)
    price = quote_reserve / base_reserve if base_reserve else Decimal(0)
    base_amount, quote_amount = base_reserve * share, quote_reserve * share
    loss = None if entry_price is None or not price else impermanent_loss(entry_price, price)
    return LiquidityPosition(
        symbol, share, base_amount, quote_amount, price, base_amount * price + quote_amount, loss,
        lp_tokens=Decimal(held).scaleb(-LP_DECIMALS), pair_address=str(pair.address),
    )  # fmt: skip
