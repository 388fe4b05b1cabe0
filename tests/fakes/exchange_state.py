"""The matching core of ``FakeExchange``: markets, balances, orders and trades of one account.

Orders are checked like a real exchange does: amounts on the lot step, prices on the tick, minimum
amount and notional, and funds (locked while an order rests). Marketable orders fill at the last
price; resting orders fill when a test calls ``ExchangeState.fill``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

FEE_RATE = Decimal("0.001")


class RejectError(Exception):
    """The exchange refuses a request; the dialect renders ``kind`` in its own error format."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class FakeMarket:
    symbol: str
    base: str
    quote: str
    tick: Decimal
    step: Decimal
    min_qty: Decimal
    min_notional: Decimal
    last: Decimal

    def spread(self) -> tuple[Decimal, Decimal]:
        return self.last - self.tick, self.last + self.tick


@dataclass
class FakeTrade:
    trade_id: int
    order_id: int
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str
    ts_ms: int
    maker: bool


@dataclass
class FakeOrder:
    order_id: int
    client_id: str
    symbol: str
    side: str
    type: str
    quantity: Decimal
    price: Decimal | None
    created_ms: int
    status: str = "open"  # open | filled | canceled
    filled: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    locked: Decimal = Decimal(0)
    updated_ms: int = 0
    trades: list[FakeTrade] = field(default_factory=list)

    @property
    def average(self) -> Decimal | None:
        return self.cost / self.filled if self.filled else None


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class ExchangeState:
    """Markets, balances, orders and trades of one account, with spot matching rules."""

    def __init__(self, markets: list[FakeMarket], balances: dict[str, Decimal], *, fees_in_quote: bool = False) -> None:
        self.fees_in_quote = fees_in_quote
        self.markets = {market.symbol: market for market in markets}
        self.free = dict(balances)
        self.locked: dict[str, Decimal] = {asset: Decimal(0) for asset in balances}
        self.orders: dict[int, FakeOrder] = {}
        self.trades: list[FakeTrade] = []
        self._order_ids = itertools.count(1001)
        self._trade_ids = itertools.count(501)
        # Called as (order, trade or None, execution type "NEW" | "TRADE" | "CANCELED") on every change.
        self.listeners: list[Callable[[FakeOrder, FakeTrade | None, str], None]] = []

    def _notify(self, order: FakeOrder, trade: FakeTrade | None, execution: str) -> None:
        for listener in list(self.listeners):
            listener(order, trade, execution)

    def market(self, symbol: str) -> FakeMarket:
        if symbol not in self.markets:
            raise RejectError("unknown_symbol", f"Invalid symbol {symbol}.")
        return self.markets[symbol]

    def by_client_id(self, client_id: str) -> FakeOrder | None:
        return next((order for order in self.orders.values() if order.client_id == client_id), None)

    def _move(self, asset: str, *, free: Decimal = Decimal(0), locked: Decimal = Decimal(0)) -> None:
        self.free[asset] = self.free.get(asset, Decimal(0)) + free
        self.locked[asset] = self.locked.get(asset, Decimal(0)) + locked

    def _validate(self, market: FakeMarket, quantity: Decimal, price: Decimal | None) -> None:
        if quantity <= 0 or quantity % market.step != 0:
            raise RejectError("lot_size", "Filter failure: LOT_SIZE")
        if price is not None and (price <= 0 or price % market.tick != 0):
            raise RejectError("price_filter", "Filter failure: PRICE_FILTER")
        if quantity < market.min_qty:
            raise RejectError("lot_size", "Filter failure: LOT_SIZE")
        if quantity * (price or market.last) < market.min_notional:
            raise RejectError("notional", "Filter failure: NOTIONAL")

    def place(
        self, symbol: str, side: str, order_type: str, quantity: Decimal, price: Decimal | None, client_id: str
    ) -> FakeOrder:
        market = self.market(symbol)
        if client_id and self.by_client_id(client_id) is not None:
            raise RejectError("duplicate", "Duplicate order sent.")
        self._validate(market, quantity, price if order_type == "limit" else None)
        lock_price = price if order_type == "limit" and price is not None else market.last
        lock_asset, lock_amount = (market.quote, quantity * lock_price) if side == "buy" else (market.base, quantity)
        if self.free.get(lock_asset, Decimal(0)) < lock_amount:
            raise RejectError("insufficient", "Account has insufficient balance for requested action.")
        self._move(lock_asset, free=-lock_amount, locked=lock_amount)
        order = FakeOrder(
            order_id=next(self._order_ids),
            client_id=client_id,
            symbol=symbol,
            side=side,
            type=order_type,
            quantity=quantity,
            price=price if order_type == "limit" else None,
            created_ms=now_ms(),
            locked=lock_amount,
        )
        order.updated_ms = order.created_ms
        self.orders[order.order_id] = order
        marketable = order_type == "market" or (
            price is not None and (price >= market.last if side == "buy" else price <= market.last)
        )
        self._notify(order, None, "NEW")
        if marketable:
            self.fill(order, quantity, market.last, maker=False)
        return order

    def fill(
        self, order: FakeOrder, quantity: Decimal, price: Decimal | None = None, *, maker: bool = True
    ) -> FakeTrade:
        """Execute ``quantity`` of ``order`` (at its limit price unless given), moving balances."""
        market = self.markets[order.symbol]
        price = price if price is not None else (order.price or market.last)
        quantity = min(quantity, order.quantity - order.filled)
        if quantity <= 0 or order.status != "open":
            raise ValueError(f"order {order.order_id} cannot fill {quantity}")
        if order.side == "buy":
            release = order.locked if order.filled + quantity == order.quantity else quantity * (order.price or price)
            release = min(release, order.locked)
            if self.fees_in_quote:  # kraken: fees in the quote currency on both sides
                fee, fee_asset = quantity * price * FEE_RATE, market.quote
                self._move(market.quote, locked=-release, free=release - quantity * price - fee)
                self._move(market.base, free=quantity)
            else:  # binance and most others: a buyer pays the fee in what it receives
                fee, fee_asset = quantity * FEE_RATE, market.base
                self._move(market.quote, locked=-release, free=release - quantity * price)
                self._move(market.base, free=quantity - fee)
        else:
            release = quantity
            fee, fee_asset = quantity * price * FEE_RATE, market.quote
            self._move(market.base, locked=-release)
            self._move(market.quote, free=quantity * price - fee)
        order.locked -= release
        trade = FakeTrade(
            next(self._trade_ids), order.order_id, order.symbol, order.side, quantity, price, fee, fee_asset,
            now_ms(), maker,
        )  # fmt: skip
        order.trades.append(trade)
        self.trades.append(trade)
        order.filled += quantity
        order.cost += quantity * price
        order.updated_ms = trade.ts_ms
        if order.filled == order.quantity:
            order.status = "filled"
        self._notify(order, trade, "TRADE")
        return trade

    def cancel(self, order: FakeOrder) -> FakeOrder:
        if order.status != "open":
            raise RejectError("order_not_found", "Unknown order sent.")
        market = self.markets[order.symbol]
        asset = market.quote if order.side == "buy" else market.base
        self._move(asset, locked=-order.locked, free=order.locked)
        order.locked = Decimal(0)
        order.status = "canceled"
        self._notify(order, None, "CANCELED")
        order.updated_ms = now_ms()
        return order


def default_markets() -> list[FakeMarket]:
    return [
        FakeMarket("BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"), Decimal("0.00001"),
                   Decimal("5"), Decimal("30000.00")),
        FakeMarket("ETH/USDT", "ETH", "USDT", Decimal("0.01"), Decimal("0.0001"), Decimal("0.0001"),
                   Decimal("5"), Decimal("2000.00")),
    ]  # fmt: skip


def default_balances() -> dict[str, Decimal]:
    return {"USDT": Decimal("10000"), "BTC": Decimal("0.5"), "ETH": Decimal("2")}


def plain(value: Decimal | None) -> str:
    """A decimal as exchanges print it: no exponent."""
    return "" if value is None else format(value.normalize(), "f")
