"""Price-time priority matching engine for one instrument, optionally against an L2 book.

Public API (all quantities in lots, prices in ticks of the engine's ``TickScale``):

* ``submit(order) -> list[Trade]``: limit (GTC, IOC, FOK, post-only) or market order. The
  order's ``status``, ``remaining`` and ``reason`` tell the outcome: ``OPEN``/
  ``PARTIALLY_FILLED`` (resting), ``FILLED``, ``CANCELED`` (IOC/market remainder, FOK not
  fillable, self-trade prevention) or ``REJECTED`` (post-only that would take, bad order).
* ``cancel(order_id) -> Order | None``: the canceled order, or None if it was not resting.
* ``amend(order_id, *, quantity=None, price=None) -> list[Trade]``: ``quantity`` is the new
  *remaining* size (0 cancels). Reducing it keeps the order's place in the queue; increasing
  it moves the order to the back of its level; a new price re-enters the order as if newly
  submitted: it may trade, and a post-only order that would take is rejected and removed.
* ``match_book() -> list[Trade]``: after the L2 book moved, fill resting orders the market
  now crosses, at their own limit price (they are makers).

With an L2 ``book`` (the paper venue's replica of a real venue), the book's levels are
liquidity ahead of every resting order at the same price: they were there first. Taking it
reduces the book's levels, as a real taker would, until the venue's next update resets them.
Trades against the book have ``None`` as the book side's order id.

Internals, for speed: the resting orders of each side live in a ``SideQueues``
(``hft_core.queues``), keyed by a *signed* price so that one matching loop serves both sides.
Hot paths inline a few of its operations; they say so where they do.
"""

from __future__ import annotations

from heapq import heappush

from hft_core.book import OrderBook
from hft_core.orders import (
    Order,
    OrderStatus,
    SelfTradePrevention,
    Side,
    TimeInForce,
    Trade,
)
from hft_core.queues import COMPACT_ABOVE, EMPTY, SideQueues
from hft_core.scale import TickScale

_NO_LIMIT = EMPTY - 1  # a market order's limit key: crosses every real level

# Enum members bound to module names: a class attribute lookup on an Enum costs ~200 ns on
# Python 3.11, a module global ~25 ns, and these are read on every order.
_BUY = Side.BUY
_SELL = Side.SELL
_GTC = TimeInForce.GTC
_FOK = TimeInForce.FOK
_NEW = OrderStatus.NEW
_OPEN = OrderStatus.OPEN
_PARTIAL = OrderStatus.PARTIALLY_FILLED
_FILLED = OrderStatus.FILLED
_CANCELED = OrderStatus.CANCELED
_REJECTED = OrderStatus.REJECTED


class DuplicateOrderError(ValueError):
    """An order id that is already resting was submitted again."""


