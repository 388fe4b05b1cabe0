"""Deliberately simple reference implementations the fast hft_core code is checked against.

Written for obviousness, not speed: a book is two plain dicts searched with max/min, and the
matching engine is a list of resting orders re-sorted on every step. Fill-or-kill is done by
trying the order on a deep copy and keeping the result only if it filled completely.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field


class ReferenceBook:
    def __init__(self) -> None:
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}

    def apply(self, side: int, price: int, size: int) -> None:
        levels = self.bids if side == 0 else self.asks
        if size == 0:
            levels.pop(price, None)
        else:
            levels[price] = size

    def best_bid(self) -> int | None:
        return max(self.bids) if self.bids else None

    def best_ask(self) -> int | None:
        return min(self.asks) if self.asks else None

    def bids_sorted(self) -> list[tuple[int, int]]:
        return sorted(self.bids.items(), reverse=True)

    def asks_sorted(self) -> list[tuple[int, int]]:
        return sorted(self.asks.items())


@dataclass
class RefOrder:
    order_id: str
    side: int  # 0 buy, 1 sell
    price: int | None
    remaining: int
    owner: str | None
    time: int
    status: str = "new"
    post_only: bool = False


@dataclass
class ReferenceEngine:
    """Price-time matching with the same rules as ``MatchingEngine`` (no L2 book)."""

    stp: str = "cancel_taker"  # cancel_taker | cancel_maker | cancel_both
    resting: list[RefOrder] = field(default_factory=list)
    clock: int = 0
    book: ReferenceBook | None = None  # an L2 book whose levels queue ahead of resting orders

    def _liquidity(self, side: int) -> list[RefOrder]:
        """Resting orders of ``side`` plus the L2 book's levels as owner-less orders at time -1."""
        found = [o for o in self.resting if o.side == side]
        if self.book is not None:
            levels = self.book.bids if side == 0 else self.book.asks
            found += [RefOrder(None, side, price, size, None, -1) for price, size in levels.items()]  # type: ignore[arg-type]
        return found

    def _crossing(self, order: RefOrder) -> list[RefOrder]:
        if order.side == 0:
            found = [o for o in self._liquidity(1) if order.price is None or o.price <= order.price]
            return sorted(found, key=lambda o: (o.price, o.time))
        found = [o for o in self._liquidity(0) if order.price is None or o.price >= order.price]
        return sorted(found, key=lambda o: (-o.price, o.time))

    def submit(
        self, order: RefOrder, *, tif: str = "gtc", post_only: bool = False
    ) -> list[tuple[str, str, int, int, int]]:
        if post_only and self._crossing(order):
            order.status = "rejected"
            return []
        if tif == "fok":
            trial = copy.deepcopy(self)
            trial_order = copy.deepcopy(order)
            trial._match(trial_order)
            if trial_order.remaining:
                order.status = "canceled"
                return []
        trades = self._match(order)
        if order.remaining == 0:
            order.status = "filled"
        elif order.status == "canceled":
            pass
        elif order.price is None or tif != "gtc":
            order.status = "canceled"
        else:
            self.clock += 1
            order.time = self.clock
            order.status = "open"
            self.resting.append(order)
        return trades

    def _match(self, order: RefOrder) -> list[tuple[str, str, int, int, int]]:
        trades = []
        while order.remaining:
            candidates = self._crossing(order)
            if not candidates:
                break
            maker = candidates[0]
            if order.owner is not None and maker.owner == order.owner:
                if self.stp in ("cancel_maker", "cancel_both"):
                    self.resting.remove(maker)
                    maker.status = "canceled"
                if self.stp == "cancel_maker":
                    continue
                order.status = "canceled"
                break
            quantity = min(order.remaining, maker.remaining)
            trades.append((order.order_id, maker.order_id, order.side, maker.price, quantity))
            order.remaining -= quantity
            maker.remaining -= quantity
            if maker.order_id is None:  # an L2 level: consume it
                assert self.book is not None
                self.book.apply(maker.side, maker.price, maker.remaining)
            elif maker.remaining == 0:
                self.resting.remove(maker)
                maker.status = "filled"
        return trades

    def match_book(self) -> list[tuple[str | None, str, int, int, int]]:
        """Resting orders the L2 book now crosses fill at their own price, best first, bids then asks."""
        assert self.book is not None
        trades = []
        for side in (0, 1):
            while True:
                own = sorted(
                    (o for o in self.resting if o.side == side),
                    key=lambda o: (-o.price if side == 0 else o.price, o.time),
                )
                best = self.book.best_ask() if side == 0 else self.book.best_bid()
                if not own or best is None or (best > own[0].price if side == 0 else best < own[0].price):
                    break
                maker = own[0]
                levels = self.book.asks if side == 0 else self.book.bids
                quantity = min(levels[best], maker.remaining)
                self.book.apply(1 - side, best, levels[best] - quantity)
                trades.append((None, maker.order_id, 1 - side, maker.price, quantity))
                maker.remaining -= quantity
                if maker.remaining == 0:
                    self.resting.remove(maker)
                    maker.status = "filled"
        return trades

    def cancel(self, order_id: str) -> bool:
        for order in self.resting:
            if order.order_id == order_id:
                self.resting.remove(order)
                order.status = "canceled"
                return True
        return False

    def amend(self, order_id: str, quantity: int, price: int | None) -> list[tuple[str, str, int, int, int]]:
        order = next(o for o in self.resting if o.order_id == order_id)
        if quantity == 0:
            self.cancel(order_id)
            return []
        if price is not None and price != order.price:
            self.resting.remove(order)
            order.price = price
            order.remaining = quantity
            return self.submit(order, post_only=order.post_only)
        if quantity > order.remaining:
            self.clock += 1
            order.time = self.clock
        order.remaining = quantity
        return []

    def levels(self, side: int) -> list[tuple[int, list[tuple[str, int]]]]:
        """Each price level, best first, with its orders in time priority."""
        own = [o for o in self.resting if o.side == side]
        prices = sorted({o.price for o in own}, reverse=side == 0)
        return [
            (p, [(o.order_id, o.remaining) for o in sorted(own, key=lambda o: o.time) if o.price == p]) for p in prices
        ]
