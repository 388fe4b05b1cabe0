"""Binance spot REST (api/v3) and user-data stream for ``FakeExchange``: what ccxt's binance calls.

Signed endpoints check ``X-MBX-APIKEY``, the HMAC-SHA256 ``signature`` over the query string (GET,
DELETE) or form body (POST) exactly as sent, and the timestamp against ``recvWindow``. The
websocket API (``/ws-api/v3``) accepts ``userDataStream.subscribe.signature`` with the same
signature rules and then pushes an ``executionReport`` for every order change.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

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

if TYPE_CHECKING:
    from tests.fakes.exchange import FakeExchange

_ERRORS = {
    "insufficient": (400, -2010),
    "duplicate": (400, -2010),
    "lot_size": (400, -1013),
    "price_filter": (400, -1013),
    "notional": (400, -1013),
    "unknown_symbol": (400, -1121),
    "order_not_found": (400, -2013),
}
_STATUS = {"open": "NEW", "filled": "FILLED", "canceled": "CANCELED"}


def _market_id(symbol: str) -> str:
    return symbol.replace("/", "")


def _symbol(state: ExchangeState, market_id: str | None) -> str:
    for symbol in state.markets:
        if _market_id(symbol) == market_id:
            return symbol
    raise RejectError("unknown_symbol", "Invalid symbol.")


def _market_json(market: FakeMarket) -> dict[str, Any]:
    return {
        "symbol": _market_id(market.symbol),
        "status": "TRADING",
        "baseAsset": market.base,
        "baseAssetPrecision": 8,
        "quoteAsset": market.quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "quoteOrderQtyMarketAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": plain(market.tick), "maxPrice": "1000000.00",
             "tickSize": plain(market.tick)},
            {"filterType": "LOT_SIZE", "minQty": plain(market.min_qty), "maxQty": "9000.00",
             "stepSize": plain(market.step)},
            {"filterType": "NOTIONAL", "minNotional": plain(market.min_notional), "applyMinToMarket": True,
             "maxNotional": "9000000.00", "applyMaxToMarket": False, "avgPriceMins": 5},
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }  # fmt: skip


def _order_json(order: FakeOrder, *, with_fills: bool = False) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "symbol": _market_id(order.symbol),
        "orderId": order.order_id,
        "orderListId": -1,
        "clientOrderId": order.client_id,
        "price": plain(order.price or Decimal(0)),
        "origQty": plain(order.quantity),
        "executedQty": plain(order.filled),
        "cummulativeQuoteQty": plain(order.cost),
        "status": _STATUS[order.status] if not (order.status == "open" and order.filled) else "PARTIALLY_FILLED",
        "timeInForce": "GTC",
        "type": order.type.upper(),
        "side": order.side.upper(),
        "time": order.created_ms,
        "transactTime": order.updated_ms,
        "updateTime": order.updated_ms,
        "workingTime": order.created_ms,
        "isWorking": order.status == "open",
        "selfTradePreventionMode": "NONE",
    }
    if with_fills:
        payload["fills"] = [
            {"price": plain(t.price), "qty": plain(t.quantity), "commission": plain(t.fee),
             "commissionAsset": t.fee_asset, "tradeId": t.trade_id}
            for t in order.trades
        ]  # fmt: skip
    return payload


def _trade_json(trade: FakeTrade) -> dict[str, Any]:
    return {
        "symbol": _market_id(trade.symbol),
        "id": trade.trade_id,
        "orderId": trade.order_id,
        "orderListId": -1,
        "price": plain(trade.price),
        "qty": plain(trade.quantity),
        "quoteQty": plain(trade.quantity * trade.price),
        "commission": plain(trade.fee),
        "commissionAsset": trade.fee_asset,
        "time": trade.ts_ms,
        "isBuyer": trade.side == "buy",
        "isMaker": trade.maker,
        "isBestMatch": True,
    }


def _find(state: ExchangeState, params: dict[str, Any]) -> FakeOrder:
    symbol = _symbol(state, params.get("symbol"))
    client_id = params.get("origClientOrderId")
    order = None
    if client_id:
        order = state.by_client_id(client_id)
    elif params.get("orderId"):
        order = state.orders.get(int(params["orderId"]))
    if order is None or order.symbol != symbol:
        raise RejectError("order_not_found", "Order does not exist.")
    return order


def exchange_info(state: ExchangeState, request: Request) -> Reply:
    symbols = [_market_json(market) for market in state.markets.values()]
    return 200, {"timezone": "UTC", "serverTime": now_ms(), "rateLimits": [], "symbols": symbols}


def ticker(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("symbol")))
    bid, ask = market.spread()
    last = plain(market.last)
    return 200, {
        "symbol": _market_id(market.symbol), "priceChange": "0", "priceChangePercent": "0",
        "weightedAvgPrice": last, "prevClosePrice": last, "lastPrice": last, "lastQty": "0.1",
        "bidPrice": plain(bid), "bidQty": "1", "askPrice": plain(ask), "askQty": "1", "openPrice": last,
        "highPrice": last, "lowPrice": last, "volume": "100", "quoteVolume": "1000000",
        "openTime": now_ms() - 86_400_000, "closeTime": now_ms(), "firstId": 1, "lastId": 2, "count": 2,
    }  # fmt: skip


def depth(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("symbol")))
    bid, ask = market.spread()
    levels = range(5)
    return 200, {
        "lastUpdateId": 1,
        "bids": [[plain(bid - level * market.tick), "1.5"] for level in levels],
        "asks": [[plain(ask + level * market.tick), "1.5"] for level in levels],
    }


def account(state: ExchangeState, request: Request) -> Reply:
    assets = sorted(set(state.free) | set(state.locked))
    balances = [
        {"asset": asset, "free": plain(state.free.get(asset, Decimal(0))),
         "locked": plain(state.locked.get(asset, Decimal(0)))}
        for asset in assets
    ]  # fmt: skip
    return 200, {"makerCommission": 10, "takerCommission": 10, "canTrade": True, "accountType": "SPOT",
                 "updateTime": now_ms(), "balances": balances, "permissions": ["SPOT"]}  # fmt: skip


def new_order(state: ExchangeState, request: Request) -> Reply:
    form = dict(parse_qsl(request.body))
    symbol = _symbol(state, form.get("symbol"))
    price = form.get("price")
    order = state.place(
        symbol,
        form["side"].lower(),
        form["type"].lower(),
        Decimal(form["quantity"]),
        Decimal(price) if price else None,
        form.get("newClientOrderId", ""),
    )
    return 200, _order_json(order, with_fills=form.get("newOrderRespType") == "FULL")


def get_order(state: ExchangeState, request: Request) -> Reply:
    return 200, _order_json(_find(state, request.query))


def cancel_order(state: ExchangeState, request: Request) -> Reply:
    try:
        order = _find(state, request.query)
    except RejectError as error:
        raise RejectError("cancel_rejected", "Unknown order sent.") from error
    try:
        state.cancel(order)
    except RejectError as error:
        raise RejectError("cancel_rejected", "Unknown order sent.") from error
    payload = _order_json(order)
    payload["origClientOrderId"] = order.client_id
    return 200, payload


def open_orders(state: ExchangeState, request: Request) -> Reply:
    wanted = request.param("symbol")
    orders = [
        _order_json(order)
        for order in state.orders.values()
        if order.status == "open" and (wanted is None or _market_id(order.symbol) == wanted)
    ]
    return 200, orders


def my_trades(state: ExchangeState, request: Request) -> Reply:
    symbol = _symbol(state, request.param("symbol"))
    order_id = request.param("orderId")
    trades = [
        _trade_json(trade)
        for trade in state.trades
        if trade.symbol == symbol and (order_id is None or str(trade.order_id) == order_id)
    ]
    return 200, trades


_ROUTES: dict[tuple[str, str], tuple[str, Handler, bool]] = {
    ("GET", "/api/v3/exchangeInfo"): ("markets", exchange_info, False),
    ("GET", "/api/v3/ticker/24hr"): ("ticker", ticker, False),
    ("GET", "/api/v3/depth"): ("order_book", depth, False),
    ("GET", "/api/v3/account"): ("balance", account, True),
    ("POST", "/api/v3/order"): ("create_order", new_order, True),
    ("GET", "/api/v3/order"): ("fetch_order", get_order, True),
    ("DELETE", "/api/v3/order"): ("cancel_order", cancel_order, True),
    ("GET", "/api/v3/openOrders"): ("open_orders", open_orders, True),
    ("GET", "/api/v3/myTrades"): ("my_trades", my_trades, True),
}


def execution_report(order: FakeOrder, trade: FakeTrade | None, execution: str) -> dict[str, Any]:
    payload = _order_json(order)
    return {
        "e": "executionReport", "E": now_ms(), "s": payload["symbol"], "c": order.client_id,
        "S": payload["side"], "o": payload["type"], "f": "GTC", "q": payload["origQty"], "p": payload["price"],
        "P": "0", "F": "0", "g": -1, "C": order.client_id if execution == "CANCELED" else "", "x": execution,
        "X": payload["status"], "r": "NONE", "i": order.order_id,
        "l": plain(trade.quantity) if trade else "0", "z": payload["executedQty"],
        "L": plain(trade.price) if trade else "0", "n": plain(trade.fee) if trade else "0",
        "N": trade.fee_asset if trade else None, "T": order.updated_ms, "t": trade.trade_id if trade else -1,
        "I": 1, "w": order.status == "open", "m": trade.maker if trade else False, "M": False,
        "O": order.created_ms, "Z": payload["cummulativeQuoteQty"],
        "Y": plain(trade.quantity * trade.price) if trade else "0", "Q": "0", "W": order.created_ms, "V": "NONE",
    }  # fmt: skip


def _ws_signature_ok(params: dict[str, Any], credentials: Credentials) -> bool:
    unsigned = {key: value for key, value in params.items() if key != "signature"}
    query = "&".join(f"{key}={unsigned[key]}" for key in sorted(unsigned))
    expected = hmac.new(credentials.secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return params.get("apiKey") == credentials.api_key and hmac.compare_digest(str(params.get("signature")), expected)


def _ws_error(request: dict[str, Any], code: int, message: str) -> dict[str, Any]:
    return {"id": request.get("id"), "status": 400, "error": {"code": code, "msg": message}}


async def _pump(socket: web.WebSocketResponse, events: asyncio.Queue[dict[str, Any]]) -> None:
    while True:
        event = await events.get()
        await socket.send_json({"subscriptionId": 0, "event": event})


async def serve_user_stream(socket: web.WebSocketResponse, fake: FakeExchange) -> None:
    """The websocket API: subscribe with a signature, then receive executionReport events."""
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def listener(order: FakeOrder, trade: FakeTrade | None, execution: str) -> None:
        events.put_nowait(execution_report(order, trade, execution))

    pump: asyncio.Task[None] | None = None
    try:
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                continue
            request = json.loads(message.data)
            if request.get("method") != "userDataStream.subscribe.signature":
                await socket.send_json(_ws_error(request, -1100, "Unsupported method."))
            elif not _ws_signature_ok(request.get("params", {}), fake.credentials):
                await socket.send_json(_ws_error(request, -1022, "Signature for this request is not valid."))
            elif pump is None:
                fake.state.listeners.append(listener)
                await socket.send_json({"id": request["id"], "status": 200, "result": {"subscriptionId": 0}})
                pump = asyncio.create_task(_pump(socket, events))
    finally:
        if listener in fake.state.listeners:
            fake.state.listeners.remove(listener)
        if pump is not None:
            pump.cancel()


class BinanceDialect:
    name = "binance"
    recv_window_ms = 5_000

    async def serve_websocket(self, socket: web.WebSocketResponse, fake: FakeExchange) -> None:
        await serve_user_stream(socket, fake)

    def route(self, method: str, path: str) -> tuple[str, Handler, bool] | None:
        return _ROUTES.get((method, path))

    def authenticate(self, request: Request, credentials: Credentials) -> Reply | None:
        if request.headers.get("X-MBX-APIKEY") != credentials.api_key:
            return 401, {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
        signed = request.body if request.method == "POST" else request.query_string
        payload, separator, signature = signed.rpartition("&signature=")
        expected = hmac.new(credentials.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not separator or not hmac.compare_digest(signature, expected):
            return 400, {"code": -1022, "msg": "Signature for this request is not valid."}
        params = dict(parse_qsl(payload))
        window = int(params.get("recvWindow", self.recv_window_ms))
        if abs(now_ms() - int(params.get("timestamp", 0))) > window:
            return 400, {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}
        return None

    def reject(self, error: RejectError) -> Reply:
        if error.kind == "cancel_rejected":
            return 400, {"code": -2011, "msg": error.message}
        status, code = _ERRORS.get(error.kind, (400, -1000))
        return status, {"code": code, "msg": error.message}

    def throttled(self) -> Reply:
        return 429, {"code": -1003, "msg": "Too much request weight used; current limit is 6000 request weight."}


BINANCE = BinanceDialect()