class MatchingEngine:
    """Matches orders for one instrument; see the module docstring for the API."""

    def __init__(
        self,
        scale: TickScale,
        *,
        book: OrderBook | None = None,
        self_trade: SelfTradePrevention = SelfTradePrevention.CANCEL_TAKER,
    ) -> None:
        self.scale = scale
        self.book = book
        self.self_trade = self_trade
        self._bids = SideQueues(-1)
        self._asks = SideQueues(1)
        self._orders: dict[str, Order] = {}

    # ----------------------------------------------------------------------------- reads
    def order(self, order_id: str) -> Order | None:
        """The resting order with this id, or None."""
        return self._orders.get(order_id)

    def __len__(self) -> int:
        return len(self._orders)

    def best_bid(self) -> int | None:
        """Best resting bid in ticks (the engine's own orders, not the L2 book)."""
        best = self._bids.best
        return None if best == EMPTY else -best

    def best_ask(self) -> int | None:
        """Best resting ask in ticks (the engine's own orders, not the L2 book)."""
        best = self._asks.best
        return None if best == EMPTY else best

    def depth(self, side: Side) -> list[tuple[int, int]]:
        """All resting levels of ``side`` as ``(ticks, total lots)``, best first."""
        book_side = self._bids if side == _BUY else self._asks
        return [
            (key * book_side.sign, sum(order.remaining for order in book_side.levels[key].values()))
            for key in sorted(book_side.levels)
        ]

    def queue(self, side: Side, price: int) -> list[Order]:
        """The resting orders at one price, in time priority."""
        book_side = self._bids if side == _BUY else self._asks
        level = book_side.levels.get(price * book_side.sign)
        return [] if level is None else list(level.values())

    # ---------------------------------------------------------------------------- submit
    def submit(self, order: Order) -> list[Trade]:
        """Match ``order`` and rest any remainder a GTC limit order keeps; return its trades."""
        order_id, price, remaining, orders = order.order_id, order.price, order.remaining, self._orders
        if order_id in orders:
            raise DuplicateOrderError(order_id)
        if remaining <= 0 or (price is not None and price <= 0):
            return self._finish(order, _REJECTED, "quantity and price must be positive")
        if order.side == _BUY:
            own, opposite = self._bids, self._asks
            limit_key = _NO_LIMIT if price is None else price
        else:
            own, opposite = self._asks, self._bids
            limit_key = _NO_LIMIT if price is None else -price
        best = opposite.best
        if self.book is not None:
            best = min(best, self._book_best(opposite))
        tif = order.tif
        if best <= limit_key:
            if order.post_only:
                return self._finish(order, _REJECTED, "post-only order would take liquidity")
            if tif == _FOK and self._fillable(order, opposite, limit_key) < remaining:
                return self._finish(order, _CANCELED, "fill-or-kill order cannot fill completely")
            order.status = _NEW  # _take marks CANCELED on self-trade prevention; start clean
            trades = self._take(order, opposite, limit_key)
            remaining = order.remaining
            if not remaining:
                order.status = _FILLED
                return trades
            if order.status == _CANCELED:  # self-trade prevention canceled the remainder
                return trades
        elif tif == _FOK:
            return self._finish(order, _CANCELED, "fill-or-kill order cannot fill completely")
        else:
            trades = []
        if price is None or tif != _GTC:
            order.status = _CANCELED
            order.reason = "unfilled remainder of an immediate order"
            return trades
        order.status = _PARTIAL if remaining < order.quantity else _OPEN
        key = price * own.sign
        queue = own.levels.get(key)
        if queue is None:  # own.add(key, order), inlined: this is the commonest path
            queue = own.levels[key] = {}
            heappush(own.heap, key)
            if key < own.best:
                own.best = key
        queue[order_id] = order
        orders[order_id] = order
        return trades

    @staticmethod
    def _finish(order: Order, status: OrderStatus, reason: str) -> list[Trade]:
        order.status = status
        order.reason = reason
        return []

    def _book_best(self, opposite: SideQueues) -> int:
        """The L2 book's best price on the opposite side as a key (EMPTY without a book)."""
        book = self.book
        if book is None:
            return EMPTY
        return book.best_ask_ticks if opposite.sign == 1 else -book.best_bid_ticks

    def _take(self, order: Order, opposite: SideQueues, limit_key: int) -> list[Trade]:
        trades: list[Trade] = []
        append = trades.append
        levels, orders, scale = opposite.levels, self._orders, self.scale
        side, taker_id, owner, sign = order.side, order.order_id, order.owner, opposite.sign
        remaining = order.remaining
        book = self.book
        while remaining:
            key = opposite.best
            if book is not None:
                book_key = book.best_ask_ticks if sign == 1 else -book.best_bid_ticks
                if book_key <= key and book_key <= limit_key:
                    remaining = self._take_book(order, remaining, book_key * sign, trades)
                    continue
            if key > limit_key:
                break
            # Walk one level's queue in time order; fully filled makers are removed afterwards
            # (a dict cannot change size while it is iterated).
            queue, price, done, blocked = levels[key], key * sign, [], None
            for maker in queue.values():
                if owner is not None and maker.owner == owner:
                    blocked = maker
                    break
                available = maker.remaining
                if remaining < available:
                    append(Trade(taker_id, maker.order_id, side, price, remaining, scale))
                    maker.remaining = available - remaining
                    maker.status = _PARTIAL
                    remaining = 0
                    break
                append(Trade(taker_id, maker.order_id, side, price, available, scale))
                remaining -= available
                maker.remaining = 0
                maker.status = _FILLED
                done.append(maker.order_id)
                if not remaining:
                    break
            for maker_id in done:
                del queue[maker_id]
                del orders[maker_id]
            if not queue:
                del levels[key]
                if opposite.worn:
                    opposite.worn.pop(key, None)
                opposite.next_best()
            elif done and len(queue) > COMPACT_ABOVE:
                opposite.compact_if_worn(key, len(done))
            if blocked is not None and not self._prevent_self_trade(order, blocked, opposite, key):
                break
        order.remaining = remaining
        return trades

    def _take_book(self, order: Order, remaining: int, price: int, trades: list[Trade]) -> int:
        book = self.book
        assert book is not None
        if order.side == _BUY:
            available = book.ask_size(price)
            quantity = min(remaining, available)
            book.set_ask(price, available - quantity)
        else:
            available = book.bid_size(price)
            quantity = min(remaining, available)
            book.set_bid(price, available - quantity)
        trades.append(Trade(order.order_id, None, order.side, price, quantity, self.scale))
        return remaining - quantity

    def _prevent_self_trade(self, order: Order, maker: Order, opposite: SideQueues, key: int) -> bool:
        """Apply the STP mode; return True when the taker may keep matching."""
        mode = self.self_trade
        if mode in (SelfTradePrevention.CANCEL_MAKER, SelfTradePrevention.CANCEL_BOTH):
            opposite.remove(key, maker.order_id)
            del self._orders[maker.order_id]
            maker.status = _CANCELED
            maker.reason = "self-trade prevention"
        if mode == SelfTradePrevention.CANCEL_MAKER:
            return True
        order.status = _CANCELED
        order.reason = "self-trade prevention"
        return False

    def _fillable(self, order: Order, opposite: SideQueues, limit_key: int) -> int:
        """Lots an order could fill now, walking levels as ``_take`` would (for FOK)."""
        wanted, owner = order.remaining, order.owner
        book_levels = self._book_levels(opposite, limit_key)
        keys = sorted({key for key in opposite.levels if key <= limit_key} | set(book_levels))
        total = 0
        for key in keys:
            total += book_levels.get(key, 0)
            for maker in opposite.levels.get(key, {}).values():
                if total >= wanted:
                    return total
                if owner is not None and maker.owner == owner:
                    if self.self_trade != SelfTradePrevention.CANCEL_MAKER:
                        return total
                    continue
                total += maker.remaining
            if total >= wanted:
                return total
        return total

    def _book_levels(self, opposite: SideQueues, limit_key: int) -> dict[int, int]:
        book = self.book
        if book is None:
            return {}
        if opposite.sign == 1:
            return {price: size for price, size in book.asks(book.ask_levels) if price <= limit_key}
        return {-price: size for price, size in book.bids(book.bid_levels) if -price <= limit_key}

    # ----------------------------------------------------------------- cancel and amend
    def cancel(self, order_id: str) -> Order | None:
        """Cancel a resting order; return it, or None when no such order is resting."""
        order = self._orders.pop(order_id, None)
        if order is None:
            return None
        own = self._bids if order.side == _BUY else self._asks
        key = order.price * own.sign  # type: ignore[operator]  # resting orders have a price
        queue = own.levels[key]
        del queue[order_id]
        if not queue:
            del own.levels[key]
            if own.worn:
                own.worn.pop(key, None)
            if key == own.best:
                own.next_best()
        elif len(queue) > COMPACT_ABOVE:
            own.compact_if_worn(key, 1)
        order.status = _CANCELED
        order.reason = "canceled"
        return order

    def amend(self, order_id: str, *, quantity: int | None = None, price: int | None = None) -> list[Trade]:
        """Change a resting order's remaining ``quantity`` and/or ``price``; raise KeyError if unknown."""
        order = self._orders[order_id]
        own = self._bids if order.side == _BUY else self._asks
        assert order.price is not None
        new_quantity = order.remaining if quantity is None else quantity
        if new_quantity < 0 or (price is not None and price <= 0):
            raise ValueError("quantity must be >= 0 and price > 0")
        if new_quantity == 0:
            self.cancel(order_id)
            return []
        if price is not None and price != order.price:
            own.remove(order.price * own.sign, order_id)
            del self._orders[order_id]
            order.quantity += new_quantity - order.remaining
            order.remaining = new_quantity
            order.price = price
            return self.submit(order)
        if new_quantity > order.remaining:  # to the back of the queue
            level = self._orders_level(own, order)
            level[order_id] = level.pop(order_id)
        order.quantity += new_quantity - order.remaining
        order.remaining = new_quantity
        return []

    @staticmethod
    def _orders_level(own: SideQueues, order: Order) -> dict[str, Order]:
        assert order.price is not None
        return own.levels[order.price * own.sign]

    # ------------------------------------------------------------------- the book moved
    def match_book(self) -> list[Trade]:
        """Fill resting orders that the L2 book now crosses, at their own price (as makers)."""
        trades: list[Trade] = []
        if self.book is None:
            return trades
        for own in (self._bids, self._asks):
            while own.best != EMPTY:
                book_key = self._book_best_against(own)
                if book_key > -own.best:
                    break
                self._fill_resting(own, trades)
        return trades

    def _book_best_against(self, own: SideQueues) -> int:
        """The L2 book's best opposite price as a key in ``own``'s negated space."""
        book = self.book
        assert book is not None
        if own.sign == -1:  # resting bids meet the book's asks: crossed when ask <= bid
            return book.best_ask_ticks
        return -book.best_bid_ticks  # an empty bid side (NO_BID) reads as EMPTY

    def _fill_resting(self, own: SideQueues, trades: list[Trade]) -> None:
        book = self.book
        assert book is not None
        key = own.best
        queue = own.levels[key]
        maker = next(iter(queue.values()))
        price = key * own.sign
        if own.sign == -1:
            book_price = book.best_ask_ticks
            available = book.ask_size(book_price)
        else:
            book_price = book.best_bid_ticks
            available = book.bid_size(book_price)
        quantity = min(maker.remaining, available)
        if own.sign == -1:
            book.set_ask(book_price, available - quantity)
        else:
            book.set_bid(book_price, available - quantity)
        taker_side = _SELL if maker.side == _BUY else _BUY
        trades.append(Trade(None, maker.order_id, taker_side, price, quantity, self.scale))
        maker.remaining -= quantity
        if maker.remaining:
            maker.status = _PARTIAL
            return
        maker.status = _FILLED
        own.remove(key, maker.order_id)
        del self._orders[maker.order_id]
