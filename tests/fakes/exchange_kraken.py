"""Kraken spot REST (``/0/public``, ``/0/private``) for ``FakeExchange``.

Private calls are form-encoded POSTs checked like Kraken does: ``API-Key``, and ``API-Sign`` =
base64(HMAC-SHA512(base64-decoded secret, path + SHA256(nonce + body))). Assets use Kraken's
names (XXBT, XETH); fees are charged in the quote currency.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

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

_ASSETS = {"BTC": "XXBT", "ETH": "XETH", "USDT": "USDT"}
_ALT = {"XXBT": "XBT", "XETH": "ETH", "USDT": "USDT"}
_ERRORS = {
    "insufficient": "EOrder:Insufficient funds",
    "duplicate": "EOrder:Duplicate client order id",
    "lot_size": "EGeneral:Invalid arguments:volume",
    "price_filter": "EGeneral:Invalid arguments:price",
    "notional": "EOrder:Order minimum not met",
    "unknown_symbol": "EQuery:Unknown asset pair",
    "order_not_found": "EOrder:Unknown order",
    "cancel_rejected": "EOrder:Unknown order",
}


def _ok(result: Any) -> Reply:
    return 200, {"error": [], "result": result}


def _pair_id(market: FakeMarket) -> str:
    return _ALT[_ASSETS[market.base]] + market.quote


def _symbol(state: ExchangeState, pair: str | None) -> str:
    for symbol, market in state.markets.items():
        if _pair_id(market) == pair:
            return symbol
    raise RejectError("unknown_symbol", "EQuery:Unknown asset pair")


def _decimals(step: Decimal) -> int:
    return max(0, -step.normalize().as_tuple().exponent)  # type: ignore[operator]


def _txid(order: FakeOrder) -> str:
    return f"O{order.order_id:05d}-FAKE-KRAKEN"


def _order_id(txid: str) -> int:
    return int(txid[1:6])


def _order_json(state: ExchangeState, order: FakeOrder) -> dict[str, Any]:
    market = state.markets[order.symbol]
    price = plain(order.price or Decimal(0))
    fee = sum((trade.fee for trade in order.trades), Decimal(0))
    return {
        "refid": None, "userref": 0, "cl_ord_id": order.client_id, "status": order.status,
        "opentm": order.created_ms / 1000, "starttm": 0, "expiretm": 0,
        "descr": {"pair": _pair_id(market), "type": order.side, "ordertype": order.type, "price": price,
                  "price2": "0", "leverage": "none", "close": "",
                  "order": f"{order.side} {plain(order.quantity)} {_pair_id(market)} @ {order.type} {price}"},
        "vol": plain(order.quantity), "vol_exec": plain(order.filled), "cost": plain(order.cost),
        "fee": plain(fee), "price": plain(order.average or Decimal(0)), "stopprice": "0", "limitprice": "0",
        "misc": "", "oflags": "fciq", "trades": [str(trade.trade_id) for trade in order.trades],
    }  # fmt: skip


def _trade_json(state: ExchangeState, trade: FakeTrade) -> dict[str, Any]:
    order = state.orders[trade.order_id]
    return {
        "ordertxid": _txid(order), "postxid": "PFAKE", "pair": _pair_id(state.markets[trade.symbol]),
        "time": trade.ts_ms / 1000, "type": trade.side, "ordertype": order.type, "price": plain(trade.price),
        "cost": plain(trade.quantity * trade.price), "fee": plain(trade.fee), "vol": plain(trade.quantity),
        "margin": "0", "misc": "", "trade_id": trade.trade_id, "maker": trade.maker,
    }  # fmt: skip


def _form(request: Request) -> dict[str, str]:
    return dict(parse_qsl(request.body))


def assets(state: ExchangeState, request: Request) -> Reply:
    return _ok({
        kraken: {"aclass": "currency", "altname": _ALT[kraken], "decimals": 10, "display_decimals": 5,
                 "collateral_value": 1.0, "status": "enabled"}
        for kraken in _ASSETS.values()
    })  # fmt: skip


def asset_pairs(state: ExchangeState, request: Request) -> Reply:
    pairs = {}
    for market in state.markets.values():
        pair = _pair_id(market)
        pairs[pair] = {
            "altname": pair, "wsname": f"{_ALT[_ASSETS[market.base]]}/{market.quote}", "aclass_base": "currency",
            "base": _ASSETS[market.base], "aclass_quote": "currency", "quote": _ASSETS[market.quote],
            "lot": "unit", "cost_decimals": 5, "pair_decimals": _decimals(market.tick),
            "lot_decimals": _decimals(market.step), "lot_multiplier": 1, "leverage_buy": [], "leverage_sell": [],
            "fees": [[0, 0.1]], "fees_maker": [[0, 0.1]], "fee_volume_currency": "ZUSD", "margin_call": 80,
            "margin_stop": 40, "ordermin": plain(market.min_qty), "costmin": plain(market.min_notional),
            "tick_size": plain(market.tick), "status": "online",
        }  # fmt: skip
    return _ok(pairs)


def ticker(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("pair")))
    bid, ask = market.spread()
    last = plain(market.last)
    return _ok({_pair_id(market): {
        "a": [plain(ask), "1", "1.000"], "b": [plain(bid), "1", "1.000"], "c": [last, "0.1"],
        "v": ["100", "100"], "p": [last, last], "t": [10, 10], "l": [last, last], "h": [last, last], "o": last,
    }})  # fmt: skip


def depth(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("pair")))
    bid, ask = market.spread()
    now = now_ms() // 1000
    levels = range(5)
    return _ok({_pair_id(market): {
        "asks": [[plain(ask + level * market.tick), "1.5", now] for level in levels],
        "bids": [[plain(bid - level * market.tick), "1.5", now] for level in levels],
    }})  # fmt: skip


def balance_ex(state: ExchangeState, request: Request) -> Reply:
    result = {}
    for asset in sorted(set(state.free) | set(state.locked)):
        free, locked = state.free.get(asset, Decimal(0)), state.locked.get(asset, Decimal(0))
        result[_ASSETS.get(asset, asset)] = {"balance": plain(free + locked), "hold_trade": plain(locked)}
    return _ok(result)


def add_order(state: ExchangeState, request: Request) -> Reply:
    form = _form(request)
    symbol = _symbol(state, form.get("pair"))
    price = form.get("price")
    order = state.place(
        symbol, form["type"], form["ordertype"], Decimal(form["volume"]), Decimal(price) if price else None,
        form.get("cl_ord_id", ""),
    )  # fmt: skip
    return _ok({"descr": {"order": _order_json(state, order)["descr"]["order"]}, "txid": [_txid(order)]})


def query_orders(state: ExchangeState, request: Request) -> Reply:
    result = {}
    for txid in _form(request).get("txid", "").split(","):
        order = state.orders.get(_order_id(txid)) if txid.startswith("O") and len(txid) > 6 else None
        if order is not None:
            result[txid] = _order_json(state, order)
    if not result:
        raise RejectError("order_not_found", "EOrder:Unknown order")
    return _ok(result)


def _listed(state: ExchangeState, request: Request, *, open_orders: bool) -> dict[str, Any]:
    client_id = _form(request).get("cl_ord_id")
    return {
        _txid(order): _order_json(state, order)
        for order in state.orders.values()
        if (order.status == "open") == open_orders and (client_id is None or order.client_id == client_id)
    }


def open_orders(state: ExchangeState, request: Request) -> Reply:
    return _ok({"open": _listed(state, request, open_orders=True)})


def closed_orders(state: ExchangeState, request: Request) -> Reply:
    closed = _listed(state, request, open_orders=False)
    return _ok({"closed": closed, "count": len(closed)})


def cancel_order(state: ExchangeState, request: Request) -> Reply:
    form = _form(request)
    order = state.by_client_id(form["cl_ord_id"]) if form.get("cl_ord_id") else None
    if order is None and form.get("txid", "").startswith("O"):
        order = state.orders.get(_order_id(form["txid"]))
    if order is None:
        raise RejectError("cancel_rejected", "EOrder:Unknown order")
    state.cancel(order)
    return _ok({"count": 1})


def query_trades(state: ExchangeState, request: Request) -> Reply:
    wanted = set(_form(request).get("txid", "").split(","))
    return _ok(
        {str(trade.trade_id): _trade_json(state, trade) for trade in state.trades if str(trade.trade_id) in wanted}
    )


def trades_history(state: ExchangeState, request: Request) -> Reply:
    trades = {str(trade.trade_id): _trade_json(state, trade) for trade in state.trades}
    return _ok({"trades": trades, "count": len(trades)})


_ROUTES: dict[tuple[str, str], tuple[str, Handler, bool]] = {
    ("GET", "/0/public/Assets"): ("currencies", assets, False),
    ("GET", "/0/public/AssetPairs"): ("markets", asset_pairs, False),
    ("GET", "/0/public/Ticker"): ("ticker", ticker, False),
    ("GET", "/0/public/Depth"): ("order_book", depth, False),
    ("POST", "/0/private/BalanceEx"): ("balance", balance_ex, True),
    ("POST", "/0/private/AddOrder"): ("create_order", add_order, True),
    ("POST", "/0/private/QueryOrders"): ("fetch_order", query_orders, True),
    ("POST", "/0/private/OpenOrders"): ("fetch_order", open_orders, True),  # also how ids are looked up
    ("POST", "/0/private/ClosedOrders"): ("fetch_order", closed_orders, True),
    ("POST", "/0/private/CancelOrder"): ("cancel_order", cancel_order, True),
    ("POST", "/0/private/QueryTrades"): ("my_trades", query_trades, True),
    ("POST", "/0/private/TradesHistory"): ("my_trades", trades_history, True),
}


class KrakenDialect:
    name = "kraken"
    fees_in_quote = True

    def order_ref(self, order: FakeOrder) -> str:
        return _txid(order)

    def hidden_reply(self, request: Request) -> Reply:
        """A lagging query side: listings come back empty, direct queries say "unknown order"."""
        if request.path.endswith("/OpenOrders"):
            return _ok({"open": {}})
        if request.path.endswith("/ClosedOrders"):
            return _ok({"closed": {}, "count": 0})
        return self.reject(RejectError("order_not_found", "EOrder:Unknown order"))

    def route(self, method: str, path: str) -> tuple[str, Handler, bool] | None:
        return _ROUTES.get((method, path))

    def authenticate(self, request: Request, credentials: Credentials) -> Reply | None:
        if request.headers.get("API-Key") != credentials.api_key:
            return 200, {"error": ["EAPI:Invalid key"]}
        nonce = _form(request).get("nonce", "")
        digest = hashlib.sha256((nonce + request.body).encode()).digest()
        mac = hmac.new(base64.b64decode(credentials.secret), request.path.encode() + digest, hashlib.sha512)
        if not hmac.compare_digest(request.headers.get("API-Sign", ""), base64.b64encode(mac.digest()).decode()):
            return 200, {"error": ["EAPI:Invalid key"]}
        return None

    def reject(self, error: RejectError) -> Reply:
        return 200, {"error": [_ERRORS.get(error.kind, f"EGeneral:Invalid arguments:{error.message}")]}

    def throttled(self) -> Reply:
        return 429, {"error": ["EAPI:Rate limit exceeded"]}


KRAKEN = KrakenDialect()
