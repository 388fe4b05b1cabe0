"""Exchange order-book checksums (CRC32), computed from level text.

* **OKX** (``books`` channels): the best 25 bids and 25 asks, interleaved as
  ``bid_price:bid_size:ask_price:ask_size:...``; when one side runs out, the other side's
  remaining levels follow alone. The CRC32 is compared as a *signed* 32-bit integer. Prices
  and sizes are the venue's own text. OKX announced in 2026 that the field will be sent as 0
  once deprecated; a checksum of 0 from the venue must then be treated as "not provided".
* **Kraken** (WebSocket v1 and v2 ``book``): the best 10 asks (low to high) then the best 10
  bids (high to low); each price and size is written with the instrument's decimal places,
  the point removed and leading zeros stripped, and all are concatenated without separators.
  The CRC32 is compared as an *unsigned* 32-bit integer.

Both take ``(price_text, size_text)`` pairs so that a caller holding the venue's raw strings
can check them directly; ``OrderBook.checksum_okx``/``checksum_kraken`` render the pairs from
integer ticks.
"""

from __future__ import annotations

from collections.abc import Sequence
from zlib import crc32

OKX_DEPTH = 25
KRAKEN_DEPTH = 10


def okx_checksum_text(bids: Sequence[tuple[str, str]], asks: Sequence[tuple[str, str]]) -> int:
    """OKX's signed CRC32 of the best 25 levels per side (each side best first)."""
    bids, asks = bids[:OKX_DEPTH], asks[:OKX_DEPTH]
    parts: list[str] = []
    for index in range(max(len(bids), len(asks))):
        if index < len(bids):
            parts.extend(bids[index])
        if index < len(asks):
            parts.extend(asks[index])
    value = crc32(":".join(parts).encode())
    return value - (1 << 32) if value >= 1 << 31 else value


def kraken_digits(text: str) -> str:
    """A Kraken checksum field: the point removed and leading zeros stripped (``0.0500`` -> ``500``)."""
    return text.replace(".", "").lstrip("0")


def kraken_checksum_text(bids: Sequence[tuple[str, str]], asks: Sequence[tuple[str, str]]) -> int:
    """Kraken's unsigned CRC32 from the venue's price and size text (each side best first)."""
    return kraken_checksum_digits(
        [(kraken_digits(p), kraken_digits(s)) for p, s in bids[:KRAKEN_DEPTH]],
        [(kraken_digits(p), kraken_digits(s)) for p, s in asks[:KRAKEN_DEPTH]],
    )


def kraken_checksum_digits(bids: Sequence[tuple[str, str]], asks: Sequence[tuple[str, str]]) -> int:
    """Kraken's unsigned CRC32 from fields already reduced to digits (see ``kraken_digits``)."""
    text = "".join(p + s for p, s in asks[:KRAKEN_DEPTH]) + "".join(p + s for p, s in bids[:KRAKEN_DEPTH])
    return crc32(text.encode())
