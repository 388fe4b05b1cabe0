"""Uniswap-V2-style DEX swaps on EVM chains as a venue: ``DexVenue.from_config(DexVenueConfig(...))``.

The configuration and quote types are imported with the package; ``DexVenue`` (which imports web3
and eth-account, more than a second of start-up) only when first used, so a process with no wallet
configured never loads them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from engine.venues.dex.config import ChainConfig, DexVenueConfig, TokenConfig
from engine.venues.dex.quotes import SwapQuote

if TYPE_CHECKING:
    from engine.venues.dex.adapter import DexVenue

#: public name -> the submodule that defines it (and imports web3)
_LAZY = {"DexVenue": "engine.venues.dex.adapter"}

__all__ = ["ChainConfig", "DexVenue", "DexVenueConfig", "SwapQuote", "TokenConfig"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
