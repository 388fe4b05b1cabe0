"""The live runner: bars from the replay clock, orders through the OMS, fills booked once, kill switch, stop."""

from __future__ import annotations

from decimal import Decimal

from engine.domain import OrderStatus
from engine.events import Event
from hub.app.container import build
from strategies.core import restore_strategy
from strategies.live import LiveRunner
from strategies.live.storage import Status
from tests.kit.hubdriver import HubDriver
from tests.strategies.live.helpers import HOUR_MS, instances, outbox_types, strategy_orders


async def _advance(hub: HubDriver, runner: LiveRunner, hours: int) -> None:
    for _ in range(hours):
        hub.container.clock.advance(HOUR_MS)
        await runner.step()


async def test_dca_places_one_order_per_interval(hub: HubDriver, runner: LiveRunner) -> None:
    started = await hub.push("dca $100 BTC/USDT every 1d")
    instance_id = started.data["strategy"]["id"]

    await runner.step()
    assert strategy_orders(hub.container) == []  # no bar has completed yet

    await _advance(hub, runner, 1)
    keys = [order.idempotency_key for order in strategy_orders(hub.container)]
    assert keys == [f"strategy:{instance_id}:dca:b0"]

    await _advance(hub, runner, 23)  # the bar opening 24 h after the first buy has not closed yet
    assert len(strategy_orders(hub.container)) == 1

    await _advance(hub, runner, 1)
    await runner.step()  # a repeated step on the same bar does nothing more
    orders = strategy_orders(hub.container)
    assert [order.idempotency_key for order in orders] == [f"strategy:{instance_id}:dca:b0",
                                                          f"strategy:{instance_id}:dca:b1"]  # fmt: skip
    assert all(order.status is OrderStatus.FILLED and order.source == "strategy" for order in orders)
    assert orders[1].created_ms - orders[0].created_ms == 24 * HOUR_MS


async def test_each_fill_is_booked_once_in_the_strategy_ledger(hub: HubDriver, runner: LiveRunner) -> None:
    await hub.push("dca $100 BTC/USDT every 2h budget=1000")

    await _advance(hub, runner, 6)
    for _ in range(3):
        await runner.step()

    fills = hub.container.services.oms.fills(hub.user.user_id)
    assert len(fills) == 3
    (instance,) = instances(hub.container, hub.user.user_id)
    strategy = restore_strategy(instance.state)
    assert strategy.cash == 1000 - sum(fill.quantity * fill.price + fill.fee for fill in fills)
    assert strategy.position == sum(fill.quantity for fill in fills)
    assert dict(instance.fill_cursor) == {}  # every order is done and forgotten


async def test_kill_switch_pauses_every_strategy(hub: HubDriver, runner: LiveRunner) -> None:
    await hub.push("dca $100 BTC/USDT every 1h")
    await _advance(hub, runner, 1)
    assert len(strategy_orders(hub.container)) == 1

    hub.container.services.oms.set_kill_switch(True)
    hub.container.clock.advance(3 * HOUR_MS)
    report = await runner.step()

    assert report.paused
    assert len(strategy_orders(hub.container)) == 1
    listing = await hub.push("strategies")
    assert listing.data["strategies"][0]["status"] == "paused"

    hub.container.services.oms.set_kill_switch(False)
    await runner.step()
    assert len(strategy_orders(hub.container)) == 2  # resumes with one buy, no catching up on the missed ones


async def test_stop_cancels_resting_orders_and_stops_stepping(hub: HubDriver, runner: LiveRunner) -> None:
    seen: list[Event] = []
    hub.container.bus.subscribe("strategy.stopped", seen.append)
    started = await hub.push("grid BTC/USDT 40000 50000 6 budget=3000")
    instance_id = started.data["strategy"]["id"]
    await _advance(hub, runner, 1)
    resting = [order for order in strategy_orders(hub.container) if order.status is OrderStatus.OPEN]
    assert len(resting) == 5  # four buys below the price, one sell above it

    reply = await hub.push(f"stop {instance_id}")

    assert reply.ok and reply.data["strategy"]["status"] == "stopped"
    orders = strategy_orders(hub.container)
    assert {order.status for order in orders if order.price is not None} == {OrderStatus.CANCELED, OrderStatus.FILLED}
    assert all(order.status is not OrderStatus.OPEN for order in orders)
    (instance,) = instances(hub.container, hub.user.user_id)
    assert instance.status is Status.STOPPED and instance.fill_cursor == {}
    assert [event.data["id"] for event in seen] == [instance_id]
    assert "strategy.stopped" in outbox_types(hub.container)
    balances = await hub.push("balance")
    assert balances.ok

    await _advance(hub, runner, 48)
    assert len(strategy_orders(hub.container)) == len(orders)
    again = await hub.push(f"stop {instance_id}")
    assert not again.ok and again.status == 409


async def test_grid_books_resting_orders_that_fill_as_the_price_moves(hub: HubDriver, runner: LiveRunner) -> None:
    # BTC opens 2022 at ~46,650, dips to 46,574 in hour 2 and 46,591 in hour 5, rallies to 47,555 in hour 6
    await hub.push("grid BTC/USDT 46600 47200 4 quantity=0.01 budget=2000")
    await _advance(hub, runner, 8)

    orders = {":".join(order.idempotency_key.split(":")[-2:]): order for order in strategy_orders(hub.container)}
    for done in ("i0:b0", "i0:s0", "i0:b1", "i0:s1", "i1:b0", "i1:s0", "i2:b0", "i2:s0", "i2:b1", "i2:s1"):
        assert orders[done].status is OrderStatus.FILLED, done
    assert {key for key, order in orders.items() if order.status is OrderStatus.OPEN} == {"i0:b2", "i1:b1", "i2:b2"}
    (instance,) = instances(hub.container, hub.user.user_id)
    strategy = restore_strategy(instance.state)
    assert strategy.cycles == 5  # type: ignore[attr-defined]
    fills = hub.container.services.oms.fills(hub.user.user_id, limit=1000)
    assert strategy.position == sum(fill.quantity * fill.side.sign for fill in fills)
    spent = sum(fill.quantity * fill.price * fill.side.sign + fill.fee for fill in fills)
    assert strategy.cash == Decimal(2000) - spent


async def test_stop_from_another_process_cancels_orders_the_worker_placed(hub: HubDriver, runner: LiveRunner) -> None:
    started = await hub.push("grid BTC/USDT 46600 47200 4 quantity=0.01 budget=2000")
    await _advance(hub, runner, 1)  # the worker process places the grid; the buy at 46,600 rests in its memory
    api_process = build(hub.container.settings, clock=hub.container.clock)

    reply = await api_process.hub.handle(hub.user, f"stop {started.data['strategy']['id']}", frontend="test")

    assert reply.ok, reply.text
    assert all(order.status is not OrderStatus.OPEN for order in strategy_orders(hub.container))
    fills_at_stop = len(hub.container.services.oms.fills(hub.user.user_id))
    await _advance(hub, runner, 4)  # the price dips through 46,600 in the worker's replay
    assert len(hub.container.services.oms.fills(hub.user.user_id)) == fills_at_stop
    api_process.close()
