"""Uniswap-V2-style DEX swaps on EVM chains as a venue: ``DexVenue.from_config(DexVenueConfig(...))``.

The configuration and quote types are imported with the package; ``DexVenue`` (which imports web3
and eth-account, more than a second of start-up) only when first used, so a process with no wallet
configured never loads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.venues.dex.config import ChainConfig, DexVenueConfig, TokenConfig
from engine.venues.dex.quotes import SwapQuote
from engine.venues.lazy import lazy_exports

if TYPE_CHECKING:
    from engine.venues.dex.adapter import DexVenue

#: public name -> the submodule that defines it (and imports web3)
_LAZY = {"DexVenue": "engine.venues.dex.adapter"}

__all__ = ["ChainConfig", "DexVenue", "DexVenueConfig", "SwapQuote", "TokenConfig"]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
