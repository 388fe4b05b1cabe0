"""Fills pushed over binance's websocket API (ccxt.pro watch_orders) from the fake exchange."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from engine.domain import ClientOrderId, OrderStatus, OrderType, Side
from engine.errors import OperatorError, VenueError
from engine.venues.base import OrderRequest, VenueOrderUpdate
from engine.venues.ccxt import Credentials
from tests.fakes.exchange_conftest import TEST_CREDENTIALS, ExchangeCase

#: seconds to wait for the websocket (ccxt.pro connects and authenticates) on a loaded 2-core CI box
WAIT_S = 30


async def _until_subscribed(case: ExchangeCase) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if case.fake.state.listeners:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the venue never subscribed to the user data stream")


async def test_fills_arrive_over_the_websocket_once_each(make_exchange_case) -> None:
    case = await make_exchange_case("binance")
    venue = case.venue()
    request = OrderRequest(
        ClientOrderId("ws-1"), "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.01"), Decimal(29000)
    )
    await venue.submit(request)
    received: list[VenueOrderUpdate] = []

    async def consume() -> None:
        async for update in venue.watch_updates():
            received.append(update)
            if update.status.is_terminal:
                return

    consumer = asyncio.create_task(consume())
    await _until_subscribed(case)
    order = case.fake.order_by_client_id(venue.exchange_client_id("ws-1"))
    case.fake.fill(order, Decimal("0.004"))
    case.fake.fill(order, Decimal("0.006"), Decimal("28990"))
    await asyncio.wait_for(consumer, timeout=WAIT_S)

    fills = [fill for update in received for fill in update.fills]
    assert venue.streams_orders
    assert received[-1].status is OrderStatus.FILLED
    assert all(update.client_order_id == "ws-1" for update in received)
    assert sorted((fill.quantity, fill.price) for fill in fills) == [
        (Decimal("0.004"), Decimal(29000)),
        (Decimal("0.006"), Decimal(28990)),
    ]
    assert len({fill.trade_id for fill in fills}) == 2
    assert case.fake.count("websocket") == 1


async def test_stream_subscription_with_a_wrong_secret_fails_without_echoing_it(make_exchange_case) -> None:
    case = await make_exchange_case("binance")
    wrong = Credentials(TEST_CREDENTIALS["binance"].api_key, "NotTheSecret0123456789abcdefABCDEF")
    venue = case.venue(credentials=wrong)

    with pytest.raises(VenueError) as caught:
        await asyncio.wait_for(anext(venue.watch_updates()), timeout=WAIT_S)

    assert wrong.secret not in str(caught.value)


async def test_without_websocket_the_venue_says_to_poll(exchange_case: ExchangeCase) -> None:
    venue = exchange_case.venue(websocket=False)

    assert not venue.streams_orders
    with pytest.raises(OperatorError, match="poll with OrderPoller"):
        await anext(venue.watch_updates())
