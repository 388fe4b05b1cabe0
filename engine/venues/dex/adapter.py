"""``DexVenue``: swaps through a Uniswap-V2-style router behind the engine's ``Venue`` protocol.

A symbol ``BASE/QUOTE`` names two configured tokens. A sell spends exactly the quantity of BASE
(``swapExactTokensForTokens`` with amountOutMin); a buy receives exactly the quantity of BASE
(``swapTokensForExactTokens`` with amountInMax). A limit price tightens the bound and is refused
up front when the pool is already worse. Swaps settle or revert atomically, so an order is
filled or rejected once its receipt arrives; the fill carries the effective price and gas cost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.exceptions import ContractLogicError, Web3Exception

from engine.domain import ZERO, ClientOrderId, Instrument, OrderStatus, OrderType, Side
from engine.errors import InsufficientBalance, NotFound, OrderRejectedByVenue, UnknownSymbol, UserInputError
from engine.venues.base import OrderRequest, VenueFill, VenueOrderUpdate
from engine.venues.dex import abi
from engine.venues.dex.config import DexVenueConfig, TokenConfig
from engine.venues.dex.keystore import unlock
from engine.venues.dex.liquidity import LiquidityPosition, PairDirectory, wallet_positions
from engine.venues.dex.quotes import GasCost, SwapQuote
from engine.venues.dex.schemas import ReceiptSchema
from engine.venues.dex.transactions import Sender, convert

log = logging.getLogger(__name__)
_BPS = Decimal(10_000)
_WEI_PER_NATIVE = Decimal(10) ** 18
#: Gas a Uniswap-V2 two-token swap and an ERC-20 approval typically use, when the node cannot estimate them.
SWAP_GAS_UNITS = 150_000
APPROVE_GAS_UNITS = 50_000


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _units(amount: Decimal, token: TokenConfig) -> int:
    return int(amount.scaleb(token.decimals).to_integral_value(rounding=ROUND_FLOOR))


def _amount(units: int, token: TokenConfig) -> Decimal:
    return Decimal(units).scaleb(-token.decimals)


def _show(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


class DexVenue:
    """One wallet on one chain. Build with ``DexVenue.from_config``; tests pass their own ``AsyncWeb3``."""

    def __init__(
        self, config: DexVenueConfig, w3: AsyncWeb3, account: LocalAccount, *, clock_ms: Callable[[], int] = _now_ms
    ) -> None:
        self.name = config.name
        self.config = config
        self._w3 = w3
        self._clock_ms = clock_ms
        chain = config.chain
        self._sender = Sender(
            w3, account, chain_id=chain.chain_id, venue=config.name,
            priority_fee_wei=config.priority_fee_wei, gas_multiplier=config.gas_multiplier,
        )  # fmt: skip
        self._router = w3.eth.contract(address=w3.to_checksum_address(chain.router), abi=abi.ROUTER_V2)
        self._factory = w3.eth.contract(address=w3.to_checksum_address(chain.factory), abi=abi.FACTORY_V2)
        self._orders: dict[ClientOrderId, VenueOrderUpdate] = {}
        self._allowance_locks: dict[str, asyncio.Lock] = {}
        self._pairs = PairDirectory()
        self._lp_cache: tuple[float, tuple[LiquidityPosition, ...]] | None = None

    @classmethod
    def from_config(cls, config: DexVenueConfig) -> DexVenue:
        w3 = AsyncWeb3(AsyncHTTPProvider(config.chain.rpc_url))
        return cls(config, w3, unlock(config.keystore_json, config.keystore_password))

    async def close(self) -> None:
        """Release the RPC provider's HTTP sessions (in-process test providers have none)."""
        if isinstance(self._w3.provider, AsyncHTTPProvider):
            await self._w3.provider.disconnect()

    def __repr__(self) -> str:
        return f"DexVenue(name={self.name!r}, chain={self.config.chain.name!r}, wallet={self.address})"

    @property
    def taker_fee_rate(self) -> Decimal:
        """Nothing on top of the router's quote: the pool's fee is inside it, and gas is ``gas_cost``."""
        return ZERO

    @property
    def address(self) -> str:
        return self._sender.address

    def _token_contract(self, token: TokenConfig) -> Any:
        return self._w3.eth.contract(address=self._w3.to_checksum_address(token.address), abi=abi.ERC20)

    def _pair_tokens(self, symbol: str) -> tuple[TokenConfig, TokenConfig]:
        base, separator, quote = symbol.upper().partition("/")
        if not separator:
            raise UnknownSymbol(f"{symbol} is not a BASE/QUOTE pair.")
        return self.config.chain.token(base), self.config.chain.token(quote)

    async def instrument(self, symbol: str) -> Instrument:
        base, quote = self._pair_tokens(symbol)
        step = Decimal(1).scaleb(-base.decimals)
        return Instrument(
            symbol=f"{base.symbol}/{quote.symbol}", base=base.symbol, quote=quote.symbol,
            tick_size=Decimal(1).scaleb(-quote.decimals), step_size=step, min_quantity=step, min_notional=ZERO,
        )  # fmt: skip

    async def last_price(self, symbol: str) -> Decimal:
        """The pool's mid price (quote per base) from its reserves."""
        base, quote = self._pair_tokens(symbol)
        try:
            pair_address = await self._factory.functions.getPair(base.address, quote.address).call()
            if int(pair_address, 16) == 0:
                raise UnknownSymbol(f"No {base.symbol}/{quote.symbol} pool on {self.config.chain.name}.")
            pair = self._w3.eth.contract(address=pair_address, abi=abi.PAIR_V2)
            reserve0, reserve1, _ = await pair.functions.getReserves().call()
            token0 = await pair.functions.token0().call()
        except (ContractLogicError, Web3Exception, OSError) as error:
            raise convert(error, venue=self.name, action="read pool reserves") from None
        base_reserve, quote_reserve = (
            (reserve0, reserve1) if token0.lower() == base.address.lower() else (reserve1, reserve0)
        )
        if base_reserve == 0:
            raise UnknownSymbol(f"The {base.symbol}/{quote.symbol} pool on {self.config.chain.name} is empty.")
        return _amount(quote_reserve, quote) / _amount(base_reserve, base)

    async def quote(
        self, symbol: str, side: Side, quantity: Decimal, *, limit_price: Decimal | None = None
    ) -> SwapQuote:
        """Ask the router for the swap and derive the slippage bounds; nothing is sent."""
        base, quote = self._pair_tokens(symbol)
        base_units = _units(quantity, base)
        if base_units <= 0:
            raise UserInputError(f"Order quantity {quantity} {base.symbol} is below one token unit.")
        slippage = Decimal(self.config.slippage_bps) / _BPS
        try:
            if side is Side.SELL:
                path = (base.address, quote.address)
                amounts = await self._router.functions.getAmountsOut(base_units, list(path)).call()
                amount_in, amount_out = base_units, int(amounts[-1])
                bound = int((Decimal(amount_out) * (1 - slippage)).to_integral_value(rounding=ROUND_CEILING))
            else:
                path = (quote.address, base.address)
                amounts = await self._router.functions.getAmountsIn(base_units, list(path)).call()
                amount_in, amount_out = int(amounts[0]), base_units
                bound = int((Decimal(amount_in) * (1 + slippage)).to_integral_value(rounding=ROUND_FLOOR))
        except (ContractLogicError, Web3Exception, OSError) as error:
            raise convert(error, venue=self.name, action=f"quote {symbol}") from None
        quote_units = amount_out if side is Side.SELL else amount_in
        price = _amount(quote_units, quote) / _amount(base_units, base)
        min_out, max_in = (bound, amount_in) if side is Side.SELL else (amount_out, bound)
        if limit_price is not None:
            min_out, max_in = self._apply_limit(side, base_units, base, quote, price, limit_price, min_out, max_in)
        return SwapQuote(
            symbol=f"{base.symbol}/{quote.symbol}", side=side, path=path, amount_in=amount_in, amount_out=amount_out,
            min_amount_out=min_out, max_amount_in=max_in, quantity=_amount(base_units, base), price=price,
            quoted_at_ms=self._clock_ms(),
        )  # fmt: skip

    @staticmethod
    def _apply_limit(side: Side, base_units: int, base: TokenConfig, quote: TokenConfig, price: Decimal,
                     limit: Decimal, min_out: int, max_in: int) -> tuple[int, int]:  # fmt: skip
        limit_units = _units(_amount(base_units, base) * limit, quote)
        if side is Side.SELL:
            if price < limit:
                raise OrderRejectedByVenue(f"The pool pays {price:.8f} {quote.symbol}, below your limit {limit}.")
            return max(min_out, limit_units), max_in
        if price > limit:
            raise OrderRejectedByVenue(f"The pool asks {price:.8f} {quote.symbol}, above your limit {limit}.")
        return min_out, min(max_in, limit_units)

    async def submit(self, request: OrderRequest) -> VenueOrderUpdate:
        if request.client_order_id in self._orders:
            return self._orders[request.client_order_id]
        limit = request.price if request.type is OrderType.LIMIT else None
        swap_quote = await self.quote(request.symbol, request.side, request.quantity, limit_price=limit)
        return await self.execute(swap_quote, request.client_order_id)

    async def execute(self, swap_quote: SwapQuote, client_order_id: ClientOrderId) -> VenueOrderUpdate:
        """Approve if needed, then send the swap with the quote's bounds and wait for its receipt."""
        if client_order_id in self._orders:
            return self._orders[client_order_id]
        base, quote = self._pair_tokens(swap_quote.symbol)
        token_in = base if swap_quote.side is Side.SELL else quote
        await self._check_balance(token_in, swap_quote.max_amount_in)
        if self.config.dry_run:
            return self._dry_run(swap_quote, client_order_id, base, quote)
        action = f"swap {swap_quote.symbol}"
        lock = self._allowance_locks.setdefault(token_in.address.lower(), asyncio.Lock())
        async with lock:  # one approval at a time per token, never two racing ones
            await self._ensure_allowance(token_in, swap_quote.max_amount_in)
            if self.config.approve_exact:  # an exact allowance covers one swap: keep it until mined
                raw = await self._transact(self._swap_call(swap_quote), action)
        if not self.config.approve_exact:
            raw = await self._transact(self._swap_call(swap_quote), action)
        update = await self._settle(ReceiptSchema.from_web3(raw), swap_quote, client_order_id, base, quote)
        self._orders[client_order_id] = update
        return update

    async def _transact(self, call: Any, action: str) -> Any:
        config = self.config
        return await self._sender.execute(
            call, action=action, timeout_s=config.receipt_timeout_s, poll_s=config.receipt_poll_s
        )

    def _swap_call(self, swap_quote: SwapQuote) -> Any:
        deadline = self._clock_ms() // 1000 + self.config.deadline_s
        path = [self._w3.to_checksum_address(address) for address in swap_quote.path]
        functions = self._router.functions
        if swap_quote.side is Side.SELL:
            return functions.swapExactTokensForTokens(
                swap_quote.amount_in, swap_quote.min_amount_out, path, self.address, deadline
            )
        return functions.swapTokensForExactTokens(
            swap_quote.amount_out, swap_quote.max_amount_in, path, self.address, deadline
        )

    async def _check_balance(self, token: TokenConfig, needed: int) -> None:
        held = await self._token_contract(token).functions.balanceOf(self.address).call()
        if held < needed:
            raise InsufficientBalance(
                f"Not enough {token.symbol} on {self.name}: the swap may spend {_show(_amount(needed, token))}, "
                f"the wallet holds {_show(_amount(held, token))}."
            )

    async def _ensure_allowance(self, token: TokenConfig, needed: int) -> None:
        contract = self._token_contract(token)
        router = self._router.address
        if await contract.functions.allowance(self.address, router).call() >= needed:
            return
        amount = needed if self.config.approve_exact else 2**256 - 1
        raw = await self._transact(contract.functions.approve(router, amount), f"approve {token.symbol}")
        receipt = ReceiptSchema.from_web3(raw)
        if receipt.status != 1:
            raise OrderRejectedByVenue(
                f"{self.name}: approving {token.symbol} for the router reverted ({receipt.transaction_hash})."
            )

    def _dry_run(self, swap_quote: SwapQuote, client_order_id: ClientOrderId, base: TokenConfig,
                 quote: TokenConfig) -> VenueOrderUpdate:  # fmt: skip
        if swap_quote.side is Side.SELL:
            bound = f"at least {_show(_amount(swap_quote.min_amount_out, quote))} {quote.symbol}"
        else:
            bound = f"at most {_show(_amount(swap_quote.max_amount_in, quote))} {quote.symbol}"
        reason = (f"dry run: would {swap_quote.side.value} {_show(swap_quote.quantity)} {base.symbol} at "
                  f"{swap_quote.price:.8f} {quote.symbol} ({bound}); nothing was sent")  # fmt: skip
        return VenueOrderUpdate(client_order_id, "", OrderStatus.REJECTED, (), reason)

    async def _settle(self, receipt: ReceiptSchema, swap_quote: SwapQuote, client_order_id: ClientOrderId,
                      base: TokenConfig, quote: TokenConfig) -> VenueOrderUpdate:  # fmt: skip
        gas_cost = Decimal(receipt.gas_used * receipt.effective_gas_price) / _WEI_PER_NATIVE
        native = self.config.chain.native_symbol
        if receipt.status != 1:
            reason = f"swap transaction reverted on chain; gas spent {gas_cost.normalize():f} {native}"
            return VenueOrderUpdate(client_order_id, receipt.transaction_hash, OrderStatus.REJECTED, (), reason)
        moved_base = receipt.transferred(base.address, self.address)
        moved_quote = receipt.transferred(quote.address, self.address)
        base_amount, quote_amount = _amount(abs(moved_base), base), _amount(abs(moved_quote), quote)
        if base_amount == 0 or quote_amount == 0:  # e.g. a fee-on-transfer token routed elsewhere
            reason = f"swap mined but moved no {base.symbol}/{quote.symbol} for this wallet; check the transaction"
            return VenueOrderUpdate(client_order_id, receipt.transaction_hash, OrderStatus.REJECTED, (), reason)
        block = await self._w3.eth.get_block(receipt.block_number)
        fill = VenueFill(
            trade_id=receipt.transaction_hash, quantity=base_amount, price=quote_amount / base_amount,
            fee=gas_cost, fee_asset=native, ts_ms=int(block["timestamp"]) * 1000,
        )  # fmt: skip
        return VenueOrderUpdate(client_order_id, receipt.transaction_hash, OrderStatus.FILLED, (fill,))

    async def gas_cost(self, swap_quote: SwapQuote) -> GasCost:
        """What sending ``swap_quote`` would cost in gas now, in the native coin and in the quote token.

        The swap is estimated by the node when the router may already spend the input token; otherwise
        the approval is estimated and a typical V2 swap (``SWAP_GAS_UNITS``) is added, since the swap
        itself cannot be estimated before the approval is mined. Nothing is sent."""
        base, quote = self._pair_tokens(swap_quote.symbol)
        token_in = base if swap_quote.side is Side.SELL else quote
        contract = self._token_contract(token_in)
        try:
            allowance = await contract.functions.allowance(self.address, self._router.address).call()
            if allowance >= swap_quote.max_amount_in:
                units = await self._estimate_units(self._swap_call(swap_quote), fallback=SWAP_GAS_UNITS)
            else:
                approve = contract.functions.approve(self._router.address, 2**256 - 1)
                units = await self._estimate_units(approve, fallback=APPROVE_GAS_UNITS) + SWAP_GAS_UNITS
            fee_per_gas = await self._sender.expected_fee_per_gas()
        except (ContractLogicError, Web3Exception, OSError) as error:
            raise convert(error, venue=self.name, action=f"estimate gas for {swap_quote.symbol}") from None
        native = self.config.chain.native_symbol
        return GasCost(units, fee_per_gas, native, quote.symbol, await self._native_price(quote))

    async def _estimate_units(self, call: Any, *, fallback: int) -> int:
        """The node's gas estimate for ``call``; ``fallback`` when it would revert (e.g. balance too low)."""
        try:
            return int(await call.estimate_gas({"from": self.address}))
        except Exception as error:  # convert() re-raises what it does not recognise
            if isinstance(convert(error, venue=self.name, action="estimate gas"), OrderRejectedByVenue):
                return fallback
            raise

    async def _native_price(self, quote: TokenConfig) -> Decimal | None:
        """The native coin in ``quote`` from the wrapped coin's pool (``WETH/USDT``); None without one."""
        native = self.config.chain.native_symbol
        wrapped = next((t for t in self.config.chain.tokens if t.symbol in (native, f"W{native}")), None)
        if wrapped is None:
            return None
        if wrapped.symbol == quote.symbol:
            return Decimal(1)
        try:
            return await self.last_price(f"{wrapped.symbol}/{quote.symbol}")
        except UnknownSymbol:
            return None

    async def cancel(self, symbol: str, client_order_id: ClientOrderId) -> VenueOrderUpdate:
        """A swap settles or reverts atomically: report its final state; unknown ids are ``NotFound``."""
        update = self._orders.get(client_order_id)
        if update is None:
            raise NotFound(f"{self.name} has no swap {client_order_id}.")
        return update

    async def fetch_order(self, symbol: str, client_order_id: ClientOrderId) -> VenueOrderUpdate | None:
        return self._orders.get(client_order_id)

    async def liquidity_positions(self) -> list[LiquidityPosition]:
        """The wallet's LP tokens in pools of two configured tokens, valued from the pools' reserves.
        Reused for ``lp_cache_s`` (the risk monitor values portfolios on every price tick)."""
        now = time.monotonic()
        if self._lp_cache is not None and now - self._lp_cache[0] < self.config.lp_cache_s:
            return list(self._lp_cache[1])
        found = await wallet_positions(self._w3, self.config.chain, self.address, pairs=self._pairs)
        self._lp_cache = (now, tuple(found))
        return found

    async def balances(self) -> dict[str, Decimal]:
        """The wallet's native and configured ERC-20 balances, non-zero only."""
        try:
            native = Decimal(await self._w3.eth.get_balance(self.address)) / _WEI_PER_NATIVE
            holdings = {self.config.chain.native_symbol: native}
            for token in self.config.chain.tokens:
                units = await self._token_contract(token).functions.balanceOf(self.address).call()
                holdings[token.symbol] = _amount(units, token)
        except (ContractLogicError, Web3Exception, OSError) as error:
            raise convert(error, venue=self.name, action="read balances") from None
        return {asset: amount for asset, amount in holdings.items() if amount != 0}
