"""Polling fills of working orders through the venue against the fake exchange."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from engine.domain import ClientOrderId, OrderStatus, OrderType, Side
from engine.venues.base import OrderRequest, VenueOrderUpdate
from engine.venues.ccxt.polling import OrderPoller
from tests.fakes.exchange_conftest import ExchangeCase


async def test_poller_reports_each_fill_once_and_stops_at_the_final_state(exchange_case: ExchangeCase) -> None:
    venue, fake = exchange_case.venue(), exchange_case.fake
    request = OrderRequest(
        ClientOrderId("polled-1"), "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.01"), Decimal("29000")
    )
    placed = await venue.submit(request)
    received: list[VenueOrderUpdate] = []

    async def collect(update: VenueOrderUpdate) -> None:
        received.append(update)

    poller = OrderPoller(venue, collect)
    poller.track("BTC/USDT", request.client_order_id, placed.status)
    order = fake.order_by_client_id(venue.exchange_client_id("polled-1"))

    quiet = await poller.poll_once()
    fake.fill(order, Decimal("0.004"))
    partial = await poller.poll_once()
    fake.fail_next("*", status=503, times=20)  # the venue is down for a round
    skipped = await poller.poll_once()
    fake.faults.clear()
    fake.fill(order, Decimal("0.006"))
    final = await poller.poll_once()

    assert quiet == [] and skipped == []
    assert [(update.status, [fill.quantity for fill in update.fills]) for update in received] == [
        (OrderStatus.PARTIALLY_FILLED, [Decimal("0.004")]),
        (OrderStatus.FILLED, [Decimal("0.006")]),
    ]
    assert partial == received[:1] and final == received[1:]
    assert poller.tracked == frozenset()


async def test_run_polls_until_stopped(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue()
    stop = asyncio.Event()
    rounds: list[float] = []

    async def sleep(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) == 3:
            stop.set()
        await asyncio.sleep(0)

    async def ignore(update: VenueOrderUpdate) -> None:
        raise AssertionError(f"nothing is tracked, got {update}")

    await OrderPoller(venue, ignore, interval_s=0.5, sleep=sleep).run(stop)

    assert rounds == [0.5, 0.5, 0.5]
