"""The server's fill tracking on a streaming exchange (binance's user data stream, through ccxt.pro):
fills pushed over the websocket are booked without polling; a dropped stream falls back to polling,
comes back, and no fill is lost or booked twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from decimal import Decimal

from engine.domain import Order, OrderStatus
from engine.venues.accounts import VenueAccounts
from engine.venues.credentials import CredentialBox
from engine.venues.tracker import OrderTracker, TrackingSettings
from hub.app.container import Container
from tests.engine.venues.conftest import MASTER_KEY, exchange_spec
from tests.fakes.exchange import FakeOrder
from tests.fakes.exchange_conftest import ExchangeCase
from tests.kit.hubdriver import HubDriver

# Streams settle fast and the safety poll never comes within a test: any poll seen is a fallback poll.
STREAMING = TrackingSettings(
    poll_interval_s=0.1, safety_poll_s=3600, stream_settle_s=0.2, restart_delay_s=0.05, restart_max_delay_s=0.5
)


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def stored_order(trader: HubDriver, venue: str) -> Order:
    return trader.container.services.oms.orders(trader.user.user_id, venue=venue)[0]


def resting_order(case: ExchangeCase) -> FakeOrder:
    return next(order for order in case.fake.state.orders.values() if order.status == "open")


async def place_resting_buy(trader: HubDriver, venue: str) -> None:
    placed = await trader.push(f"buy 0.01 BTC/USDT @ 29000 on {venue}")
    assert placed.ok and placed.data["order"]["status"] == "open", placed.text


def booked_fills(trader: HubDriver, venue: str) -> list[Decimal]:
    fills = trader.container.services.oms.fills(trader.user.user_id, venue=venue)
    return sorted(fill.quantity for fill in fills)


async def test_a_resting_order_is_booked_filled_from_the_websocket_without_polling(
    trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case
) -> None:
    case = await make_exchange_case("binance")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case, "binance-ws"))
    services = trader.container.services

    async with OrderTracker(services.oms, services.venues, STREAMING) as tracker:
        worker = tracker.worker("binance-ws")
        await until(lambda: worker.caught_up, "the order stream to be live")
        await place_resting_buy(trader, "binance-ws")
        lookups, rounds = case.fake.count("fetch_order"), worker.poll_rounds
        resting = resting_order(case)
        case.fake.fill(resting, Decimal("0.004"))
        case.fake.fill(resting, Decimal("0.006"), Decimal("28990"))
        await until(lambda: stored_order(trader, "binance-ws").status is OrderStatus.FILLED, "the fills to be booked")

        assert (case.fake.count("fetch_order"), worker.poll_rounds) == (lookups, rounds)
        assert worker.streamed_updates >= 2
    order = stored_order(trader, "binance-ws")
    assert order.filled_quantity == Decimal("0.01")
    assert booked_fills(trader, "binance-ws") == [Decimal("0.004"), Decimal("0.006")]


async def test_a_dropped_stream_falls_back_to_polling_and_comes_back_without_double_booking(
    trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case
) -> None:
    case = await make_exchange_case("binance")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case, "binance-ws"))
    services = trader.container.services

    async with OrderTracker(services.oms, services.venues, STREAMING) as tracker:
        worker = tracker.worker("binance-ws")
        await until(lambda: worker.caught_up, "the order stream to be live")
        await place_resting_buy(trader, "binance-ws")
        resting = resting_order(case)

        assert await case.fake.drop_websockets(refuse=True) == 1
        await until(lambda: not worker.live, "the tracker to notice the dropped stream")
        case.fake.fill(resting, Decimal("0.004"))  # nobody is subscribed: only a poll can see it
        await until(lambda: booked_fills(trader, "binance-ws") == [Decimal("0.004")], "the fallback poll")
        case.fake.refuse_websockets = False
        await until(lambda: worker.caught_up and len(case.fake.state.listeners) == 1, "the stream to come back")
        lookups = case.fake.count("fetch_order")
        case.fake.fill(resting, Decimal("0.006"))
        await until(lambda: stored_order(trader, "binance-ws").status is OrderStatus.FILLED, "the streamed fill")

        assert case.fake.count("fetch_order") == lookups  # the second fill came over the websocket
        sessions = [s for s in case.fake.served if s.operation == "websocket" and s.status == 101]
        assert len(sessions) >= 2
    assert booked_fills(trader, "binance-ws") == [Decimal("0.004"), Decimal("0.006")]
    assert stored_order(trader, "binance-ws").filled_quantity == Decimal("0.01")


async def test_without_a_stream_orders_are_polled(
    trader: HubDriver, keyed_container: Container, make_exchange_case
) -> None:
    case = await make_exchange_case("kucoin")
    services = trader.container.services
    accounts = VenueAccounts(keyed_container.db, services.venues, CredentialBox(MASTER_KEY), keyed_container.clock,
                             exchange_overrides={"websocket": False})  # fmt: skip
    accounts.add_exchange(trader.user.user_id, exchange_spec(case, "kucoin"))

    try:
        async with OrderTracker(services.oms, services.venues, STREAMING) as tracker:
            worker = tracker.worker("kucoin")
            await place_resting_buy(trader, "kucoin")
            case.fake.fill(resting_order(case), Decimal("0.01"))
            await until(lambda: stored_order(trader, "kucoin").status is OrderStatus.FILLED, "the polled fill")

            assert not worker.live and worker.stream_starts == 0
    finally:
        await accounts.close()
    assert booked_fills(trader, "kucoin") == [Decimal("0.01")]
