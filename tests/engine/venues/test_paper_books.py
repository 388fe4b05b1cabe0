"""The paper venue matches limit orders against an L2 book when one is available (hft_core's engine)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from engine.domain import OrderStatus, Side
from engine.orders.intent import OrderIntent
from engine.venues.paper.books import BookMatcher
from hft_core.book import OrderBook
from hft_core.scale import TickScale
from hub.app.container import Container
from hub.principals import Role


@pytest.fixture
def book(container: Container) -> OrderBook:
    instrument = container.paper.instrument_now("BTC/USDT")
    book = OrderBook("BTC/USDT", TickScale.of(instrument.tick_size, instrument.step_size))
    book.apply_snapshot_decimal(bids=[("46200", "1")], asks=[("46250", "0.004"), ("46280", "0.004"), ("46400", "1")])
    config = container.paper.config
    container.paper.books = BookMatcher(
        lambda symbol: book if symbol == "BTC/USDT" else None,
        taker_fee_rate=config.taker_fee_rate,
        maker_fee_rate=config.maker_fee_rate,
        clock_ms=container.clock.now_ms,
    )
    return book


async def holdings(container: Container, user_id: int) -> dict[str, tuple[D, D]]:
    view = await container.services.portfolio.view(user_id)
    return {h.asset: (h.total, h.locked) for h in view.holdings}


async def test_limit_buy_takes_book_depth_then_rests_and_fills_when_the_book_crosses(
    container: Container, book: OrderBook
) -> None:
    alice = container.add_user("alice", role=Role.TRADER)
    oms = container.services.oms
    intent = OrderIntent(alice.user_id, "BTC/USDT", Side.BUY, "k1", quantity=D("0.01"), price=D("46300"))
    placed = (await oms.place(intent)).order
    # takes 0.004 @ 46250 and 0.004 @ 46280 (taker), rests 0.002 @ 46300
    assert placed.status is OrderStatus.PARTIALLY_FILLED and placed.filled_quantity == D("0.008")
    assert placed.average_fill_price == D("46265")
    btc, usdt = (await holdings(container, alice.user_id))["BTC"], (await holdings(container, alice.user_id))["USDT"]
    assert btc == (D("0.008"), D(0))
    assert usdt[1] == D("0.002") * D("46300") * D("1.001")  # the lock left for the resting part
    assert oms.on_tick() == []  # the book does not cross 46300 yet
    book.set_ask(book.scale.to_ticks("46290"), book.scale.to_lots("0.5"))
    (filled,) = oms.on_tick()
    assert filled.status is OrderStatus.FILLED and filled.filled_quantity == D("0.01")
    fills = oms.fills(alice.user_id)
    assert [(f.price, f.quantity, f.liquidity) for f in reversed(fills)] == [
        (D("46250"), D("0.004"), "taker"),
        (D("46280"), D("0.004"), "taker"),
        (D("46300"), D("0.002"), "maker"),
    ]
    assert (await holdings(container, alice.user_id))["USDT"][1] == 0


async def test_cancel_of_an_order_resting_on_the_book_releases_its_lock(container: Container, book: OrderBook) -> None:
    alice = container.add_user("alice", role=Role.TRADER)
    oms = container.services.oms
    placed = (await oms.place(
        OrderIntent(alice.user_id, "BTC/USDT", Side.BUY, "k2", quantity=D("0.01"), price=D("46100"))
    )).order  # fmt: skip
    assert placed.status is OrderStatus.OPEN
    assert await container.paper.fetch_order("BTC/USDT", placed.client_order_id) is not None
    canceled = await oms.cancel(alice.user_id, placed.id)
    assert canceled.status is OrderStatus.CANCELED
    assert (await holdings(container, alice.user_id))["USDT"] == (D("10000"), D(0))


async def test_symbols_without_a_book_keep_the_candle_path(container: Container, book: OrderBook) -> None:
    alice = container.add_user("alice", role=Role.TRADER)
    placed = (await container.services.oms.place(
        OrderIntent(alice.user_id, "ETH/USDT", Side.BUY, "k3", quantity=D("0.1"), price=D("3000"))
    )).order  # fmt: skip
    assert placed.status is OrderStatus.OPEN and container.paper.books.resting(placed.client_order_id) is None
