"""Every leader fill is copied to each follower through the OMS: sizing, skips, isolation, idempotency,
recovery after a crash, and a fan-out to 1,000 followers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import delete

from engine.domain import OrderStatus, Side
from engine.errors import OrderRejectedByVenue
from engine.events import Event
from engine.ids import client_order_id
from engine.orders.intent import OrderIntent
from engine.orders.oms import OrderManager
from engine.storage import repository as repo
from engine.venues.base import OrderRequest, VenueOrderUpdate
from hub.events import EventBus
from hub.principals import Principal
from strategies.copytrade import CopyTradeService
from strategies.copytrade.storage import mirrors_t, pending_fills, sources_t
from tests.kit.hubdriver import HubDriver
from tests.strategies.copytrade.helpers import count_orders, mirrors, orders_of, outbox

D = Decimal


async def leader_buys(hub: HubDriver, copy: CopyTradeService, lea: Principal, text: str = "buy 0.01 BTC/USDT") -> str:
    """The leader trades through the hub; returns the leader's fill id once the fan-out is done."""
    reply = await hub.push(text, as_user=lea)
    assert reply.ok, reply.text
    await copy.idle()
    with hub.container.db.connect() as conn:
        (fill,) = repo.list_fills(conn, user_id=lea.user_id, limit=1)
    return fill.id


async def follower(hub: HubDriver, name: str, rule: str) -> Principal:
    user = hub.add_user(name)
    reply = await hub.push(f"follow lea {rule}", as_user=user)
    assert reply.ok, reply.text
    return user


