"""Bybit v5 REST (unified trading account, spot category) for ``FakeExchange``.

Private endpoints check ``X-BAPI-API-KEY`` and ``X-BAPI-SIGN``: hex HMAC-SHA256 of timestamp +
api key + recv window + (query string for GET, JSON body for POST), as Bybit does.
"""

from __future__ import annotations

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
    "insufficient": 170131,
    "duplicate": 170141,
    "lot_size": 170136,
    "price_filter": 170134,
    "notional": 170140,
    "unknown_symbol": 10001,
    "order_not_found": 110001,
    "cancel_rejected": 110001,
}
_STATUS = {"open": "New", "filled": "Filled", "canceled": "Cancelled"}


def _ok(result: dict[str, Any]) -> Reply:
    return 200, {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": now_ms()}


def _market_id(symbol: str) -> str:
    return symbol.replace("/", "")


def _symbol(state: ExchangeState, market_id: str | None) -> str:
    for symbol in state.markets:
        if _market_id(symbol) == market_id:
            return symbol
    raise RejectError("unknown_symbol", "params error: symbol invalid")


def _market_json(market: FakeMarket) -> dict[str, Any]:
    return {
        "symbol": _market_id(market.symbol), "baseCoin": market.base, "quoteCoin": market.quote,
        "innovation": "0", "status": "Trading", "marginTrading": "none",
        "lotSizeFilter": {"basePrecision": plain(market.step), "quotePrecision": "0.00000001",
                          "minOrderQty": plain(market.min_qty), "maxOrderQty": "9000",
                          "minOrderAmt": plain(market.min_notional), "maxOrderAmt": "9000000"},
        "priceFilter": {"tickSize": plain(market.tick)},
    }  # fmt: skip


def _order_json(order: FakeOrder) -> dict[str, Any]:
    status = "PartiallyFilled" if order.status == "open" and order.filled else _STATUS[order.status]
    fee = sum((trade.fee for trade in order.trades), Decimal(0))
    return {
        "orderId": str(order.order_id), "orderLinkId": order.client_id, "blockTradeId": "",
        "symbol": _market_id(order.symbol), "price": plain(order.price or Decimal(0)), "qty": plain(order.quantity),
        "side": order.side.capitalize(), "isLeverage": "0", "positionIdx": 0, "orderStatus": status,
        "cancelType": "UNKNOWN", "rejectReason": "EC_NoError", "avgPrice": plain(order.average),
        "leavesQty": plain(order.quantity - order.filled if order.status == "open" else Decimal(0)),
        "leavesValue": "0", "cumExecQty": plain(order.filled), "cumExecValue": plain(order.cost),
        "cumExecFee": plain(fee), "timeInForce": "GTC" if order.type == "limit" else "IOC",
        "orderType": order.type.capitalize(), "stopOrderType": "", "orderIv": "", "triggerPrice": "0",
        "takeProfit": "0", "stopLoss": "0", "tpTriggerBy": "", "slTriggerBy": "", "triggerDirection": 0,
        "triggerBy": "", "lastPriceOnCreated": "", "reduceOnly": False, "closeOnTrigger": False,
        "smpType": "None", "smpGroup": 0, "smpOrderId": "", "tpslMode": "", "tpLimitPrice": "",
        "slLimitPrice": "", "placeType": "", "createdTime": str(order.created_ms),
        "updatedTime": str(order.updated_ms),
    }  # fmt: skip


def _execution_json(trade: FakeTrade, order: FakeOrder) -> dict[str, Any]:
    return {
        "symbol": _market_id(trade.symbol), "orderId": str(trade.order_id), "orderLinkId": order.client_id,
        "side": trade.side.capitalize(), "orderPrice": plain(order.price or trade.price),
        "orderQty": plain(order.quantity), "leavesQty": plain(order.quantity - order.filled),
        "orderType": order.type.capitalize(), "stopOrderType": "", "execFee": plain(trade.fee),
        "feeCurrency": trade.fee_asset, "execId": str(trade.trade_id), "execPrice": plain(trade.price),
        "execQty": plain(trade.quantity), "execType": "Trade", "execValue": plain(trade.quantity * trade.price),
        "execTime": str(trade.ts_ms), "isMaker": trade.maker, "feeRate": "0.001", "tradeIv": "",
        "markIv": "", "markPrice": "", "indexPrice": "", "underlyingPrice": "", "blockTradeId": "",
        "closedSize": "", "seq": trade.trade_id,
    }  # fmt: skip


def _find(state: ExchangeState, params: dict[str, Any]) -> FakeOrder:
    symbol = _symbol(state, params.get("symbol"))
    order = None
    if params.get("orderLinkId"):
        order = state.by_client_id(params["orderLinkId"])
    elif params.get("orderId"):
        order = state.orders.get(int(params["orderId"]))
    if order is None or order.symbol != symbol:
        raise RejectError("order_not_found", "Order does not exist.")
    return order


def instruments(state: ExchangeState, request: Request) -> Reply:
    markets = [_market_json(market) for market in state.markets.values()] if request.param("category") == "spot" else []
    return _ok({"category": request.param("category"), "list": markets, "nextPageCursor": ""})


def tickers(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("symbol")))
    bid, ask = market.spread()
    last = plain(market.last)
    row = {
        "symbol": _market_id(market.symbol), "bid1Price": plain(bid), "bid1Size": "1", "ask1Price": plain(ask),
        "ask1Size": "1", "lastPrice": last, "prevPrice24h": last, "price24hPcnt": "0", "highPrice24h": last,
        "lowPrice24h": last, "turnover24h": "1000000", "volume24h": "100", "usdIndexPrice": last,
    }  # fmt: skip
    return _ok({"category": "spot", "list": [row]})


