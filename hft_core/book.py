"""L2 order book: price levels per side, built from a snapshot plus deltas.

Representation (chosen for speed in pure Python):

* each side is a ``dict`` of price ticks -> size lots (O(1) set and delete);
* the best price of each side is cached in a plain attribute (``best_bid_ticks``,
  ``best_ask_ticks``), so reading the top of the book is one attribute load;
* a ``heapq`` of the side's prices (negated for bids) finds the next best price when the best
  level is deleted. Deleting any other level leaves a stale entry in the heap that is skipped
  when it surfaces; the heap is rebuilt from the dict when stale entries outnumber live ones.

An empty side reads as the sentinels ``NO_BID`` / ``NO_ASK`` in the tick attributes and as
``None`` in the ``Decimal`` accessors. Prices and sizes are integer ticks and lots of the
book's ``TickScale``; the ``*_decimal`` methods convert venue text or ``Decimal`` at the edge.
A new book is ``stale`` (not synchronised) until its first snapshot.

Sequencing: ``apply_delta``/``apply_deltas`` accept the venue's sequence number. A sequence
that does not follow the last one applied (or, when given, a ``prev_sequence`` that does not
match it) is a gap: the book is marked ``stale`` and ignores deltas until the next snapshot.
A sequence at or below the last one applied is a replay and is ignored without marking.
``set_bid``/``set_ask`` are the raw, unsequenced mutators for callers that sequence themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from heapq import heapify, heappop, heappush, nlargest, nsmallest

from hft_core.checksum import kraken_checksum_digits, okx_checksum_text
from hft_core.scale import TickScale

NO_BID = -(1 << 62)
NO_ASK = 1 << 62
BID = 0
ASK = 1

Level = tuple[int, int]
Delta = tuple[int, int, int]


class OrderBook:
    """An L2 book for one symbol on integer ticks and lots (see ``hft_core.scale``)."""

    __slots__ = (
        "_ask_heap",
        "_asks",
        "_bid_heap",
        "_bids",
        "best_ask_ticks",
        "best_bid_ticks",
        "scale",
        "sequence",
        "stale",
        "symbol",
    )

    def __init__(self, symbol: str, scale: TickScale) -> None:
        self.symbol = symbol
        self.scale = scale
        self._bids: dict[int, int] = {}
        self._asks: dict[int, int] = {}
        self._bid_heap: list[int] = []
        self._ask_heap: list[int] = []
        self.best_bid_ticks = NO_BID
        self.best_ask_ticks = NO_ASK
        self.sequence: int | None = None
        self.stale = True

    # ----------------------------------------------------------------- snapshot and deltas
    def apply_snapshot(self, bids: Iterable[Level], asks: Iterable[Level], *, sequence: int | None = None) -> None:
        """Replace the whole book with ``(ticks, lots)`` levels; clears ``stale``."""
        bid_levels, ask_levels = list(bids), list(asks)
        if any(size < 0 for _, size in bid_levels) or any(size < 0 for _, size in ask_levels):
            raise ValueError("negative size in snapshot")
        self._bids = {price: size for price, size in bid_levels if size > 0}
        self._asks = {price: size for price, size in ask_levels if size > 0}
        self._bid_heap = [-price for price in self._bids]
        self._ask_heap = list(self._asks)
        heapify(self._bid_heap)
        heapify(self._ask_heap)
        self.best_bid_ticks = max(self._bids, default=NO_BID)
        self.best_ask_ticks = min(self._asks, default=NO_ASK)
        self.sequence = sequence
        self.stale = False

    def apply_snapshot_decimal(
        self,
        bids: Iterable[tuple[Decimal | str, Decimal | str]],
        asks: Iterable[tuple[Decimal | str, Decimal | str]],
        *,
        sequence: int | None = None,
    ) -> None:
        """``apply_snapshot`` from venue values (``Decimal`` or text), converted with ``scale``."""
        to_ticks, to_lots = self.scale.to_ticks, self.scale.to_lots
        self.apply_snapshot(
            [(to_ticks(p), to_lots(s)) for p, s in bids],
            [(to_ticks(p), to_lots(s)) for p, s in asks],
            sequence=sequence,
        )

    def set_bid(self, price: int, size: int) -> None:
        """Set the bid level at ``price`` ticks to ``size`` lots; size 0 deletes the level."""
        levels = self._bids
        if size > 0:
            if price not in levels:
                heappush(self._bid_heap, -price)
                if price > self.best_bid_ticks:
                    self.best_bid_ticks = price
            levels[price] = size
        elif size == 0:
            if levels.pop(price, None) is not None and price == self.best_bid_ticks:
                self._next_best_bid()
        else:
            raise ValueError(f"negative size {size}")

    def set_ask(self, price: int, size: int) -> None:
        """Set the ask level at ``price`` ticks to ``size`` lots; size 0 deletes the level."""
        levels = self._asks
        if size > 0:
            if price not in levels:
                heappush(self._ask_heap, price)
                if price < self.best_ask_ticks:
                    self.best_ask_ticks = price
            levels[price] = size
        elif size == 0:
            if levels.pop(price, None) is not None and price == self.best_ask_ticks:
                self._next_best_ask()
        else:
            raise ValueError(f"negative size {size}")

    def apply_delta(self, side: int, price: int, size: int, sequence: int | None = None) -> bool:
        """Apply one level change (``side`` is ``BID`` or ``ASK``); return False if it was not applied.

        The body repeats ``set_bid``/``set_ask`` inline: one call per delta instead of two is a
        third of the cost on this path.
        """
        if sequence is not None and not self._accept(sequence, None):
            return False
        if size < 0:
            raise ValueError(f"negative size {size}")
        if side:
            levels = self._asks
            if size:
                if price not in levels:
                    heappush(self._ask_heap, price)
                    if price < self.best_ask_ticks:
                        self.best_ask_ticks = price
                levels[price] = size
            elif levels.pop(price, None) is not None and price == self.best_ask_ticks:
                self._next_best_ask()
        else:
            levels = self._bids
            if size:
                if price not in levels:
                    heappush(self._bid_heap, -price)
                    if price > self.best_bid_ticks:
                        self.best_bid_ticks = price
                levels[price] = size
            elif levels.pop(price, None) is not None and price == self.best_bid_ticks:
                self._next_best_bid()
        return True

    def apply_deltas(
        self, deltas: Iterable[Delta], *, sequence: int | None = None, prev_sequence: int | None = None
    ) -> bool:
        """Apply one venue message of ``(side, ticks, lots)`` changes under one sequence number.

        Only the last change per price matters to an L2 book, so the message is folded into one
        final size per price (C-level dict building) and merged into each side at once.
        """
        if sequence is not None and not self._accept(sequence, prev_sequence):
            return False
        if not isinstance(deltas, list | tuple):
            deltas = list(deltas)
        if len(deltas) <= 4:  # folding costs more than it saves on a short message
            apply = self.apply_delta
            for side, price, size in deltas:
                apply(side, price, size)
            return True
        bid_changes = {price: size for side, price, size in deltas if not side}
        ask_changes = {price: size for side, price, size in deltas if side}
        if bid_changes:
            self._merge_bids(bid_changes)
        if ask_changes:
            self._merge_asks(ask_changes)
        return True

    def _merge_bids(self, changes: dict[int, int]) -> None:
        if min(changes.values()) < 0:
            raise ValueError("negative size in deltas")
        levels, heap = self._bids, self._bid_heap
        added = [price for price in changes.keys() - levels.keys() if changes[price]]
        levels.update(changes)
        removed = [price for price, size in changes.items() if not size]
        for price in removed:
            del levels[price]
        for price in added:
            heappush(heap, -price)
        best = self.best_bid_ticks
        if added and max(added) > best:
            self.best_bid_ticks = max(added)
        elif best not in levels:
            self._next_best_bid()

    def _merge_asks(self, changes: dict[int, int]) -> None:
        if min(changes.values()) < 0:
            raise ValueError("negative size in deltas")
        levels, heap = self._asks, self._ask_heap
        added = [price for price in changes.keys() - levels.keys() if changes[price]]
        levels.update(changes)
        removed = [price for price, size in changes.items() if not size]
        for price in removed:
            del levels[price]
        for price in added:
            heappush(heap, price)
        best = self.best_ask_ticks
        if added and min(added) < best:
            self.best_ask_ticks = min(added)
        elif best not in levels:
            self._next_best_ask()

    def apply_deltas_decimal(
        self,
        deltas: Iterable[tuple[int, Decimal | str, Decimal | str]],
        *,
        sequence: int | None = None,
        prev_sequence: int | None = None,
    ) -> bool:
        """``apply_deltas`` from venue values (``Decimal`` or text), converted with ``scale``."""
        to_ticks, to_lots = self.scale.to_ticks, self.scale.to_lots
        converted = [(side, to_ticks(price), to_lots(size)) for side, price, size in deltas]
        return self.apply_deltas(converted, sequence=sequence, prev_sequence=prev_sequence)

    def _accept(self, sequence: int, prev_sequence: int | None) -> bool:
        if self.stale:
            return False
        last = self.sequence
        if last is not None:
            if sequence <= last:
                return False
            gap = prev_sequence != last if prev_sequence is not None else sequence != last + 1
            if gap:
                self.stale = True
                return False
        self.sequence = sequence
        return True

    def truncate(self, depth: int) -> None:
        """Keep only the best ``depth`` levels per side (venues stop sending levels out of scope)."""
        for price, _ in self.bids(len(self._bids))[depth:]:
            self.set_bid(price, 0)
        for price, _ in self.asks(len(self._asks))[depth:]:
            self.set_ask(price, 0)

    def _next_best_bid(self) -> None:
        heap, levels = self._bid_heap, self._bids
        while heap and -heap[0] not in levels:
            heappop(heap)
        self.best_bid_ticks = -heap[0] if heap else NO_BID
        if len(heap) > 2 * len(levels) + 64:
            self._bid_heap = [-price for price in levels]
            heapify(self._bid_heap)

    def _next_best_ask(self) -> None:
        heap, levels = self._ask_heap, self._asks
        while heap and heap[0] not in levels:
            heappop(heap)
        self.best_ask_ticks = heap[0] if heap else NO_ASK
        if len(heap) > 2 * len(levels) + 64:
            self._ask_heap = list(levels)
            heapify(self._ask_heap)

    # ----------------------------------------------------------------------------- reads
    def bid_size(self, price: int) -> int:
        """Lots resting at bid ``price`` ticks (0 when there is no level)."""
        return self._bids.get(price, 0)

    def ask_size(self, price: int) -> int:
        """Lots resting at ask ``price`` ticks (0 when there is no level)."""
        return self._asks.get(price, 0)

    def bids(self, depth: int) -> list[Level]:
        """The best ``depth`` bid levels as ``(ticks, lots)``, best first."""
        return [(price, self._bids[price]) for price in nlargest(depth, self._bids)]

    def asks(self, depth: int) -> list[Level]:
        """The best ``depth`` ask levels as ``(ticks, lots)``, best first."""
        return [(price, self._asks[price]) for price in nsmallest(depth, self._asks)]

    @property
    def bid_levels(self) -> int:
        return len(self._bids)

    @property
    def ask_levels(self) -> int:
        return len(self._asks)

    @property
    def is_crossed(self) -> bool:
        """True when the best bid is at or above the best ask (a desynchronised or locked book)."""
        return self.best_bid_ticks >= self.best_ask_ticks

    def best_bid(self) -> Decimal | None:
        """The best bid price, or None when there are no bids."""
        ticks = self.best_bid_ticks
        return None if ticks == NO_BID else self.scale.price(ticks)

    def best_ask(self) -> Decimal | None:
        """The best ask price, or None when there are no asks."""
        ticks = self.best_ask_ticks
        return None if ticks == NO_ASK else self.scale.price(ticks)

    def spread(self) -> Decimal | None:
        """Best ask minus best bid, or None when either side is empty."""
        if self.best_bid_ticks == NO_BID or self.best_ask_ticks == NO_ASK:
            return None
        return self.scale.price(self.best_ask_ticks - self.best_bid_ticks)

    def mid(self) -> Decimal | None:
        """The midpoint of best bid and best ask, or None when either side is empty."""
        if self.best_bid_ticks == NO_BID or self.best_ask_ticks == NO_ASK:
            return None
        return self.scale.price(self.best_bid_ticks + self.best_ask_ticks) / 2

    def vwap_to_fill(self, side: int, size: int) -> tuple[Decimal | None, Decimal]:
        """Average price and filled size of a taker order of ``size`` lots on ``side``.

        A ``BID`` (buy) walks the asks from the best; an ``ASK`` (sell) walks the bids. When the
        book is too thin, the filled size is less than asked; the price is None if nothing fills.
        """
        if size <= 0:
            raise ValueError("size must be positive")
        levels = self._asks if side == BID else self._bids
        ordered = sorted(levels, reverse=side != BID)
        remaining, notional = size, 0
        for price in ordered:
            take = min(remaining, levels[price])
            notional += take * price
            remaining -= take
            if remaining == 0:
                break
        filled = size - remaining
        if filled == 0:
            return None, Decimal(0)
        average = self.scale.price(1) * Decimal(notional) / Decimal(filled)
        return average, self.scale.size(filled)

    def imbalance(self, depth: int = 1) -> float | None:
        """(bid volume - ask volume) / (bid volume + ask volume) over the best ``depth`` levels.

        In [-1, 1]: positive means more resting demand than supply. None when the book is empty.
        """
        bid_volume = sum(size for _, size in self.bids(depth))
        ask_volume = sum(size for _, size in self.asks(depth))
        total = bid_volume + ask_volume
        return None if total == 0 else (bid_volume - ask_volume) / total

    # ------------------------------------------------------------------------- checksums
    def checksum_okx(self) -> int:
        """OKX's signed CRC32 over the best 25 levels, with prices and sizes in their shortest text."""
        scale = self.scale
        bids = [(scale.price_text(p), scale.size_text(s)) for p, s in self.bids(25)]
        asks = [(scale.price_text(p), scale.size_text(s)) for p, s in self.asks(25)]
        return okx_checksum_text(bids, asks)

    def checksum_kraken(self) -> int:
        """Kraken's unsigned CRC32 over the best 10 levels, at the scale's ``price_places``/``size_places``."""
        scale = self.scale
        asks = [(scale.price_digits(p), scale.size_digits(s)) for p, s in self.asks(10)]
        bids = [(scale.price_digits(p), scale.size_digits(s)) for p, s in self.bids(10)]
        return kraken_checksum_digits(bids, asks)
