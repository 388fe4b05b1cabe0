"""``buy 2 ETH/USDT twap 30m`` and friends from chat, end to end on paper."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx

from engine.orders.algos.service import AlgoScheduler
from hub.app.container import Container
from tests.conftest import LiveServer
from tests.engine.orders.algos.conftest import order_count
from tests.engine.orders.algos.test_scheduler import parent_count
from tests.kit.hubdriver import HubDriver

D = Decimal
MINUTE = 60_000


async def test_twap_from_chat_is_one_order_with_progress(
    hub: HubDriver, container: Container, scheduler: AlgoScheduler
) -> None:
    asked = await hub.push("buy 2 ETH/USDT twap 30m")
    assert asked.status == 202 and order_count(container) == 0  # above the confirmation threshold
    placed = await hub.push(f"confirm {asked.data['confirmation_id']}")
    assert placed.ok, placed.text
    parent = placed.data["order"]
    assert parent["id"].startswith("alg_") and parent["kind"] == "twap"
    assert parent["children_placed"] == 1 and parent["children_total"] == 30

    for _ in range(9):
        container.clock.advance(MINUTE)
        await scheduler.step()
    listing = await hub.push("orders")
    first_line = listing.text.splitlines()[0]
    assert first_line.startswith(f"{parent['id']} twap buy 2 ETH/USDT on paper: working, 10/30 slices, filled ")
    assert len(listing.text.splitlines()) == 1  # the ten children are shown as their parent only
    assert listing.data["parents"][0]["filled_quantity"] == str(D("0.0666") * 10)

    canceled = await hub.push(f"cancel {parent['id']}")
    assert canceled.ok and canceled.data["order"]["status"] == "canceled"
    container.clock.advance(30 * MINUTE)
    await scheduler.step()
    assert order_count(container) == 10
    assert "canceled, 10/30 slices" in (await hub.push("orders")).text


async def test_cancel_all_stops_schedules_and_resting_children(hub: HubDriver, scheduler: AlgoScheduler) -> None:
    await hub.push("buy 0.2 ETH/USDT twap 1h")
    await hub.push("buy 0.2 ETH/USDT @ 3000 iceberg 0.1")
    await hub.push("buy 0.001 BTC/USDT @ 40000")
    reply = await hub.push("cancel all")
    assert reply.ok and reply.text == "Canceled 3 order(s)."  # two parents (with the resting clip) and one order
    assert all(p["status"] == "canceled" for p in reply.data["parents"])
    assert not scheduler.oms.open_orders(hub.user.user_id)


async def test_a_resent_message_does_not_start_a_second_parent(hub: HubDriver, container: Container) -> None:
    first = await hub.push("buy 0.2 ETH/USDT vwap 2h", key="chat-42")
    again = await hub.push("buy 0.2 ETH/USDT vwap 2h", key="chat-42")
    assert first.ok and again.data["order"]["id"] == first.data["order"]["id"]
    assert parent_count(container) == 1 and order_count(container) == 1


async def test_iceberg_larger_than_a_quote_sized_order_is_refused(hub: HubDriver, container: Container) -> None:
    reply = await hub.push("buy $100 ETH/USDT @ 3000 iceberg 0.5")
    assert reply.status == 400 and "larger than the order quantity" in reply.text
    assert order_count(container) == 0 and parent_count(container) == 0


def test_the_server_steps_schedules_in_the_background(api: LiveServer, container: Container) -> None:
    container.add_user("bob")
    key = container.services.users.create_key("bob")
    response = httpx.post(f"{api.url}/api/v1/commands", json={"text": "buy 0.2 ETH/USDT twap 10m"},
                          headers={"Authorization": f"Bearer {key}"}, timeout=30)  # fmt: skip
    assert response.status_code == 200, response.text
    parent_id = response.json()["data"]["order"]["id"]
    container.clock.advance(5 * MINUTE)  # the fake clock: nothing but the server's loop places slices now
    scheduler = AlgoScheduler(container.db, container.services.oms, container.clock)
    user_id = container.services.users.get("bob").user_id
    deadline = time.monotonic() + 60  # the server's loop shares a loaded 2-core CI box
    while len(scheduler.get(user_id, parent_id).orders) < 6:
        assert time.monotonic() < deadline, "the background loop did not place the due slices"
        time.sleep(0.1)
    assert len(scheduler.get(user_id, parent_id).orders) == 6
