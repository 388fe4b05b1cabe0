"""Brackets from chat on paper: entry, then take-profit and stop-loss, one cancels the other.

The replayed BTC price from the first bundled candle: open 46216.93, down to 46208.37 in the first
20 minutes, up to 46731.39 by minute 40, then 46656.13 at the close of the hour.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.domain import OrderStatus, OrderType, Side
from engine.orders.algos.service import AlgoScheduler
from engine.orders.algos.storage import ParentStatus
from hub.app.container import Container
from tests.engine.orders.algos.conftest import order_count
from tests.engine.orders.algos.test_scheduler import parent_count
from tests.kit.hubdriver import HubDriver

D = Decimal
MINUTE = 60_000


async def run(container: Container, scheduler: AlgoScheduler, minutes: int) -> None:
    """Let the server's loops run for ``minutes``: the paper venue's triggers, then the scheduler."""
    for _ in range(minutes * 2):
        container.clock.advance(MINUTE // 2)
        container.services.oms.on_tick()
        await scheduler.step()


async def test_take_profit_fills_and_cancels_the_stop(
    hub: HubDriver, container: Container, scheduler: AlgoScheduler
) -> None:
    reply = await hub.push("buy 0.01 BTC/USDT tp 46500 sl 45000")
    assert reply.ok, reply.text
    parent_id = reply.data["order"]["id"]
    view = scheduler.get(hub.user.user_id, parent_id)
    entry, take_profit = view.orders
    assert entry.status is OrderStatus.FILLED and entry.side is Side.BUY
    assert (take_profit.side, take_profit.type, take_profit.price, take_profit.quantity, take_profit.status) == (
        Side.SELL, OrderType.LIMIT, D("46500"), D("0.01"), OrderStatus.OPEN,
    )  # fmt: skip
    assert "tp 46500 sl 45000" in reply.text and "working" in reply.text

    await run(container, scheduler, 60)
    done = scheduler.get(hub.user.user_id, parent_id)
    assert done.parent.status is ParentStatus.DONE and done.parent.reason == "take-profit filled; stop-loss canceled"
    assert [o.status for o in done.orders] == [OrderStatus.FILLED, OrderStatus.FILLED]  # no stop-loss child
    assert done.orders[1].average_fill_price == D("46500")


async def test_stop_loss_triggers_a_market_exit_and_cancels_the_take_profit(
    hub: HubDriver, container: Container, scheduler: AlgoScheduler
) -> None:
    reply = await hub.push("buy 0.01 BTC/USDT tp 48000 sl 46210")
    assert reply.ok, reply.text
    parent_id = reply.data["order"]["id"]

    await run(container, scheduler, 25)
    done = scheduler.get(hub.user.user_id, parent_id)
    _entry, take_profit, stop = done.orders
    assert done.parent.status is ParentStatus.DONE and "stop-loss triggered at 46210" in (done.parent.reason or "")
    assert take_profit.status is OrderStatus.CANCELED
    assert (stop.side, stop.type, stop.quantity, stop.status) == (Side.SELL, OrderType.MARKET, D("0.01"),
                                                                    OrderStatus.FILLED)  # fmt: skip
    assert stop.average_fill_price is not None and stop.average_fill_price < D("46216.93")
    balances = await container.services.portfolio.view(hub.user.user_id, venue="paper")
    btc = next((h for h in balances.holdings if h.asset == "BTC"), None)
    assert btc is None or btc.total == 0  # in and out again
    await run(container, scheduler, 60)  # the price rising to the old take-profit changes nothing now
    assert len(scheduler.get(hub.user.user_id, parent_id).orders) == 3


async def test_a_resting_limit_entry_waits_and_cancel_removes_it(
    hub: HubDriver, container: Container, scheduler: AlgoScheduler
) -> None:
    reply = await hub.push("buy 0.01 BTC/USDT @ 46000 tp 47000 sl 45000")
    parent_id = reply.data["order"]["id"]
    await run(container, scheduler, 5)
    view = scheduler.get(hub.user.user_id, parent_id)
    assert [o.status for o in view.orders] == [OrderStatus.OPEN]  # exits wait for the entry's fill
    canceled = await hub.push(f"cancel {parent_id}")
    assert canceled.ok and canceled.data["order"]["status"] == "canceled"
    assert scheduler.get(hub.user.user_id, parent_id).orders[0].status is OrderStatus.CANCELED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("buy 0.01 BTC/USDT tp 46000", "take-profit 46000 must be above the entry price 46216.93 for a buy"),
        ("buy 0.01 BTC/USDT sl 47000", "stop-loss 47000 must be below the entry price 46216.93 for a buy"),
        ("buy 0.01 BTC/USDT @ 45000 tp 44000 sl 43000", "take-profit 44000 must be above the entry price 45000"),
        ("buy 0.01 BTC/USDT tp 0", "must be greater than zero"),
        ("buy 0.01 BTC/USDT tp -5", "must be positive"),
        ("buy 0.01 BTC/USDT twap 1h tp 50000", "cannot be combined with twap"),
    ],
)
async def test_bad_exit_prices_change_nothing(hub: HubDriver, container: Container, text: str, message: str) -> None:
    reply = await hub.push(text)
    assert not reply.ok and message in reply.text
    assert order_count(container) == 0 and parent_count(container) == 0
