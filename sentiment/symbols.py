"""Find which assets a post talks about: cashtags, tickers, names and aliases.

Cashtags (`$SOL`) always count. Upper-case tickers (`ETH`) count when the ticker is known.
Names and aliases ("ether", "bitcoin", "sol") count in any case, except aliases that are also
common English words ("link", "dot", "near"), which only count as cashtags or upper-case tickers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DEFAULT_ALIASES: Mapping[str, str] = {
    "bitcoin": "BTC", "btc": "BTC", "xbt": "BTC", "sats": "BTC",
    "ethereum": "ETH", "ether": "ETH", "eth": "ETH",
    "solana": "SOL", "sol": "SOL",
    "ripple": "XRP", "xrp": "XRP",
    "dogecoin": "DOGE", "doge": "DOGE",
    "cardano": "ADA", "ada": "ADA",
    "bnb": "BNB", "binance coin": "BNB",
    "avalanche": "AVAX", "avax": "AVAX",
    "chainlink": "LINK", "polkadot": "DOT", "litecoin": "LTC", "ltc": "LTC",
    "tron": "TRX", "trx": "TRX", "toncoin": "TON", "shiba inu": "SHIB", "shib": "SHIB",
    "pepe": "PEPE", "polygon": "POL", "matic": "POL", "arbitrum": "ARB", "optimism": "OP",
    "tether": "USDT", "usdt": "USDT", "usdc": "USDC",
}  # fmt: skip

# Tickers that are also everyday words: only `$LINK` or `LINK` in capitals counts.
AMBIGUOUS_TICKERS: frozenset[str] = frozenset(
    {"LINK", "DOT", "NEAR", "ONE", "GAS", "OP", "TON", "ATOM", "SAND", "APE", "GRT", "UNI", "CAKE", "SUN"}
)

_CASHTAG = re.compile(r"(?<![\w$])\$([A-Za-z][A-Za-z0-9]{1,9})\b")
_UPPER_WORD = re.compile(r"\b([A-Z][A-Z0-9]{1,9})\b")


@dataclass(frozen=True, slots=True)
class SymbolExtractor:
    """Extract symbols with a configurable alias table (lower-case alias -> symbol)."""

    aliases: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ALIASES))
    ambiguous: frozenset[str] = AMBIGUOUS_TICKERS

    def extract(self, text: str) -> tuple[str, ...]:
        """Symbols mentioned in `text`, sorted and unique."""
        found: set[str] = set()
        known = set(self.aliases.values()) | self.ambiguous
        for match in _CASHTAG.finditer(text):
            tag = match.group(1).upper()
            found.add(self.aliases.get(tag.lower(), tag))
        for match in _UPPER_WORD.finditer(text):
            word = match.group(1)
            if word in known:
                found.add(word)
            elif word.lower() in self.aliases:
                found.add(self.aliases[word.lower()])
        lower = text.lower()
        for alias, symbol in self.aliases.items():
            if symbol in found or alias not in lower:
                continue
            if re.search(rf"(?<![\w$]){re.escape(alias)}(?!\w)", lower):
                found.add(symbol)
        return tuple(sorted(found))


_DEFAULT = SymbolExtractor()


def extract_symbols(text: str, *, extra_aliases: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Symbols mentioned in `text` using the default alias table plus `extra_aliases`."""
    if not extra_aliases:
        return _DEFAULT.extract(text)
    aliases = dict(DEFAULT_ALIASES)
    aliases.update({alias.lower(): symbol.upper() for alias, symbol in extra_aliases.items()})
    return SymbolExtractor(aliases=aliases).extract(text)


def normalise_symbol(symbol: str) -> str:
    """`btc`, `$BTC`, `BTC/USDT` and `BINANCE:BTCUSDT` -> `BTC` (the base asset)."""
    cleaned = symbol.strip().upper().lstrip("$")
    if ":" in cleaned:
        cleaned = cleaned.split(":", 1)[1]
    if "/" in cleaned:
        return cleaned.split("/", 1)[0]
    for quote in ("USDT", "USDC", "USD", "BUSD", "EUR"):
        if cleaned.endswith(quote) and len(cleaned) > len(quote) + 1:
            return cleaned[: -len(quote)]
    return cleaned


def symbols_in(texts: Iterable[str]) -> set[str]:
    """All symbols mentioned across `texts`."""
    return {symbol for text in texts for symbol in extract_symbols(text)}
