"""Symbol normalisation: every way people and charting tools write a market, as ``BASE/QUOTE``.

``BTC/USDT``, ``btc/usdt``, ``BTCUSDT``, ``BINANCE:BTCUSDT``, ``BTCUSDT.P``, ``BTC-USDT`` and
``BTC_USDT`` all become ``BTC/USDT``. Concatenated forms are split at the longest known quote
suffix. This sits on the order hot path, so results are cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from engine.errors import GrammarError

QUOTE_ASSETS: tuple[str, ...] = (
    "USDT", "USDC", "BUSD", "FDUSD", "TUSD", "DAI", "USD", "EUR", "GBP", "TRY", "BTC", "ETH", "BNB",
)
MAX_SYMBOL_LENGTH = 30

_QUOTE_SET = frozenset(QUOTE_ASSETS)
_QUOTES_LONGEST_FIRST = tuple(sorted(QUOTE_ASSETS, key=len, reverse=True))
_ASSET = re.compile(r"[A-Z0-9]{1,20}")
_VENUE_PREFIX = re.compile(r"[A-Z0-9_]{1,20}")
_SEPARATOR = re.compile(r"[/\-_]")
# TradingView marks perpetual futures with ".P"; the market itself is the same pair.
_PERPETUAL_SUFFIXES = (".PERP", ".P")


def normalize_symbol(text: str, *, default_quote: str | None = None) -> str:
    """Return ``text`` as ``BASE/QUOTE`` in upper case, or raise ``GrammarError`` naming it.

    A bare asset such as ``BTC`` is accepted only when ``default_quote`` is given
    (``BTC`` -> ``BTC/USDT`` with ``default_quote="USDT"``).
    """
    return _normalize(text, default_quote)


def split_symbol(symbol: str) -> tuple[str, str]:
    """Return ``(base, quote)`` of any accepted spelling of a market."""
    return _split(symbol)


@lru_cache(maxsize=4096)
def _split(symbol: str) -> tuple[str, str]:
    base, _, quote = _normalize(symbol, None).partition("/")
    return base, quote


@lru_cache(maxsize=4096)
def _normalize(text: str, default_quote: str | None) -> str:
    candidate = text.strip()
    if not candidate:
        raise GrammarError("the symbol is empty; write it like BTC/USDT")
    if len(candidate) > MAX_SYMBOL_LENGTH:
        raise GrammarError(
            f"symbol `{candidate[:MAX_SYMBOL_LENGTH]}…` is too long (max {MAX_SYMBOL_LENGTH} characters)"
        )
    if not candidate.isascii():
        raise GrammarError(
            f"symbol `{candidate}` may only use letters A-Z and digits; write it like BTC/USDT"
        )
    market = _strip_decorations(candidate, candidate.upper())
    parts = _SEPARATOR.split(market)
    if len(parts) == 2:
        base, quote = parts
    elif len(parts) == 1:
        base, quote = _split_concatenated(candidate, market, default_quote)
    else:
        raise GrammarError(f"symbol `{candidate}` is not a market; write it like BTC/USDT")
    _check_pair(candidate, base, quote)
    return f"{base}/{quote}"


def _strip_decorations(original: str, market: str) -> str:
    """Drop a ``VENUE:`` prefix and a perpetual-futures suffix."""
    prefix, colon, rest = market.partition(":")
    if colon:
        if not _VENUE_PREFIX.fullmatch(prefix) or ":" in rest:
            raise GrammarError(
                f"symbol `{original}` has a malformed exchange prefix; write it like BINANCE:BTCUSDT"
            )
        market = rest
    for suffix in _PERPETUAL_SUFFIXES:
        if market.endswith(suffix):
            return market[: -len(suffix)]
    return market


def _split_concatenated(original: str, market: str, default_quote: str | None) -> tuple[str, str]:
    if market not in _QUOTE_SET:
        for quote in _QUOTES_LONGEST_FIRST:
            if len(market) > len(quote) and market.endswith(quote):
                return market[: -len(quote)], quote
    if default_quote is None:
        raise GrammarError(
            f"symbol `{original}` has no known quote currency; write it like BASE/QUOTE, e.g. BTC/USDT "
            f"(known quotes: {', '.join(QUOTE_ASSETS)})"
        )
    return market, default_quote.upper()


def _check_pair(original: str, base: str, quote: str) -> None:
    if not _ASSET.fullmatch(base):
        raise GrammarError(
            f"symbol `{original}` has an invalid base asset `{base}`; use letters and digits only"
        )
    if quote not in _QUOTE_SET:
        raise GrammarError(
            f"symbol `{original}` has an unknown quote currency `{quote}` "
            f"(known quotes: {', '.join(QUOTE_ASSETS)})"
        )
    if base == quote:
        raise GrammarError(f"symbol `{original}` trades `{base}` against itself")
