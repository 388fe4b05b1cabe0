from __future__ import annotations

from hft_core.orders import Order, Side
from hft_core.queues import COMPACT_ABOVE, EMPTY, SideQueues


def test_best_key_follows_adds_and_removals():
    asks = SideQueues(1)
    for index, price in enumerate((105, 101, 103)):
        asks.add(price, Order(f"o{index}", Side.SELL, 1, price))
    assert asks.best == 101
    asks.remove(101, "o1")
    assert asks.best == 103
    asks.remove(103, "o2")
    asks.remove(105, "o0")
    assert asks.best == EMPTY and asks.levels == {}


def test_worn_deep_level_is_copied_in_the_same_order():
    bids = SideQueues(-1)
    count = COMPACT_ABOVE * 3
    for index in range(count):
        bids.add(-100, Order(f"o{index}", Side.BUY, 1, 100))
    before = bids.levels[-100]
    for index in range(count // 2 + 1):
        bids.remove(-100, f"o{index}")
    after = bids.levels[-100]
    assert after is not before  # rebuilt once more orders left than remain
    assert list(after) == [f"o{index}" for index in range(count // 2 + 1, count)]
    assert bids.worn == {}
