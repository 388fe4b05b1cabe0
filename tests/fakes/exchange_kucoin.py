"""KuCoin spot REST (classic, non-HF account) for ``FakeExchange``.

Private endpoints check ``KC-API-KEY``, the passphrase (v2 keys send it HMAC-signed with the
secret) and ``KC-API-SIGN``: base64 HMAC-SHA256 of timestamp + method + path with query + body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

from tests.fakes.exchange import (
    Credentials,
    ExchangeState,
    FakeMarket,
    FakeOrder,
    FakeTrade,
    Handler,
    RejectError,
    Reply,
    Request,
    now_ms,
    plain,
)

_CODES = {
    "insufficient": ("200004", "Balance insufficient!"),
    "duplicate": ("400100", "Duplicate clientOid"),
    "lot_size": ("400100", "Order size increment invalid."),
    "price_filter": ("400100", "Price increment invalid."),
    "notional": ("400100", "Order funds invalid."),
    "unknown_symbol": ("400100", "Unsupported trading pair."),
    "order_not_found": ("400100", "order not exist."),
    "cancel_rejected": ("400100", "order_not_exist_or_not_allow_to_cancel"),
}


def _ok(data: Any) -> Reply:
    return 200, {"code": "200000", "data": data}


def _market_id(symbol: str) -> str:
    return symbol.replace("/", "-")


def _symbol(state: ExchangeState, market_id: str | None) -> str:
    symbol = (market_id or "").replace("-", "/")
    if symbol not in state.markets:
        raise RejectError("unknown_symbol", "Unsupported trading pair.")
    return symbol


def _market_json(market: FakeMarket) -> dict[str, Any]:
    return {
        "symbol": _market_id(market.symbol), "name": _market_id(market.symbol), "baseCurrency": market.base,
        "quoteCurrency": market.quote, "feeCurrency": market.quote, "market": "USDS",
        "baseMinSize": plain(market.min_qty), "quoteMinSize": plain(market.min_notional),
        "baseMaxSize": "10000000000", "quoteMaxSize": "99999999", "baseIncrement": plain(market.step),
        "quoteIncrement": "0.000001", "priceIncrement": plain(market.tick), "priceLimitRate": "0.1",
        "minFunds": plain(market.min_notional), "isMarginEnabled": False, "enableTrading": True,
        "feeCategory": 1, "makerFeeCoefficient": "1.00", "takerFeeCoefficient": "1.00", "st": False,
    }  # fmt: skip


def _order_json(order: FakeOrder) -> dict[str, Any]:
    fee = sum((trade.fee for trade in order.trades), Decimal(0))
    return {
        "id": str(order.order_id), "symbol": _market_id(order.symbol), "opType": "DEAL", "type": order.type,
        "side": order.side, "price": plain(order.price or Decimal(0)), "size": plain(order.quantity), "funds": "0",
        "dealFunds": plain(order.cost), "dealSize": plain(order.filled), "fee": plain(fee),
        "feeCurrency": order.trades[0].fee_asset if order.trades else "USDT", "stp": "", "stop": "",
        "stopTriggered": False, "stopPrice": "0", "timeInForce": "GTC", "postOnly": False, "hidden": False,
        "iceberg": False, "visibleSize": "0", "cancelAfter": 0, "channel": "API", "clientOid": order.client_id,
        "remark": None, "tags": None, "isActive": order.status == "open",
        "cancelExist": order.status == "canceled", "createdAt": order.created_ms, "tradeType": "TRADE",
    }  # fmt: skip


def _fill_json(trade: FakeTrade) -> dict[str, Any]:
    return {
        "symbol": _market_id(trade.symbol), "tradeId": str(trade.trade_id), "orderId": str(trade.order_id),
        "counterOrderId": "0", "side": trade.side, "liquidity": "maker" if trade.maker else "taker",
        "forceTaker": False, "price": plain(trade.price), "size": plain(trade.quantity),
        "funds": plain(trade.quantity * trade.price), "fee": plain(trade.fee), "feeRate": "0.001",
        "feeCurrency": trade.fee_asset, "stop": "", "type": "limit", "createdAt": trade.ts_ms, "tradeType": "TRADE",
    }  # fmt: skip


def _by_client_id(state: ExchangeState, client_id: str) -> FakeOrder:
    order = state.by_client_id(client_id)
    if order is None:
        raise RejectError("order_not_found", "order not exist.")
    return order


def symbols(state: ExchangeState, request: Request) -> Reply:
    return _ok([_market_json(market) for market in state.markets.values()])


def currencies(state: ExchangeState, request: Request) -> Reply:
    assets = sorted({market.base for market in state.markets.values()} | {"USDT"})
    return _ok([{"currency": asset, "name": asset, "fullName": asset, "precision": 8, "confirms": None,
                 "contractAddress": None, "isMarginEnabled": False, "isDebitEnabled": False, "chains": []}
                for asset in assets])  # fmt: skip


def stats(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("symbol")))
    bid, ask = market.spread()
    last = plain(market.last)
    return _ok({
        "time": now_ms(), "symbol": _market_id(market.symbol), "buy": plain(bid), "sell": plain(ask),
        "changeRate": "0", "changePrice": "0", "high": last, "low": last, "vol": "100", "volValue": "1000000",
        "last": last, "averagePrice": last, "takerFeeRate": "0.001", "makerFeeRate": "0.001",
        "takerCoefficient": "1", "makerCoefficient": "1",
    })  # fmt: skip


def orderbook(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("symbol")))
    bid, ask = market.spread()
    levels = range(5)
    return _ok({
        "time": now_ms(), "sequence": "1",
        "bids": [[plain(bid - level * market.tick), "1.5"] for level in levels],
        "asks": [[plain(ask + level * market.tick), "1.5"] for level in levels],
    })  # fmt: skip


def accounts(state: ExchangeState, request: Request) -> Reply:
    rows = []
    for index, asset in enumerate(sorted(set(state.free) | set(state.locked))):
        free, locked = state.free.get(asset, Decimal(0)), state.locked.get(asset, Decimal(0))
        rows.append({"id": str(index), "currency": asset, "type": "trade", "balance": plain(free + locked),
                     "available": plain(free), "holds": plain(locked)})  # fmt: skip
    return _ok(rows)


def create(state: ExchangeState, request: Request) -> Reply:
    form = json.loads(request.body)
    symbol = _symbol(state, form.get("symbol"))
    price = form.get("price")
    order = state.place(
        symbol, form["side"], form["type"], Decimal(form["size"]), Decimal(price) if price else None,
        form.get("clientOid", ""),
    )  # fmt: skip
    return _ok({"orderId": str(order.order_id)})


def order_by_id(state: ExchangeState, request: Request) -> Reply:
    order = state.orders.get(int(request.path.rsplit("/", 1)[-1]))
    if order is None:
        raise RejectError("order_not_found", "order not exist.")
    return _ok(_order_json(order))


def order_by_client_id(state: ExchangeState, request: Request) -> Reply:
    return _ok(_order_json(_by_client_id(state, request.path.rsplit("/", 1)[-1])))


def cancel_by_client_id(state: ExchangeState, request: Request) -> Reply:
    try:
        order = state.cancel(_by_client_id(state, request.path.rsplit("/", 1)[-1]))
    except RejectError as error:
        raise RejectError("cancel_rejected", "order_not_exist_or_not_allow_to_cancel") from error
    return _ok({"cancelledOrderId": str(order.order_id), "clientOid": order.client_id})


def list_orders(state: ExchangeState, request: Request) -> Reply:
    wanted = request.param("symbol")
    active = request.param("status") == "active"
    items = [
        _order_json(order)
        for order in state.orders.values()
        if (not active or order.status == "open") and (wanted is None or _market_id(order.symbol) == wanted)
    ]
    return _ok({"currentPage": 1, "pageSize": 50, "totalNum": len(items), "totalPage": 1, "items": items})


def fills(state: ExchangeState, request: Request) -> Reply:
    order_id = request.param("orderId")
    wanted = request.param("symbol")
    items = [
        _fill_json(trade)
        for trade in reversed(state.trades)
        if (order_id is None or str(trade.order_id) == order_id)
        and (wanted is None or _market_id(trade.symbol) == wanted)
    ]
    return _ok({"currentPage": 1, "pageSize": 50, "totalNum": len(items), "totalPage": 1, "items": items})


_ROUTES: dict[tuple[str, str], tuple[str, Handler, bool]] = {
    ("GET", "/api/v2/symbols"): ("markets", symbols, False),
    ("GET", "/api/v3/currencies"): ("currencies", currencies, False),
    ("GET", "/api/v1/market/stats"): ("ticker", stats, False),
    ("GET", "/api/v1/accounts"): ("balance", accounts, True),
    ("POST", "/api/v1/orders"): ("create_order", create, True),
    ("GET", "/api/v1/orders"): ("open_orders", list_orders, True),
    ("GET", "/api/v1/fills"): ("my_trades", fills, True),
}
_PREFIXES: list[tuple[str, str, tuple[str, Handler, bool]]] = [
    ("GET", "/api/v1/market/orderbook/level2_", ("order_book", orderbook, False)),
    ("GET", "/api/v1/order/client-order/", ("fetch_order", order_by_client_id, True)),
    ("DELETE", "/api/v1/order/client-order/", ("cancel_order", cancel_by_client_id, True)),
    ("GET", "/api/v1/orders/", ("fetch_order", order_by_id, True)),
]


class KucoinDialect:
    name = "kucoin"

    def route(self, method: str, path: str) -> tuple[str, Handler, bool] | None:
        if (method, path) in _ROUTES:
            return _ROUTES[(method, path)]
        for route_method, prefix, routed in _PREFIXES:
            if method == route_method and path.startswith(prefix):
                return routed
        return None

    def authenticate(self, request: Request, credentials: Credentials) -> Reply | None:
        headers = request.headers
        secret = credentials.secret.encode()
        if headers.get("KC-API-KEY") != credentials.api_key:
            return 401, {"code": "400003", "msg": "KC-API-KEY not exists"}
        passphrase = base64.b64encode(hmac.new(secret, credentials.password.encode(), hashlib.sha256).digest())
        if headers.get("KC-API-PASSPHRASE") != passphrase.decode():
            return 401, {"code": "400004", "msg": "Invalid KC-API-PASSPHRASE"}
        target = request.path + (f"?{request.query_string}" if request.query_string else "")
        prehash = headers.get("KC-API-TIMESTAMP", "") + request.method + target + request.body
        expected = base64.b64encode(hmac.new(secret, prehash.encode(), hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(headers.get("KC-API-SIGN", ""), expected):
            return 401, {"code": "400005", "msg": "Invalid KC-API-SIGN"}
        return None

    def reject(self, error: RejectError) -> Reply:
        code, message = _CODES.get(error.kind, ("400100", error.message))
        return 400, {"code": code, "msg": message}

    def throttled(self) -> Reply:
        return 429, {"code": "429000", "msg": "Too many requests. System-level rate limit exceeded."}


KUCOIN = KucoinDialect()
