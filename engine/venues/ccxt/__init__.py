"""ccxt exchanges as venues: ``CcxtVenue.from_config(CcxtVenueConfig("binance", ...))``."""

from __future__ import annotations

from engine.venues.ccxt.adapter import CcxtVenue
from engine.venues.ccxt.config import CcxtVenueConfig, Credentials, RetryPolicy
from engine.venues.ccxt.factory import build_exchange
from engine.venues.ccxt.orders import VenueOpenOrder
from engine.venues.ccxt.reconcile import Reconciliation, reconcile

__all__ = [
    "CcxtVenue",
    "CcxtVenueConfig",
    "Credentials",
    "Reconciliation",
    "RetryPolicy",
    "VenueOpenOrder",
    "build_exchange",
    "reconcile",
]
