"""Liquidity-pool positions in V2 pairs: what a wallet's LP tokens are worth and the impermanent loss.

A V2 LP token is a share of both reserves: ``share = balance / totalSupply``. Its value in the quote
token is ``base_amount * price + quote_amount`` at the pool's own price. Against simply holding what
was deposited, a constant-product position at price ratio ``r = price_now / price_at_deposit`` is
worth ``2 * sqrt(r) / (1 + r)`` of the held tokens: that shortfall is the impermanent loss (always
<= 0, zero when the price is back where it was). Fees earned are inside the reserves, so the value
includes them; the loss figure does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from web3 import AsyncWeb3
from web3.exceptions import ContractLogicError, Web3Exception

from engine.errors import UnknownSymbol, UserInputError
from engine.venues.dex import abi
from engine.venues.dex.config import ChainConfig
from engine.venues.dex.transactions import convert


@dataclass(frozen=True, slots=True)
class LiquidityPosition:
    symbol: str
    share: Decimal  # of the pool, 0..1
    base_amount: Decimal
    quote_amount: Decimal
    price: Decimal  # quote per base, from the reserves
    value: Decimal  # in the quote token
    impermanent_loss: Decimal | None  # fraction of the held value (<= 0); None without an entry price

    def to_json(self) -> dict[str, str | None]:
        return {
            "symbol": self.symbol, "share": str(self.share), "base_amount": str(self.base_amount),
            "quote_amount": str(self.quote_amount), "price": str(self.price), "value": str(self.value),
            "impermanent_loss": None if self.impermanent_loss is None else str(self.impermanent_loss),
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
        if int(pair_address, 16) == 0:
            raise UnknownSymbol(f"No {base.symbol}/{quote.symbol} pool on {chain.name}.")
        pair = w3.eth.contract(address=pair_address, abi=abi.PAIR_V2)
        reserve0, reserve1, _ = await pair.functions.getReserves().call()
        token0 = await pair.functions.token0().call()
        held = await pair.functions.balanceOf(w3.to_checksum_address(owner)).call()
        supply = await pair.functions.totalSupply().call()
    except (ContractLogicError, Web3Exception, OSError) as error:
        raise convert(error, venue=chain.name, action=f"read the {symbol} pool") from None
    base_units, quote_units = (reserve0, reserve1) if token0.lower() == base.address.lower() else (reserve1, reserve0)
    base_reserve = Decimal(base_units).scaleb(-base.decimals)
    quote_reserve = Decimal(quote_units).scaleb(-quote.decimals)
    share = Decimal(held) / Decimal(supply) if supply else Decimal(0)
    price = quote_reserve / base_reserve if base_reserve else Decimal(0)
    base_amount, quote_amount = base_reserve * share, quote_reserve * share
    loss = None if entry_price is None or not price else impermanent_loss(entry_price, price)
    return LiquidityPosition(
        f"{base.symbol}/{quote.symbol}", share, base_amount, quote_amount, price,
        base_amount * price + quote_amount, loss,
    )  # fmt: skip
