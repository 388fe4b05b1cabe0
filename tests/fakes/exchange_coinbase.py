"""Coinbase Advanced Trade REST (``/api/v3/brokerage``, ``/v2`` currencies) for ``FakeExchange``.

Private calls are checked with the HMAC key scheme (``CB-ACCESS-KEY``, ``CB-ACCESS-TIMESTAMP``,
``CB-ACCESS-SIGN`` = hex HMAC-SHA256 of timestamp + method + path + body, the query excluded).
Market buys are sized in the quote currency, as on Coinbase; orders are canceled by order id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal
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
    plain,
)

_FAILURES = {
    "insufficient": ("INSUFFICIENT_FUND", "Insufficient balance in source account"),
    "duplicate": ("INVALID_ORDER", "Duplicate client_order_id"),
    "lot_size": ("INVALID_SIZE_PRECISION", "Invalid size precision"),
    "price_filter": ("INVALID_PRICE_PRECISION", "Invalid price precision"),
    "notional": ("INVALID_LIMIT_PRICE", "Order size too small"),
    "unknown_symbol": ("INVALID_PRODUCT_ID", "Invalid product_id"),
}
_STATUS = {"open": "OPEN", "filled": "FILLED", "canceled": "CANCELLED"}


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _product_id(symbol: str) -> str:
    return symbol.replace("/", "-")


def _symbol(state: ExchangeState, product_id: str | None) -> str:
    symbol = (product_id or "").replace("-", "/")
    if symbol not in state.markets:
        raise RejectError("unknown_symbol", "Invalid product_id")
    return symbol


def _product_json(market: FakeMarket) -> dict[str, Any]:
    return {
        "product_id": _product_id(market.symbol), "price": plain(market.last), "price_percentage_change_24h": "0",
        "volume_24h": "100", "volume_percentage_change_24h": "0", "base_increment": plain(market.step),
        "quote_increment": plain(market.tick), "quote_min_size": plain(market.min_notional),
        "quote_max_size": "10000000", "base_min_size": plain(market.min_qty), "base_max_size": "10000",
        "base_name": market.base, "quote_name": market.quote, "watched": False, "is_disabled": False, "new": False,
        "status": "online", "cancel_only": False, "limit_only": False, "post_only": False,
        "trading_disabled": False, "auction_mode": False, "product_type": "SPOT",
        "quote_currency_id": market.quote, "base_currency_id": market.base, "fcm_trading_session_details": None,
        "mid_market_price": "", "alias": "", "alias_to": [], "base_display_symbol": market.base,
        "quote_display_symbol": market.quote, "view_only": False, "price_increment": plain(market.tick),
        "display_name": _product_id(market.symbol), "product_venue": "CBE",
    }  # fmt: skip


def _order_json(order: FakeOrder) -> dict[str, Any]:
    fee = sum((trade.fee for trade in order.trades), Decimal(0))
    if order.type == "limit":
        configuration = {"limit_limit_gtc": {"base_size": plain(order.quantity), "limit_price": plain(order.price),
                                             "post_only": False}}  # fmt: skip
    else:
        configuration = {"market_market_ioc": {"base_size": plain(order.quantity)}}
    return {
        "order_id": str(order.order_id), "product_id": _product_id(order.symbol), "user_id": "fake-user",
        "order_configuration": configuration, "side": order.side.upper(), "client_order_id": order.client_id,
        "status": _STATUS[order.status], "time_in_force": "GOOD_UNTIL_CANCELLED",
        "created_time": _iso(order.created_ms), "completion_percentage": plain(order.filled / order.quantity * 100),
        "filled_size": plain(order.filled), "average_filled_price": plain(order.average or Decimal(0)),
        "fee": "", "number_of_fills": str(len(order.trades)), "filled_value": plain(order.cost),
        "pending_cancel": False, "size_in_quote": False, "total_fees": plain(fee),
        "size_inclusive_of_fees": False, "total_value_after_fees": plain(order.cost + fee),
        "trigger_status": "INVALID_ORDER_TYPE", "order_type": order.type.upper(), "reject_reason": "",
        "settled": order.status != "open", "product_type": "SPOT", "reject_message": "", "cancel_message": "",
        "order_placement_source": "RETAIL_ADVANCED", "outstanding_hold_amount": plain(order.locked),
        "is_liquidation": False, "last_fill_time": _iso(order.updated_ms) if order.trades else None,
    }  # fmt: skip


def _fill_json(trade: FakeTrade) -> dict[str, Any]:
    return {
        "entry_id": str(trade.trade_id), "trade_id": str(trade.trade_id), "order_id": str(trade.order_id),
        "trade_time": _iso(trade.ts_ms), "trade_type": "FILL", "price": plain(trade.price),
        "size": plain(trade.quantity), "commission": plain(trade.fee), "product_id": _product_id(trade.symbol),
        "sequence_timestamp": _iso(trade.ts_ms), "liquidity_indicator": "MAKER" if trade.maker else "TAKER",
        "size_in_quote": False, "user_id": "fake-user", "side": trade.side.upper(),
    }  # fmt: skip


def currencies(state: ExchangeState, request: Request) -> Reply:
    return 200, {"data": [{"id": "USD", "name": "US Dollar", "min_size": "0.01"}]}


def crypto_currencies(state: ExchangeState, request: Request) -> Reply:
    assets = sorted({market.base for market in state.markets.values()} | {"USDT"})
    return 200, {"data": [{"code": asset, "name": asset, "color": "#000000", "sort_index": 1, "exponent": 8,
                           "type": "crypto", "address_regex": ".*"} for asset in assets]}  # fmt: skip


def exchange_rates(state: ExchangeState, request: Request) -> Reply:
    return 200, {"data": {"currency": "USD", "rates": {"USDT": "1", "BTC": "0.00003", "ETH": "0.0005"}}}


def products(state: ExchangeState, request: Request) -> Reply:
    listed = [_product_json(market) for market in state.markets.values()]
    return 200, {"products": listed, "num_products": len(listed)}


def transaction_summary(state: ExchangeState, request: Request) -> Reply:
    tier = {"pricing_tier": "Advanced 1", "usd_from": "0", "usd_to": "1000", "taker_fee_rate": "0.001",
            "maker_fee_rate": "0.001"}  # fmt: skip
    return 200, {"total_volume": 0, "total_fees": 0, "fee_tier": tier, "margin_rate": None}


def ticker(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.path.split("/")[-2]))
    bid, ask = market.spread()
    trade = {"trade_id": "1", "product_id": _product_id(market.symbol), "price": plain(market.last), "size": "0.1",
             "time": _iso(1_700_000_000_000), "side": "BUY", "bid": "", "ask": "", "exchange": "coinbase"}  # fmt: skip
    return 200, {"trades": [trade], "best_bid": plain(bid), "best_ask": plain(ask)}


def product_book(state: ExchangeState, request: Request) -> Reply:
    market = state.market(_symbol(state, request.param("product_id")))
    bid, ask = market.spread()
    levels = range(5)
    return 200, {"pricebook": {
        "product_id": _product_id(market.symbol), "time": _iso(1_700_000_000_000),
        "bids": [{"price": plain(bid - level * market.tick), "size": "1.5"} for level in levels],
        "asks": [{"price": plain(ask + level * market.tick), "size": "1.5"} for level in levels],
    }}  # fmt: skip


def accounts(state: ExchangeState, request: Request) -> Reply:
    rows = []
    for asset in sorted(set(state.free) | set(state.locked)):
        free, locked = state.free.get(asset, Decimal(0)), state.locked.get(asset, Decimal(0))
        rows.append({"uuid": f"acct-{asset}", "name": f"{asset} Wallet", "currency": asset,
                     "available_balance": {"value": plain(free), "currency": asset}, "default": True,
                     "active": True, "created_at": _iso(1_700_000_000_000), "updated_at": _iso(1_700_000_000_000),
                     "deleted_at": None, "type": "ACCOUNT_TYPE_CRYPTO", "ready": True,
                     "hold": {"value": plain(locked), "currency": asset}})  # fmt: skip
    return 200, {"accounts": rows, "has_next": False, "cursor": "", "size": len(rows)}


def create_order(state: ExchangeState, request: Request) -> Reply:
    form = json.loads(request.body)
    client_id = form.get("client_order_id", "")
    try:
        symbol = _symbol(state, form.get("product_id"))
        order = _place(state, symbol, form)
    except RejectError as error:
        title, message = _FAILURES.get(error.kind, ("UNKNOWN_FAILURE_REASON", error.message))
        failure = {"error": title, "message": message, "error_details": "", "preview_failure_reason": title}
        return 200, {"success": False, "failure_reason": "UNKNOWN_FAILURE_REASON", "order_id": "",
                     "error_response": failure}  # fmt: skip
    response = {"order_id": str(order.order_id), "product_id": form["product_id"], "side": form["side"],
                "client_order_id": client_id}  # fmt: skip
    return 200, {"success": True, "failure_reason": "UNKNOWN_FAILURE_REASON", "order_id": str(order.order_id),
                 "success_response": response, "order_configuration": form["order_configuration"]}  # fmt: skip


def _place(state: ExchangeState, symbol: str, form: dict[str, Any]) -> FakeOrder:
    side = form["side"].lower()
    configuration = form["order_configuration"]
    if "limit_limit_gtc" in configuration:
        limit = configuration["limit_limit_gtc"]
        return state.place(symbol, side, "limit", Decimal(limit["base_size"]), Decimal(limit["limit_price"]),
                           form.get("client_order_id", ""))  # fmt: skip
    market_ioc = configuration["market_market_ioc"]
    market = state.market(symbol)
    if "quote_size" in market_ioc:  # what a quote amount buys at the current price, on the lot step
        quantity = (Decimal(market_ioc["quote_size"]) / market.last / market.step).to_integral_value(ROUND_DOWN)
        size = quantity * market.step
    else:
        size = Decimal(market_ioc["base_size"])
    return state.place(symbol, side, "market", size, None, form.get("client_order_id", ""))


def historical_order(state: ExchangeState, request: Request) -> Reply:
    order = state.orders.get(int(request.path.rsplit("/", 1)[-1]))
    if order is None:
        return 404, {"error": "NOT_FOUND", "error_details": "order with this orderID was not found",
                     "message": "order with this orderID was not found"}  # fmt: skip
    return 200, {"order": _order_json(order)}


def historical_batch(state: ExchangeState, request: Request) -> Reply:
    wanted_status = request.query.get("order_status")
    wanted_product = request.param("product_id")
    listed = [
        _order_json(order)
        for order in sorted(state.orders.values(), key=lambda order: -order.order_id)
        if (wanted_status is None or _STATUS[order.status] == wanted_status or
            (wanted_status != "OPEN" and order.status != "open" and wanted_status in ("FILLED", "CANCELLED", "")))
        and (wanted_product is None or _product_id(order.symbol) == wanted_product)
    ]  # fmt: skip
    return 200, {"orders": listed, "sequence": "0", "has_next": False, "cursor": ""}


def batch_cancel(state: ExchangeState, request: Request) -> Reply:
    results = []
    for order_id in json.loads(request.body).get("order_ids", []):
        order = state.orders.get(int(order_id)) if str(order_id).isdigit() else None
        if order is None or order.status != "open":
            results.append({"success": False, "failure_reason": "UNKNOWN_CANCEL_ORDER", "order_id": str(order_id)})
            continue
        state.cancel(order)
        results.append({"success": True, "failure_reason": "UNKNOWN_CANCEL_FAILURE_REASON", "order_id": str(order_id)})
    return 200, {"results": results}


def fills(state: ExchangeState, request: Request) -> Reply:
    order_id = request.param("order_id")
    wanted = request.param("product_id")
    rows = [
        _fill_json(trade)
        for trade in reversed(state.trades)
        if (order_id is None or str(trade.order_id) == order_id)
        and (wanted is None or _product_id(trade.symbol) == wanted)
    ]
    return 200, {"fills": rows, "cursor": ""}


_ROUTES: dict[tuple[str, str], tuple[str, Handler, bool]] = {
    ("GET", "/v2/currencies"): ("currencies", currencies, False),
    ("GET", "/v2/currencies/crypto"): ("currencies", crypto_currencies, False),
    ("GET", "/v2/exchange-rates"): ("currencies", exchange_rates, False),
    ("GET", "/api/v3/brokerage/market/products"): ("markets", products, False),
    ("GET", "/api/v3/brokerage/transaction_summary"): ("markets", transaction_summary, True),
    ("GET", "/api/v3/brokerage/market/product_book"): ("order_book", product_book, False),
    ("GET", "/api/v3/brokerage/accounts"): ("balance", accounts, True),
    ("POST", "/api/v3/brokerage/orders"): ("create_order", create_order, True),
    ("GET", "/api/v3/brokerage/orders/historical/batch"): ("fetch_order", historical_batch, True),
    ("GET", "/api/v3/brokerage/orders/historical/fills"): ("my_trades", fills, True),
    ("POST", "/api/v3/brokerage/orders/batch_cancel"): ("cancel_order", batch_cancel, True),
}


class CoinbaseDialect:
    name = "coinbase"
    fees_in_quote = True

    def route(self, method: str, path: str) -> tuple[str, Handler, bool] | None:
        if (method, path) in _ROUTES:
            return _ROUTES[(method, path)]
        if method == "GET" and path.startswith("/api/v3/brokerage/market/products/") and path.endswith("/ticker"):
            return ("ticker", ticker, False)
        if method == "GET" and path.startswith("/api/v3/brokerage/orders/historical/"):
            return ("fetch_order", historical_order, True)
        return None

    def authenticate(self, request: Request, credentials: Credentials) -> Reply | None:
        headers = request.headers
        if headers.get("CB-ACCESS-KEY") != credentials.api_key:
            return 401, {"error": "authentication_error", "message": "invalid api key"}
        prehash = headers.get("CB-ACCESS-TIMESTAMP", "") + request.method + request.path + request.body
        expected = hmac.new(credentials.secret.encode(), prehash.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("CB-ACCESS-SIGN", ""), expected):
            return 401, {"error": "authentication_error", "message": "invalid signature"}
        return None

    def reject(self, error: RejectError) -> Reply:
        title, message = _FAILURES.get(error.kind, ("INVALID_ARGUMENT", error.message))
        return 400, {"error": title, "message": message, "error_details": message}

    def hidden_reply(self, request: Request) -> Reply:
        """A lagging query side: order listings come back empty."""
        if request.path.endswith("/historical/batch"):
            return 200, {"orders": [], "sequence": "0", "has_next": False, "cursor": ""}
        return 404, {"error": "NOT_FOUND", "message": "order with this orderID was not found"}

    def throttled(self) -> Reply:
        return 429, {"error": "rate_limit_exceeded", "message": "Too many requests"}


COINBASE = CoinbaseDialect()
