"""ccxt exchanges as venues: ``CcxtVenue.from_config(CcxtVenueConfig("binance", ...))``.

The configuration types are imported with the package; ``CcxtVenue``, ``build_exchange`` and
``reconcile`` (which import ccxt, about a second of start-up) only when first used, so a process
with no exchange account configured never loads ccxt.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeGuard

from engine.venues.ccxt.config import CcxtVenueConfig, Credentials, RetryPolicy
from engine.venues.ccxt.orders import VenueOpenOrder
from engine.venues.lazy import lazy_exports

if TYPE_CHECKING:
    from engine.venues.ccxt.adapter import CcxtVenue
    from engine.venues.ccxt.factory import build_exchange
    from engine.venues.ccxt.reconcile import Reconciliation, reconcile

#: public name -> the submodule that defines it (and imports ccxt)
_LAZY = {
    "CcxtVenue": "engine.venues.ccxt.adapter",
    "build_exchange": "engine.venues.ccxt.factory",
    "Reconciliation": "engine.venues.ccxt.reconcile",
    "reconcile": "engine.venues.ccxt.reconcile",
}

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


def is_ccxt_venue(venue: object) -> TypeGuard[CcxtVenue]:
    """``isinstance(venue, CcxtVenue)`` without importing ccxt: no instance exists before the adapter is loaded."""
    adapter = sys.modules.get("engine.venues.ccxt.adapter")
    return adapter is not None and isinstance(venue, adapter.CcxtVenue)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)


class _Package(ModuleType):
    """Keeps ``engine.venues.ccxt.reconcile`` the function: importing the submodule of the same name
    would otherwise set the package's attribute to the module (the import system does so after loading
    a submodule), as it could not while this package imported the submodule eagerly."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "reconcile" and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
