"""What differs between exchanges behind ccxt's unified API, in one table.

A profile holds the ccxt options that keep ``load_markets`` to spot markets (otherwise binance,
okx and bybit also call futures, margin and currency endpoints), the rules for client order ids
(length and alphabet differ per exchange) and the exchange-specific error codes that mean
"no such order" where ccxt raises a plain ``ExchangeError``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class ExchangeProfile:
    options: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    client_id_prefix: str = "th"
    client_id_length: int = 32
    # Substrings of an ExchangeError message that mean the order does not exist.
    order_not_found_markers: tuple[str, ...] = ()
    # Substrings of an InvalidOrder message that mean the client order id is already taken.
    duplicate_markers: tuple[str, ...] = ("Duplicate", "Duplicated", "duplicate")
    # How create_order, fetch_order and cancel_order name the client id, plus extra lookup params.
    create_key: str = "clientOrderId"
    lookup_key: str = "clientOrderId"
    lookup_extra: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    cancel_key: str = "clientOrderId"
    # Params for load_markets (kucoin asks for margin symbols unless told not to).
    load_markets_params: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # Order book depths the exchange accepts; the smallest one covering the request is used.
    order_book_depths: tuple[int, ...] = ()
    # No lookup by client id (kraken): search open, then closed orders for it instead.
    lookup_by_listing: bool = False
    # fetch_order_trades needs the order's trade ids passed in (kraken).
    order_trades_by_ids: bool = False
    # Market buys are sized in quote currency (coinbase): ccxt needs a price to convert the amount.
    market_buy_needs_price: bool = False
    # Orders are canceled by exchange order id only (coinbase): look the client id up first.
    cancel_by_lookup: bool = False

    def lookup_params(self, client_id: str) -> dict[str, Any]:
        return {**self.lookup_extra, self.lookup_key: client_id}

    def cancel_params(self, client_id: str) -> dict[str, Any]:
        return {self.cancel_key: client_id}


def _frozen(options: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(options)


PROFILES: dict[str, ExchangeProfile] = {
    "binance": ExchangeProfile(
        options=_frozen(
            {
                "fetchMarkets": {"types": ["spot"]},
                "fetchMargins": False,
                "fetchCurrencies": False,
                "warnOnFetchOpenOrdersWithoutSymbol": False,
                "defaultType": "spot",
            }
        ),
        client_id_length=32,
    ),
    "okx": ExchangeProfile(
        options=_frozen(
            {"fetchMarkets": {"types": ["spot"]}, "defaultType": "spot", "createOrder": "privatePostTradeOrder"}
        ),
        client_id_length=32,
        order_not_found_markers=('"51603"', "Order does not exist"),
    ),
    "bybit": ExchangeProfile(
        # A unified trading account: without these two options ccxt asks for them before each call.
        options=_frozen(
            {
                "fetchMarkets": {"types": ["spot"]},
                "defaultType": "spot",
                "enableUnifiedAccount": True,
                "enableUnifiedMargin": False,
            }
        ),
        client_id_length=36,
        lookup_key="orderLinkId",
        lookup_extra=_frozen({"acknowledged": True}),
        cancel_key="orderLinkId",
    ),
    # A classic (not unified, not high-frequency) spot account: ccxt otherwise asks for the mode first.
    "kucoin": ExchangeProfile(
        options=_frozen({"uta": False, "hf": False, "fetchMarkets": {"types": ["spot"], "fetchTickersFees": False}}),
        client_id_length=40,
        load_markets_params=_frozen({"marginables": False}),
        order_book_depths=(20, 100),
    ),
    "kraken": ExchangeProfile(
        client_id_length=18,
        order_not_found_markers=("EOrder:Unknown order",),
        lookup_by_listing=True,
        order_trades_by_ids=True,
    ),
    "coinbase": ExchangeProfile(
        options=_frozen({"fetchBalance": "v3PrivateGetBrokerageAccounts"}),
        client_id_length=32,
        create_key="client_order_id",  # ccxt ignores the unified clientOrderId here
        lookup_by_listing=True,
        market_buy_needs_price=True,
        cancel_by_lookup=True,
    ),
}

DEFAULT_PROFILE = ExchangeProfile()


def profile_for(exchange_id: str) -> ExchangeProfile:
    """The profile of ``exchange_id``; exchanges without one use ccxt's defaults."""
    return PROFILES.get(exchange_id, DEFAULT_PROFILE)
