"""OKX v5 REST for ``FakeExchange``: the spot subset ccxt's okx class calls.

Private endpoints check ``OK-ACCESS-KEY``, ``OK-ACCESS-PASSPHRASE`` and ``OK-ACCESS-SIGN``
(base64 HMAC-SHA256 of timestamp + method + path with query + body) as OKX does.
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

_ORDER_CODES = {
    "insufficient": "51008",
    "duplicate": "51016",
    "lot_size": "51121",
    "price_filter": "51006",
    "notional": "51020",
    "unknown_symbol": "51001",
    "cancel_rejected": "51400",
}


def _ok(data: list[Any]) -> Reply:
    return 200, {"code": "0", "msg": "", "data": data}


def _inst_id(symbol: str) -> str:
    return symbol.replace("/", "-")


def _symbol(state: ExchangeState, inst_id: str | None) -> str:
    symbol = (inst_id or "").replace("-", "/")
    if symbol not in state.markets:
        raise RejectError("unknown_symbol", f"Instrument ID {inst_id} does not exist.")
    return symbol


def _market_json(market: FakeMarket) -> dict[str, Any]:
    return {
        "instType": "SPOT", "instId": _inst_id(market.symbol), "uly": "", "instFamily": "",
        "baseCcy": market.base, "quoteCcy": market.quote, "settleCcy": "", "ctVal": "", "ctMult": "",
        "ctValCcy": "", "optType": "", "stk": "", "listTime": "1606468572000", "expTime": "", "lever": "10",
        "tickSz": plain(market.tick), "lotSz": plain(market.step), "minSz": plain(market.min_qty),
        "ctType": "", "alias": "", "state": "live", "maxLmtSz": "9999999999", "maxMktSz": "1000000",
        "maxTwapSz": "", "maxIcebergSz": "", "maxTriggerSz": "", "maxStopSz": "",
    }  # fmt: skip


def _state(order: FakeOrder) -> str:
    if order.status == "open":
        return "partially_filled" if order.filled else "live"
    return order.status


def _order_json(order: FakeOrder) -> dict[str, Any]:
    fee = sum((trade.fee for trade in order.trades), Decimal(0))
    last = order.trades[-1] if order.trades else None
    return {
        "instType": "SPOT", "instId": _inst_id(order.symbol), "ccy": "", "ordId": str(order.order_id),
        "clOrdId": order.client_id, "tag": "", "px": plain(order.price), "sz": plain(order.quantity),
        "pnl": "0", "ordType": order.type, "side": order.side, "posSide": "net", "tdMode": "cash",
        "tgtCcy": "base_ccy", "accFillSz": plain(order.filled), "fillPx": plain(last.price) if last else "",
        "tradeId": str(last.trade_id) if last else "", "fillSz": plain(last.quantity) if last else "",
        "fillTime": str(last.ts_ms) if last else "", "avgPx": plain(order.average), "state": _state(order),
        "lever": "", "feeCcy": order.trades[0].fee_asset if order.trades else "", "fee": plain(-fee),
        "rebateCcy": "", "rebate": "0", "category": "normal", "uTime": str(order.updated_ms),
        "cTime": str(order.created_ms),
    }  # fmt: skip


def _fill_json(trade: FakeTrade, order: FakeOrder) -> dict[str, Any]:
    return {
        "instType": "SPOT", "instId": _inst_id(trade.symbol), "tradeId": str(trade.trade_id),
        "ordId": str(trade.order_id), "clOrdId": order.client_id, "billId": str(trade.trade_id), "tag": "",
        "fillPx": plain(trade.price), "fillSz": plain(trade.quantity), "side": trade.side, "posSide": "net",
        "execType": "M" if trade.maker else "T", "feeCcy": trade.fee_asset, "fee": plain(-trade.fee),
        "ts": str(trade.ts_ms), "fillTime": str(trade.ts_ms),
    }  # fmt: skip


def _find(state: ExchangeState, params: dict[str, Any]) -> FakeOrder:
    symbol = _symbol(state, params.get("instId"))
    order = None
    if params.get("clOrdId"):
        order = state.by_client_id(params["clOrdId"])
    elif params.get("ordId"):
        order = state.orders.get(int(params["ordId"]))
    if order is None or order.symbol != symbol:
        raise RejectError("order_not_found", "Order does not exist")
    return order


def instruments(state: ExchangeState, request: Request) -> Reply:
    if request.param("instType") != "SPOT":
        return _ok([])
    return _ok([_market_json(market) for market in state.markets.values()])


def currencies(state: ExchangeState, request: Request) -> Reply:
    assets = sorted({market.base for market in state.markets.values()} | {"USDT"})
    return _ok(
        [
            {"ccy": asset, "chain": f"{asset}-{asset}", "name": asset, "canDep": True, "canWd": True,
             "canInternal": True, "minWd": "0.001", "minFee": "0.0001", "maxFee": "0.001", "wdTickSz": "8",
             "mainNet": True}
            for asset in assets
        ]
    )  # fmt: skip


def ticker(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("instId")))
    bid, ask = market.spread()
    last = plain(market.last)
    return _ok([{
        "instType": "SPOT", "instId": _inst_id(market.symbol), "last": last, "lastSz": "0.1",
        "askPx": plain(ask), "askSz": "1", "bidPx": plain(bid), "bidSz": "1", "open24h": last, "high24h": last,
        "low24h": last, "volCcy24h": "1000000", "vol24h": "100", "sodUtc0": last, "sodUtc8": last,
        "ts": str(now_ms()),
    }])  # fmt: skip


def books(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("instId")))
    bid, ask = market.spread()
    levels = range(5)
    return _ok([{
        "asks": [[plain(ask + level * market.tick), "1.5", "0", "1"] for level in levels],
        "bids": [[plain(bid - level * market.tick), "1.5", "0", "1"] for level in levels],
        "ts": str(now_ms()),
    }])  # fmt: skip


def balance(state: ExchangeState, request: Request) -> Reply:
    details = []
    for asset in sorted(set(state.free) | set(state.locked)):
        free, locked = state.free.get(asset, Decimal(0)), state.locked.get(asset, Decimal(0))
        details.append({"ccy": asset, "eq": plain(free + locked), "cashBal": plain(free + locked),
                        "availBal": plain(free), "frozenBal": plain(locked), "uTime": str(now_ms())})  # fmt: skip
    return _ok([{"totalEq": "0", "uTime": str(now_ms()), "details": details}])


def place_order(state: ExchangeState, request: Request) -> Reply:
    form = json.loads(request.body)
    entry = form[0] if isinstance(form, list) else form
    try:
        symbol = _symbol(state, entry.get("instId"))
        price = entry.get("px")
        order = state.place(
            symbol, entry["side"], entry["ordType"], Decimal(entry["sz"]), Decimal(price) if price else None,
            entry.get("clOrdId", ""),
        )  # fmt: skip
    except RejectError as error:
        code = _ORDER_CODES.get(error.kind, "51000")
        failed = {"clOrdId": entry.get("clOrdId", ""), "ordId": "", "tag": "", "sCode": code, "sMsg": error.message}
        return 200, {"code": "1", "msg": "Operation failed.", "data": [failed]}
    ack = {"clOrdId": order.client_id, "ordId": str(order.order_id), "tag": "", "sCode": "0", "sMsg": "Order placed"}
    return _ok([ack])


def get_order(state: ExchangeState, request: Request) -> Reply:
    return _ok([_order_json(_find(state, request.query))])


def cancel_order(state: ExchangeState, request: Request) -> Reply:
    params = json.loads(request.body)
    try:
        order = state.cancel(_find(state, params))
    except RejectError:
        failed = {"clOrdId": params.get("clOrdId", ""), "ordId": params.get("ordId", ""), "sCode": "51400",
                  "sMsg": "Cancellation failed as the order has been filled, canceled or does not exist."}  # fmt: skip
        return 200, {"code": "1", "msg": "", "data": [failed]}
    return _ok([{"clOrdId": order.client_id, "ordId": str(order.order_id), "sCode": "0", "sMsg": ""}])


def orders_pending(state: ExchangeState, request: Request) -> Reply:
    wanted = request.param("instId")
    return _ok(
        [
            _order_json(order)
            for order in state.orders.values()
            if order.status == "open" and (wanted is None or _inst_id(order.symbol) == wanted)
        ]
    )


def fills(state: ExchangeState, request: Request) -> Reply:
    wanted_symbol = request.param("instId")
    order_id = request.param("ordId")
    rows = [
        _fill_json(trade, state.orders[trade.order_id])
        for trade in reversed(state.trades)
        if (wanted_symbol is None or _inst_id(trade.symbol) == wanted_symbol)
        and (order_id is None or str(trade.order_id) == order_id)
    ]
    return _ok(rows)


_ROUTES: dict[tuple[str, str], tuple[str, Handler, bool]] = {
    ("GET", "/api/v5/public/instruments"): ("markets", instruments, False),
    ("GET", "/api/v5/asset/currencies"): ("currencies", currencies, True),
    ("GET", "/api/v5/market/ticker"): ("ticker", ticker, False),
    ("GET", "/api/v5/market/books"): ("order_book", books, False),
    ("GET", "/api/v5/account/balance"): ("balance", balance, True),
    ("POST", "/api/v5/trade/order"): ("create_order", place_order, True),
    ("POST", "/api/v5/trade/batch-orders"): ("create_order", place_order, True),
    ("GET", "/api/v5/trade/order"): ("fetch_order", get_order, True),
    ("POST", "/api/v5/trade/cancel-order"): ("cancel_order", cancel_order, True),
    ("GET", "/api/v5/trade/orders-pending"): ("open_orders", orders_pending, True),
    ("GET", "/api/v5/trade/fills"): ("my_trades", fills, True),
    ("GET", "/api/v5/trade/fills-history"): ("my_trades", fills, True),
}


class OkxDialect:
    name = "okx"

    def route(self, method: str, path: str) -> tuple[str, Handler, bool] | None:
        return _ROUTES.get((method, path))

    def authenticate(self, request: Request, credentials: Credentials) -> Reply | None:
        headers = request.headers
        if headers.get("OK-ACCESS-KEY") != credentials.api_key:
            return 401, {"code": "50111", "msg": "Invalid OK-ACCESS-KEY", "data": []}
        if headers.get("OK-ACCESS-PASSPHRASE") != credentials.password:
            return 401, {"code": "50105", "msg": "Request header OK-ACCESS-PASSPHRASE incorrect.", "data": []}
        target = request.path + (f"?{request.query_string}" if request.query_string else "")
        prehash = headers.get("OK-ACCESS-TIMESTAMP", "") + request.method + target + request.body
        digest = hmac.new(credentials.secret.encode(), prehash.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(headers.get("OK-ACCESS-SIGN", ""), base64.b64encode(digest).decode()):
            return 401, {"code": "50113", "msg": "Invalid Sign", "data": []}
        return None

    def reject(self, error: RejectError) -> Reply:
        if error.kind == "order_not_found":
            return 200, {"code": "51603", "msg": "Order does not exist", "data": []}
        code = _ORDER_CODES.get(error.kind, "51000")
        return 200, {"code": code, "msg": error.message, "data": []}

    def throttled(self) -> Reply:
        return 429, {"code": "50011", "msg": "Too Many Requests", "data": []}


OKX = OkxDialect()
