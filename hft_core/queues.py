"""Resting orders of one side of a matching engine: price levels of FIFO queues.

Levels are keyed by a *signed* price (asks by price, bids by minus price), so the best level
of either side is the smallest key and one matching loop serves both sides. The best key is
cached in ``best``; a ``heapq`` of keys finds the next one when the best level empties
(stale keys are skipped when they surface, and the heap is rebuilt when they outnumber the
live ones).

Each level is a plain ``dict`` of order id -> order. Dicts keep insertion order, so a level
is a FIFO queue with O(1) append and O(1) removal from anywhere in it, and is cheaper to
build and to delete from than an ``OrderedDict``. The catch: a dict does not reclaim deleted
slots until it grows, and iteration walks over them. ``compact_if_worn`` copies a deep level
once as many orders have left it as remain, which keeps matching O(1) amortised.
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush

from hft_core.book import NO_ASK
from hft_core.orders import Order

EMPTY = NO_ASK  # key of an empty side: above every real key
COMPACT_ABOVE = 64  # levels shallower than this are never copied: their slots are reused soon


class SideQueues:
    """Resting orders of one side, keyed by signed price (best = smallest key)."""

    __slots__ = ("best", "heap", "levels", "sign", "worn")

    def __init__(self, sign: int) -> None:
        self.sign = sign
        self.levels: dict[int, dict[str, Order]] = {}
        self.heap: list[int] = []
        self.best = EMPTY
        self.worn: dict[int, int] = {}  # deep levels: orders removed from the front since the last copy

    def add(self, key: int, order: Order) -> None:
        queue = self.levels.get(key)
        if queue is None:
            queue = self.levels[key] = {}
            heappush(self.heap, key)
            if key < self.best:
                self.best = key
        queue[order.order_id] = order

    def remove(self, key: int, order_id: str) -> None:
        queue = self.levels[key]
        del queue[order_id]
        if not queue:
            del self.levels[key]
            if self.worn:
                self.worn.pop(key, None)
            if key == self.best:
                self.next_best()
        elif len(queue) > COMPACT_ABOVE:
            self.compact_if_worn(key, 1)

    def compact_if_worn(self, key: int, removed: int) -> None:
        """Rebuild a deep level's dict once as many orders left its front as remain in it.

        A dict does not reclaim the slots of deleted entries until it grows, and iteration
        walks over them: a deep level consumed from the front by many small orders would
        otherwise cost O(n) per match. Copying after n removals keeps that O(1) amortised.
        """
        worn = self.worn.get(key, 0) + removed
        queue = self.levels[key]
        if worn > len(queue):
            self.levels[key] = dict(queue)
            self.worn.pop(key, None)
        else:
            self.worn[key] = worn

    def next_best(self) -> None:
        heap, levels = self.heap, self.levels
        while heap and heap[0] not in levels:
            heappop(heap)
        self.best = heap[0] if heap else EMPTY
        if len(heap) > 2 * len(levels) + 64:
            self.heap = list(levels)
            heapify(self.heap)