async def test_each_follower_gets_a_copy_sized_by_their_own_rule(
    hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    bob = await follower(hub, "bob", "ratio 0.5")
    carol = await follower(hub, "carol", "fixed $100")
    dan = await follower(hub, "dan", "ratio 1 max $200")
    seen: list[Event] = []
    hub.container.bus.subscribe("copytrade.*", seen.append)

    fill_id = await leader_buys(hub, copy, lea)

    venue = hub.container.paper
    price, instrument = venue.price_now("BTC/USDT"), venue.instrument_now("BTC/USDT")
    expected = {bob: D("0.005"), carol: instrument.round_quantity(D(100) / price),
                dan: instrument.round_quantity(D(200) / price)}  # fmt: skip
    for user, quantity in expected.items():
        (order,) = orders_of(hub.container, user.user_id)
        assert (order.side, order.symbol, order.quantity, order.status) == (Side.BUY, "BTC/USDT", quantity,
                                                                              OrderStatus.FILLED)  # fmt: skip
        assert order.source == "copytrade" and order.idempotency_key == f"copy:{fill_id}:{user.user_id}"
    assert len(orders_of(hub.container, lea.user_id)) == 1  # the leader's copies are not copied back
    assert sorted(event.user_id for event in seen if event.type == "copytrade.mirrored") == sorted(
        user.user_id for user in expected
    )
    bobs = next(event for event in seen if event.user_id == bob.user_id)
    assert bobs.data["leader"] == "lea" and bobs.data["leader_fill_id"] == fill_id and bobs.data["quantity"] == "0.005"
    assert len(outbox(hub.container, "copytrade.mirrored")) == 3  # durable, for webhooks and the stream
    assert "Copied lea: buy 0.005 BTC/USDT" in (await hub.push("leaders", as_user=bob)).text


async def test_max_allocation_is_used_up_across_trades_then_skips(
    hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    dan = await follower(hub, "dan", "fixed $100 max $150")
    await leader_buys(hub, copy, lea)
    await leader_buys(hub, copy, lea)
    await leader_buys(hub, copy, lea)
    first, second = orders_of(hub.container, dan.user_id)[::-1]
    price = hub.container.paper.price_now("BTC/USDT")
    assert first.quantity * price <= D(100) and second.quantity * first.average_fill_price < D(51)
    third = mirrors(hub.container, follower_id=dan.user_id)[-1]
    assert third.status == "skipped" and third.reason == "max allocation of 150 USDT reached"


async def test_a_follower_without_the_balance_gets_a_skip_notice_not_a_partial_order(
    hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    poor = hub.container.services.users.add_user("poor")  # no paper account: 0 USDT
    assert (await hub.push("follow lea fixed $100", as_user=poor)).ok
    bob = await follower(hub, "bob", "ratio 0.5")

    await leader_buys(hub, copy, lea)

    assert orders_of(hub.container, poor.user_id) == []
    (skip,) = mirrors(hub.container, follower_id=poor.user_id)
    assert skip.status == "skipped" and skip.order_id is None and "insufficient USDT" in skip.reason
    (notice,) = outbox(hub.container, "copytrade.skipped", poor.user_id)
    assert notice["leader"] == "lea" and "insufficient USDT" in notice["reason"]
    assert "Skipped copy of lea buy BTC/USDT: insufficient USDT" in (await hub.push("leaders", as_user=poor)).text
    assert len(orders_of(hub.container, bob.user_id)) == 1


async def test_one_followers_risk_refusal_does_not_stop_the_others(
    hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    greedy = await follower(hub, "greedy", "fixed $300000")  # above the 250,000 USDT order limit
    bob = await follower(hub, "bob", "ratio 0.5")
    carol = await follower(hub, "carol", "ratio 0.1")

    await leader_buys(hub, copy, lea)

    (refused,) = mirrors(hub.container, follower_id=greedy.user_id)
    assert refused.status == "skipped" and "exceeds the limit" in refused.reason
    assert orders_of(hub.container, greedy.user_id) == []
    assert [o.quantity for o in orders_of(hub.container, bob.user_id)] == [D("0.005")]
    assert [o.quantity for o in orders_of(hub.container, carol.user_id)] == [D("0.001")]


async def test_a_redelivered_fill_never_trades_twice(hub: HubDriver, copy: CopyTradeService, lea: Principal) -> None:
    bob = await follower(hub, "bob", "ratio 0.5")
    fill_id = await leader_buys(hub, copy, lea)
    (leader_order,) = orders_of(hub.container, lea.user_id)
    orders_before = count_orders(hub.container)

    from engine.orders.oms import order_payload

    hub.container.bus.publish(Event("evt_again", "order.filled", 0, order_payload(leader_order), lea.user_id))
    await copy.idle()
    await copy.sweep()
    with hub.container.db.begin() as conn:  # as if the fan-out crashed before it was marked finished
        conn.execute(delete(sources_t))
        conn.execute(delete(mirrors_t))
    await copy.sweep()

    assert count_orders(hub.container) == orders_before
    (mirror,) = mirrors(hub.container, follower_id=bob.user_id)
    (order,) = orders_of(hub.container, bob.user_id)
    assert mirror.order_id == order.id and mirror.leader_fill_id == fill_id


async def test_a_fill_whose_fan_out_never_ran_is_copied_by_the_sweep(
    hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    bob = await follower(hub, "bob", "ratio 0.5")
    container = hub.container
    services = container.services
    crashed = OrderManager(container.db, services.venues, limits=services.oms.limits, clock=container.clock,
                           publisher=EventBus())  # committed the fill, then died before anyone heard of it  # fmt: skip
    await crashed.place(OrderIntent(lea.user_id, "BTC/USDT", Side.BUY, "lea-1", quantity=D("0.01")))
    await copy.idle()
    assert orders_of(container, bob.user_id) == []
    with container.db.connect() as conn:
        assert len(pending_fills(conn, since_ms=0)) == 1

    (result,) = await copy.sweep()

    assert result.mirrored == 1 and [o.quantity for o in orders_of(container, bob.user_id)] == [D("0.005")]
    assert await copy.sweep() == []


async def test_a_fill_found_too_late_is_skipped_not_copied(
    hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    bob = await follower(hub, "bob", "ratio 0.5")
    services = hub.container.services
    silent = OrderManager(hub.container.db, services.venues, limits=services.oms.limits, clock=hub.container.clock,
                          publisher=EventBus())  # fmt: skip
    await silent.place(OrderIntent(lea.user_id, "BTC/USDT", Side.BUY, "lea-1", quantity=D("0.01")))
    hub.container.clock.advance(11 * 60_000)

    await copy.sweep()

    assert orders_of(hub.container, bob.user_id) == []
    (skip,) = mirrors(hub.container, follower_id=bob.user_id)
    assert skip.status == "skipped" and "s old" in skip.reason


async def test_sells_are_copied_and_a_copy_is_not_copied_again(
    hub: HubDriver, copy: CopyTradeService, lea: Principal
) -> None:
    bob = await follower(hub, "bob", "ratio 0.5")
    assert (await hub.push("lead on", as_user=bob)).ok
    carol = hub.add_user("carol")
    assert (await hub.push("follow bob", as_user=carol)).ok

    await leader_buys(hub, copy, lea)
    await leader_buys(hub, copy, lea, "sell 0.01 BTC/USDT")

    assert [(o.side, o.quantity) for o in orders_of(hub.container, bob.user_id)] == [
        (Side.SELL, D("0.005")), (Side.BUY, D("0.005"))]  # fmt: skip
    assert orders_of(hub.container, carol.user_id) == []  # bob's copies are not his own trades


async def test_a_fill_is_copied_to_a_thousand_followers(hub: HubDriver, copy: CopyTradeService, lea: Principal) -> None:
    container = hub.container
    users = [container.add_user(f"f{index}") for index in range(1000)]
    for index, user in enumerate(users):
        copy.follow(user.user_id, "lea", ratio=D("0.1") if index % 2 else None, fixed=None if index % 2 else D("20"),
                    max_allocation=None)  # fmt: skip

    fill_id = await leader_buys(hub, copy, lea)

    rows = mirrors(container, leader_fill_id=fill_id)
    assert len(rows) == 1000 and {row.status for row in rows} == {"mirrored"}
    assert {row.follower_id for row in rows} == {user.user_id for user in users}
    assert orders_of(container, users[1].user_id)[0].quantity == D("0.001")
    assert count_orders(container) == 1001


async def test_a_venue_failure_for_one_follower_rolls_back_nothing_of_the_others(
    hub: HubDriver, copy: CopyTradeService, lea: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = await follower(hub, "bob", "ratio 0.5")
    unlucky = await follower(hub, "unlucky", "ratio 0.5")
    carol = await follower(hub, "carol", "ratio 0.1")
    container = hub.container
    silent = OrderManager(container.db, container.services.venues, limits=container.services.oms.limits,
                          clock=container.clock, publisher=EventBus())  # fmt: skip
    await silent.place(OrderIntent(lea.user_id, "BTC/USDT", Side.BUY, "l-1", quantity=D("0.01")))
    with container.db.connect() as conn:
        (fill,) = repo.list_fills(conn, user_id=lea.user_id)
    refused = client_order_id(unlucky.user_id, f"copy:{fill.id}:{unlucky.user_id}")
    paper = container.paper
    execute = paper.submit_now

    def submit_now(request: OrderRequest) -> VenueOrderUpdate:  # the venue refuses one follower's copy
        if request.client_order_id == refused:
            raise OrderRejectedByVenue("venue refused the order")
        return execute(request)

    monkeypatch.setattr(paper, "submit_now", submit_now)

    (result,) = await copy.sweep()

    assert (result.mirrored, result.skipped) == (2, 1)
    assert [o.quantity for o in orders_of(hub.container, bob.user_id)] == [D("0.005")]
    assert [o.quantity for o in orders_of(hub.container, carol.user_id)] == [D("0.001")]
    assert orders_of(hub.container, unlucky.user_id) == []
    (skip,) = mirrors(hub.container, follower_id=unlucky.user_id)
    assert skip.status == "skipped" and skip.reason == "venue refused the order"
    with hub.container.db.connect() as conn:  # the refused copy locked or moved nothing
        assert repo.balances(conn, unlucky.user_id, "paper") == {"USDT": (D("10000"), D("0"))}