def orderbook(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("symbol")))
    bid, ask = market.spread()
    levels = range(5)
    return _ok({
        "s": _market_id(market.symbol),
        "b": [[plain(bid - level * market.tick), "1.5"] for level in levels],
        "a": [[plain(ask + level * market.tick), "1.5"] for level in levels],
        "ts": now_ms(), "u": 1, "seq": 1, "cts": now_ms(),
    })  # fmt: skip


def wallet_balance(state: ExchangeState, request: Request) -> Reply:
    coins = []
    for asset in sorted(set(state.free) | set(state.locked)):
        free, locked = state.free.get(asset, Decimal(0)), state.locked.get(asset, Decimal(0))
        coins.append({"coin": asset, "equity": plain(free + locked), "walletBalance": plain(free + locked),
                      "locked": plain(locked), "free": plain(free), "availableToWithdraw": plain(free),
                      "borrowAmount": "0", "accruedInterest": "0", "totalOrderIM": "0",
                      "totalPositionIM": "0"})  # fmt: skip
    return _ok({"list": [{"accountType": "UNIFIED", "totalEquity": "0", "coin": coins}]})


def create(state: ExchangeState, request: Request) -> Reply:
    form = json.loads(request.body)
    symbol = _symbol(state, form.get("symbol"))
    if form["orderType"] == "Market" and form["side"] == "Buy" and form.get("marketUnit") != "baseCoin":
        raise RejectError("notional", "fake bybit supports market buys in baseCoin only")
    price = form.get("price")
    order = state.place(
        symbol, form["side"].lower(), form["orderType"].lower(), Decimal(form["qty"]),
        Decimal(price) if price else None, form.get("orderLinkId", ""),
    )  # fmt: skip
    return _ok({"orderId": str(order.order_id), "orderLinkId": order.client_id})


def realtime(state: ExchangeState, request: Request) -> Reply:
    query = request.query
    if query.get("orderLinkId") or query.get("orderId"):
        try:
            orders = [_find(state, query)]
        except RejectError:
            orders = []
    else:
        wanted = request.param("symbol")
        orders = [
            order
            for order in state.orders.values()
            if order.status == "open" and (wanted is None or _market_id(order.symbol) == wanted)
        ]
    return _ok({"category": "spot", "list": [_order_json(order) for order in orders], "nextPageCursor": ""})


def cancel(state: ExchangeState, request: Request) -> Reply:
    form = json.loads(request.body)
    try:
        order = state.cancel(_find(state, form))
    except RejectError as error:
        raise RejectError("cancel_rejected", "Order does not exist.") from error
    return _ok({"orderId": str(order.order_id), "orderLinkId": order.client_id})


def executions(state: ExchangeState, request: Request) -> Reply:
    wanted = request.param("symbol")
    order_id = request.param("orderId")
    rows = [
        _execution_json(trade, state.orders[trade.order_id])
        for trade in reversed(state.trades)
        if (wanted is None or _market_id(trade.symbol) == wanted)
        and (order_id is None or str(trade.order_id) == order_id)
    ]
    return _ok({"category": "spot", "list": rows, "nextPageCursor": ""})


def coin_info(state: ExchangeState, request: Request) -> Reply:
    return _ok({"rows": []})


_ROUTES: dict[tuple[str, str], tuple[str, Handler, bool]] = {
    ("GET", "/v5/market/instruments-info"): ("markets", instruments, False),
    ("GET", "/v5/asset/coin/query-info"): ("currencies", coin_info, True),
    ("GET", "/v5/market/tickers"): ("ticker", tickers, False),
    ("GET", "/v5/market/orderbook"): ("order_book", orderbook, False),
    ("GET", "/v5/account/wallet-balance"): ("balance", wallet_balance, True),
    ("POST", "/v5/order/create"): ("create_order", create, True),
    ("GET", "/v5/order/realtime"): ("fetch_order", realtime, True),
    ("POST", "/v5/order/cancel"): ("cancel_order", cancel, True),
    ("GET", "/v5/execution/list"): ("my_trades", executions, True),
}


class BybitDialect:
    name = "bybit"

    def route(self, method: str, path: str) -> tuple[str, Handler, bool] | None:
        return _ROUTES.get((method, path))

    def authenticate(self, request: Request, credentials: Credentials) -> Reply | None:
        headers = request.headers
        if headers.get("X-BAPI-API-KEY") != credentials.api_key:
            return 401, {"retCode": 10003, "retMsg": "API key is invalid.", "result": {}, "time": now_ms()}
        signed = request.body if request.method == "POST" else request.query_string
        prehash = headers.get("X-BAPI-TIMESTAMP", "") + credentials.api_key + headers.get("X-BAPI-RECV-WINDOW", "")
        expected = hmac.new(credentials.secret.encode(), (prehash + signed).encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("X-BAPI-SIGN", ""), expected):
            return 401, {"retCode": 10004, "retMsg": "error sign!", "result": {}, "time": now_ms()}
        return None

    def reject(self, error: RejectError) -> Reply:
        code = _CODES.get(error.kind, 10001)
        return 200, {"retCode": code, "retMsg": error.message, "result": {}, "retExtInfo": {}, "time": now_ms()}

    def throttled(self) -> Reply:
        return 429, {"retCode": 10006, "retMsg": "Too many visits!", "result": {}, "time": now_ms()}


BYBIT = BybitDialect()
