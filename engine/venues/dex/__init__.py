"""Uniswap-V2-style DEX swaps on EVM chains as a venue: ``DexVenue.from_config(DexVenueConfig(...))``."""

from __future__ import annotations

from engine.venues.dex.adapter import DexVenue
from engine.venues.dex.config import ChainConfig, DexVenueConfig, TokenConfig
from engine.venues.dex.quotes import SwapQuote

__all__ = ["ChainConfig", "DexVenue", "DexVenueConfig", "SwapQuote", "TokenConfig"]
