"""Limit orders resting on a configured exchange: fills that happen later are found and booked once."""

from __future__ import annotations

from decimal import Decimal

from engine.venues.accounts import VenueAccounts
from engine.venues.tracking import poll_working_orders
from tests.engine.venues.conftest import exchange_spec
from tests.kit.hubdriver import HubDriver


async def test_a_resting_order_filled_later_is_booked_once(
    trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case
) -> None:
    case = await make_exchange_case("kucoin")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case, "kucoin"))
    placed = await trader.push("buy 0.01 BTC/USDT @ 29000 on kucoin")
    services = trader.container.services
    resting = case.fake.order_by_client_id(next(iter(case.fake.state.orders.values())).client_id)

    nothing_yet = await poll_working_orders(services.oms, services.venues)
    case.fake.fill(resting, Decimal("0.004"))
    partly = await poll_working_orders(services.oms, services.venues)
    case.fake.fill(resting, Decimal("0.006"))
    filled = await poll_working_orders(services.oms, services.venues)
    after = await poll_working_orders(services.oms, services.venues)

    assert placed.ok and placed.data["order"]["status"] == "open"
    assert (nothing_yet, partly, filled, after) == (0, 1, 1, 0)
    fills = (await trader.push("fills")).data["fills"]
    assert sorted(Decimal(f["quantity"]) for f in fills) == [Decimal("0.004"), Decimal("0.006")]
    order = (await trader.push("orders on kucoin")).data["orders"][0]
    assert (order["status"], Decimal(order["filled_quantity"])) == ("filled", Decimal("0.01"))


async def test_paper_orders_are_left_to_the_paper_venue(trader: HubDriver) -> None:
    await trader.push("buy 0.01 BTC/USDT @ 1000")
    services = trader.container.services

    assert await poll_working_orders(services.oms, services.venues) == 0
