"""The scheduler on paper: slices over time, iceberg refills, cancel, restart, kill switch, bad input."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.domain import OrderStatus
from engine.errors import Conflict, RiskRejected, UserInputError
from engine.orders.algos import plan
from engine.orders.algos.service import AlgoScheduler, AlgoSpec
from engine.orders.algos.storage import ParentStatus, parents_t
from engine.orders.intent import OrderIntent
from engine.storage.models import OrderRow
from hub.app.container import Container
from tests.engine.orders.algos.conftest import order_count

D = Decimal
Intent = Callable[..., OrderIntent]
MINUTE = 60_000


def parent_count(container: Container) -> int:
    with container.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(parents_t)).scalar_one()


def keys_of_orders(container: Container) -> Counter[str]:
    with container.db.connect() as conn:
        return Counter(conn.execute(select(OrderRow.idempotency_key)).scalars())


async def test_twap_places_one_slice_per_interval_and_completes(
    container: Container, scheduler: AlgoScheduler, intent: Intent
) -> None:
    view, replayed = await scheduler.start(intent("2"), AlgoSpec("twap", duration_s=1800))
    parent = view.parent
    assert not replayed and parent.status is ParentStatus.WORKING and parent.quantity == D("2")
    assert [o.idempotency_key for o in view.orders] == [f"{parent.idempotency_key}#0"]

    container.clock.advance(MINUTE - 1_000)
    await scheduler.step()
    assert len(scheduler.get(parent.user_id, parent.id).orders) == 1  # slice 1 is not due yet
    container.clock.advance(1_000)
    await scheduler.step()
    assert len(scheduler.get(parent.user_id, parent.id).orders) == 2

    for _ in range(28):
        container.clock.advance(MINUTE)
        await scheduler.step()
    done = scheduler.get(parent.user_id, parent.id)
    assert done.parent.status is ParentStatus.DONE
    assert len(done.orders) == 30
    assert sum(o.quantity for o in done.orders) == D("2")
    assert done.filled_quantity == D("2") and all(o.status is OrderStatus.FILLED for o in done.orders)
    assert done.orders[-1].quantity == D("0.0686")
    assert [o.idempotency_key for o in done.orders] == [f"{parent.idempotency_key}#{i}" for i in range(30)]


async def test_vwap_sizes_follow_the_bundled_volume_profile(
    container: Container, scheduler: AlgoScheduler, intent: Intent
) -> None:
    price = await container.paper.last_price("ETH/USDT")
    start = container.clock.now_ms()
    view, _ = await scheduler.start(intent("2"), AlgoSpec("vwap", duration_s=4 * 3600))
    expected = plan.vwap(
        D("2"), container.paper.instrument_now("ETH/USDT"), plan.bundled_profile("ETH/USDT"),
        price=price, start_ms=start, duration_s=4 * 3600,
    )  # fmt: skip
    stored = [plan.Slice.from_json(s) for s in view.parent.plan["slices"]]
    assert stored == expected
    assert len({s.quantity for s in stored}) > 2  # weighted, not equal
    container.clock.advance(4 * 3600 * 1000)
    await scheduler.step()
    done = scheduler.get(view.parent.user_id, view.parent.id)
    assert [o.quantity for o in done.orders] == [s.quantity for s in expected]
    assert done.parent.status is ParentStatus.DONE


async def test_iceberg_shows_one_clip_at_a_time_and_refills_on_fill(
    container: Container, scheduler: AlgoScheduler, intent: Intent
) -> None:
    container.clock.advance(60 * MINUTE)  # the replayed ETH price (3723.04) now walks down to 3714.10
    limit = D("3720")  # below the market: the clip rests until the price comes down
    view, _ = await scheduler.start(intent("0.3", price=str(limit)), AlgoSpec("iceberg", visible=D("0.1")))
    parent = view.parent
    assert [(o.quantity, o.status) for o in view.orders] == [(D("0.1"), OrderStatus.OPEN)]
    await scheduler.step()
    assert len(scheduler.get(parent.user_id, parent.id).orders) == 1  # no refill while the clip rests

    for _ in range(120):
        container.clock.advance(MINUTE // 2)
        container.services.oms.on_tick()
        await scheduler.step()
        now = scheduler.get(parent.user_id, parent.id)
        assert len([o for o in now.orders if not o.status.is_terminal]) <= 1  # never more than one shown
        if now.parent.status is not ParentStatus.WORKING:
            break
    done = scheduler.get(parent.user_id, parent.id)
    assert done.parent.status is ParentStatus.DONE
    assert [o.quantity for o in done.orders] == [D("0.1")] * 3
    assert done.filled_quantity == D("0.3") and all(o.price == limit for o in done.orders)
    assert all(o.average_fill_price is not None and o.average_fill_price <= limit for o in done.orders)


async def test_cancel_parent_cancels_the_working_child_and_the_schedule(
    container: Container, scheduler: AlgoScheduler, intent: Intent
) -> None:
    twap, _ = await scheduler.start(intent("1"), AlgoSpec("twap", duration_s=600))
    limit = container.paper.price_now("ETH/USDT") - D("50")
    ice, _ = await scheduler.start(intent("0.5", price=str(limit)), AlgoSpec("iceberg", visible=D("0.1")))
    container.clock.advance(MINUTE)
    await scheduler.step()
    before = order_count(container)

    canceled = await scheduler.cancel(twap.parent.user_id, twap.parent.id)
    assert canceled.parent.status is ParentStatus.CANCELED and len(canceled.orders) == 2
    iceberg = await scheduler.cancel(ice.parent.user_id, ice.parent.id)
    assert iceberg.orders[0].status is OrderStatus.CANCELED  # the resting clip is gone too

    container.clock.advance(20 * MINUTE)
    await scheduler.step()
    assert order_count(container) == before
    usdt = await container.services.portfolio.view(twap.parent.user_id, venue="paper")
    assert all(h.locked == 0 for h in usdt.holdings)  # nothing stays reserved


async def test_restart_resumes_without_repeating_or_skipping_a_slice(
    container: Container, scheduler: AlgoScheduler, intent: Intent
) -> None:
    view, _ = await scheduler.start(intent("0.5"), AlgoSpec("twap", duration_s=600))
    parent = view.parent
    container.clock.advance(2 * MINUTE)
    await scheduler.step()  # slices 0..2
    # crash after the OMS took slice 3 but before the scheduler recorded it
    container.clock.advance(MINUTE)
    slice3 = plan.Slice.from_json(parent.plan["slices"][3])
    crashed = OrderIntent(parent.user_id, parent.symbol, parent.side, parent.child_key(3), quantity=slice3.quantity,
                          source="test")  # fmt: skip
    await container.services.oms.place(crashed)

    restarted = AlgoScheduler(container.db, container.services.oms, container.clock)  # a new process
    container.clock.advance(4 * MINUTE)  # down for a while: slices 3..7 are all due
    await restarted.step()
    after = restarted.get(parent.user_id, parent.id)
    assert after.parent.next_index == 8
    keys = keys_of_orders(container)
    assert all(keys[parent.child_key(i)] == 1 for i in range(8)) and parent.child_key(8) not in keys

    await asyncio.gather(restarted.step(), scheduler.step())  # two schedulers at once: nothing new
    assert sum(keys_of_orders(container).values()) == 8
    container.clock.advance(10 * MINUTE)
    await restarted.step()
    done = restarted.get(parent.user_id, parent.id)
    assert done.parent.status is ParentStatus.DONE
    assert [o.idempotency_key for o in done.orders] == [parent.child_key(i) for i in range(10)]
    assert sum(o.quantity for o in done.orders) == D("0.5")


async def test_a_retried_start_returns_the_same_parent(scheduler: AlgoScheduler, intent: Intent) -> None:
    once = intent("0.2")
    first, _ = await scheduler.start(once, AlgoSpec("twap", duration_s=300))
    again, replayed = await scheduler.start(once, AlgoSpec("twap", duration_s=300))
    assert replayed and again.parent.id == first.parent.id and len(again.orders) == 1


async def test_kill_switch_cancels_working_parents(
    container: Container, scheduler: AlgoScheduler, intent: Intent
) -> None:
    view, _ = await scheduler.start(intent("1"), AlgoSpec("twap", duration_s=600))
    container.services.oms.set_kill_switch(True)
    container.clock.advance(5 * MINUTE)
    await scheduler.step()
    after = scheduler.get(view.parent.user_id, view.parent.id)
    assert after.parent.status is ParentStatus.CANCELED and "kill switch" in (after.parent.reason or "")
    assert len(after.orders) == 1


@pytest.mark.parametrize(
    ("quantity", "price", "spec", "error", "message"),
    [
        ("1", None, AlgoSpec("twap", duration_s=0), UserInputError, "longer than zero"),
        ("1", None, AlgoSpec("vwap", duration_s=-60), UserInputError, "longer than zero"),
        ("0.5", "3000", AlgoSpec("iceberg", visible=D("0.6")), UserInputError, "larger than the order quantity"),
        ("0.5", None, AlgoSpec("iceberg", visible=D("0.1")), UserInputError, "limit order"),
        ("0.5", "3000", AlgoSpec("iceberg", visible=D("0.0001")), UserInputError, "below the market's minimum"),
        ("2.9", None, AlgoSpec("twap", duration_s=600), RiskRejected, "insufficient USDT"),
    ],
)
async def test_bad_input_changes_nothing(
    container: Container, scheduler: AlgoScheduler, intent: Intent,
    quantity: str, price: str | None, spec: AlgoSpec, error: type[Exception], message: str,
) -> None:  # fmt: skip
    with pytest.raises(error, match=message):
        await scheduler.start(intent(quantity, price=price), spec)
    assert parent_count(container) == 0 and order_count(container) == 0


async def test_a_step_racing_a_cancel_leaves_no_working_child(
    container: Container, scheduler: AlgoScheduler, intent: Intent
) -> None:
    limit = container.paper.price_now("ETH/USDT") - D("100")  # resting slices
    view, _ = await scheduler.start(intent("0.2", price=str(limit)), AlgoSpec("twap", duration_s=300))
    stale = view.parent  # what a step that started before the cancel has in hand
    await scheduler.cancel(stale.user_id, stale.id)
    container.clock.advance(MINUTE)
    with pytest.raises(Conflict):
        await scheduler.step_parent(stale)  # it places slice 1, then finds the parent canceled
    await scheduler._cancel_strays(stale.id)  # what step() and start() do when they lose such a race
    after = scheduler.get(stale.user_id, stale.id)
    assert after.parent.status is ParentStatus.CANCELED and after.parent.reason == "canceled by the user"
    assert len(after.orders) == 2 and all(o.status is OrderStatus.CANCELED for o in after.orders)
