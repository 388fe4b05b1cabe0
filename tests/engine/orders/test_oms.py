"""The OMS through the real container (SQLite, paper venue on replayed candles, fake clock)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from engine.domain import OrderStatus, OrderType, Side
from engine.errors import Conflict, InsufficientBalance, NotFound, UserInputError
from engine.orders.intent import OrderIntent
from engine.storage import repository as repo
from hub.app.container import Container
from hub.principals import Role


@pytest.fixture
def alice(container: Container):  # type: ignore[no-untyped-def]
    return container.add_user("alice", role=Role.TRADER)


def intent(user, key: str, side: Side = Side.BUY, price: D | None = None, **size) -> OrderIntent:  # type: ignore[no-untyped-def]
    size = size or {"quantity": D("0.01")}
    return OrderIntent(user_id=user.user_id, symbol="BTC/USDT", side=side, idempotency_key=key, price=price, **size)


def counts(container: Container) -> tuple[int, int]:
    with container.db.connect() as conn:
        orders = conn.execute(select(func.count()).select_from(repo.orders_t)).scalar_one()
        fills = conn.execute(select(func.count()).select_from(repo.fills_t)).scalar_one()
    return orders, fills


async def test_market_buy_fills_at_replayed_price_plus_slippage_and_fee(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    result = await container.services.oms.place(intent(alice, "k1"))
    order = result.order
    # first candle opens at 46216.93; 5 bps slippage -> 46240.04 (rounded to the 0.01 tick)
    assert (order.status, order.filled_quantity, order.average_fill_price) == (
        OrderStatus.FILLED,
        D("0.01"),
        D("46240.04"),
    )
    assert order.fees == D("0.4624004")
    view = await container.services.portfolio.view(alice.user_id)
    usdt = next(h for h in view.holdings if h.asset == "USDT")
    assert usdt.total == D("10000") - D("462.4004") - D("0.4624004")
    assert usdt.locked == 0


async def test_same_idempotency_key_never_creates_a_second_order(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    first = await container.services.oms.place(intent(alice, "tv-alert-42"))
    again = await container.services.oms.place(intent(alice, "tv-alert-42"))
    assert again.replayed and again.order.id == first.order.id
    assert counts(container) == (1, 1)


async def test_concurrent_retries_with_one_key_trade_once(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    results = await asyncio.gather(*(container.services.oms.place(intent(alice, "dup")) for _ in range(5)))
    assert len({r.order.id for r in results}) == 1
    assert counts(container) == (1, 1)


async def test_quote_and_percent_sizing(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    oms = container.services.oms
    by_quote = await oms.place(intent(alice, "q", quote_amount=D("100")))
    assert by_quote.order.quantity == D("0.00216")  # 100 / ~46,240, rounded down to the 0.00001 step
    sold = await oms.place(intent(alice, "p", side=Side.SELL, percent=D("50")))
    assert sold.order.quantity == D("0.00108")


async def test_insufficient_balance_writes_nothing(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InsufficientBalance, match="insufficient USDT"):
        await container.services.oms.place(intent(alice, "big", quantity=D("1")))
    with pytest.raises(InsufficientBalance, match="insufficient BTC"):
        await container.services.oms.place(intent(alice, "short", side=Side.SELL))
    assert counts(container) == (0, 0)
    view = await container.services.portfolio.view(alice.user_id)
    assert [(h.asset, h.total, h.locked) for h in view.holdings] == [("USDT", D("10000"), D("0"))]


async def test_below_minimum_order_size_is_refused(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserInputError, match="below the minimum of 5 USDT"):
        await container.services.oms.place(intent(alice, "tiny", quantity=D("0.0001")))
    assert counts(container) == (0, 0)


async def test_limit_buy_rests_locks_funds_and_fills_when_price_crosses(container: Container, alice, clock) -> None:  # type: ignore[no-untyped-def]
    oms = container.services.oms
    # the first candle's low is 46208.37, reached a third of an hour in
    placed = await oms.place(intent(alice, "lim", price=D("46210")))
    assert placed.order.status is OrderStatus.OPEN
    usdt = (await container.services.portfolio.view(alice.user_id)).holdings[0]
    assert usdt.locked == D("0.01") * D("46210") * D("1.001")
    assert oms.on_tick() == []
    clock.advance(20 * 60 * 1000)
    (filled,) = oms.on_tick()
    assert (filled.status, filled.average_fill_price) == (OrderStatus.FILLED, D("46210"))
    usdt = next(h for h in (await container.services.portfolio.view(alice.user_id)).holdings if h.asset == "USDT")
    assert usdt.locked == 0
    assert usdt.total == D("10000") - D("462.1") - D("0.4621")


async def test_cancel_releases_the_lock_and_cannot_repeat(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    oms = container.services.oms
    placed = await oms.place(intent(alice, "lim", price=D("30000")))
    canceled = await oms.cancel(alice.user_id, placed.order.id)
    assert canceled.status is OrderStatus.CANCELED
    assert (await container.services.portfolio.view(alice.user_id)).holdings[0].locked == 0
    with pytest.raises(Conflict, match="already canceled"):
        await oms.cancel(alice.user_id, placed.order.id)


async def test_cannot_cancel_someone_elses_order(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    bob = container.add_user("bob")
    placed = await container.services.oms.place(intent(alice, "lim", price=D("30000")))
    with pytest.raises(NotFound):
        await container.services.oms.cancel(bob.user_id, placed.order.id)


async def test_paper_orders_commit_atomically_with_their_fill(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    """The paper venue executes inside the order's transaction: a failure leaves no order and no lock."""
    oms = container.services.oms

    def broken_submit(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("crash between accepting and filling")

    container.paper.submit_now = broken_submit  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await oms.place(intent(alice, "boom"))
    assert counts(container) == (0, 0)
    assert (await container.services.portfolio.view(alice.user_id)).holdings[0].locked == 0


async def test_reconcile_rejects_orders_a_crash_left_new_and_restores_resting_ones(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    oms = container.services.oms
    resting = await oms.place(intent(alice, "rest", price=D("30000")))
    # a crash after an order was stored as new but before its venue saw it (a remote venue's window)
    crashed = replace(
        resting.order,
        id="ord_crashed",
        idempotency_key="crash",
        client_order_id="th-crash",
        price=None,
        type=OrderType.MARKET,
        status=OrderStatus.NEW,
    )
    with container.db.begin() as conn:
        repo.insert_order(conn, crashed, locked_asset="USDT", locked_amount=D("500"))
        total, locked = repo.balances(conn, alice.user_id, "paper")["USDT"]
        repo.set_balance(conn, alice.user_id, "paper", "USDT", total, locked + D("500"))
    container.paper._resting.clear()  # a restart forgets the venue's memory
    summary = await oms.reconcile()
    assert summary == {"rejected": 1, "updated": 0, "restored": 1}
    after = oms.order(alice.user_id, "ord_crashed")
    assert after.status is OrderStatus.REJECTED and "restart" in (after.reason or "")
    assert await container.paper.fetch_order("BTC/USDT", resting.order.client_order_id) is not None
    view = await container.services.portfolio.view(alice.user_id)
    assert view.holdings[0].locked == D("0.01") * D("30000") * D("1.001")  # only the resting order's lock


async def test_reconcile_books_fills_made_while_down_even_if_the_status_did_not_change(  # type: ignore[no-untyped-def]
    container: Container, alice, monkeypatch
) -> None:
    from engine.venues.base import VenueFill, VenueOrderUpdate

    oms = container.services.oms
    placed = await oms.place(intent(alice, "part", price=D("30000")))
    first = VenueFill("trade-1", D("0.004"), D("30000"), D("0.12"), "USDT", 1)
    client_id, partly = placed.order.client_order_id, OrderStatus.PARTIALLY_FILLED
    oms.apply_update(placed.order.id, VenueOrderUpdate(client_id, "v1", partly, (first,)))
    second = VenueFill("trade-2", D("0.003"), D("30000"), D("0.09"), "USDT", 2)
    seen_at_restart = VenueOrderUpdate(client_id, "v1", partly, (first, second))

    async def fetch_order(symbol: str, client_order_id: str) -> VenueOrderUpdate:
        return seen_at_restart

    monkeypatch.setattr(container.paper, "fetch_order", fetch_order)
    assert (await oms.reconcile())["updated"] == 1
    after = oms.order(alice.user_id, placed.order.id)
    assert after.status is OrderStatus.PARTIALLY_FILLED and after.filled_quantity == D("0.007")
    btc = next(h for h in (await container.services.portfolio.view(alice.user_id)).holdings if h.asset == "BTC")
    assert btc.total == D("0.007")  # trade-1 is not booked twice


async def test_kill_switch_blocks_new_orders(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    container.services.oms.set_kill_switch(True)
    with pytest.raises(UserInputError, match="kill switch"):
        await container.services.oms.place(intent(alice, "k"))
    container.services.oms.set_kill_switch(False)
    assert (await container.services.oms.place(intent(alice, "k"))).order.status is OrderStatus.FILLED


async def test_events_are_written_to_the_outbox_with_the_fill(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    seen = []
    container.bus.subscribe("order.*", seen.append)
    await container.services.oms.place(intent(alice, "e"))
    with container.db.connect() as conn:
        stored = [row.type for row in conn.execute(select(repo.outbox_t.c.type).order_by(repo.outbox_t.c.id))]
    assert stored == ["order.placed", "order.filled"] == [e.type for e in seen]


async def test_a_fill_reported_twice_is_booked_once(container: Container, alice) -> None:  # type: ignore[no-untyped-def]
    """Remote venues re-send fills after a reconnect; the same trade id must not move money twice."""
    from engine.venues.base import VenueFill, VenueOrderUpdate

    oms = container.services.oms
    placed = await oms.place(intent(alice, "rest", price=D("30000")))
    fill = VenueFill("trade-1", D("0.004"), D("30000"), D("0.12"), "USDT", 1)
    partial = VenueOrderUpdate(placed.order.client_order_id, "v1", OrderStatus.PARTIALLY_FILLED, (fill,))
    first = oms.apply_update(placed.order.id, partial)
    again = oms.apply_update(placed.order.id, partial)
    assert first.filled_quantity == again.filled_quantity == D("0.004")
    assert counts(container) == (1, 1)
    btc = next(h for h in (await container.services.portfolio.view(alice.user_id)).holdings if h.asset == "BTC")
    assert btc.total == D("0.004")
