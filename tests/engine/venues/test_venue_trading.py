"""Configured exchange accounts through the hub: `buy ... on NAME` -> OMS -> ccxt -> the fake exchange."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.clock import FakeClock
from engine.venues.accounts import VenueAccounts
from engine.venues.managed import ManagedVenue
from hub.app.container import Container, build
from hub.principals import Role
from tests.conftest import make_settings
from tests.engine.venues.conftest import MASTER_KEY, exchange_spec
from tests.fakes.exchange_conftest import ExchangeCase
from tests.kit.hubdriver import HubDriver


@pytest.fixture
async def binance_main(trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case) -> ExchangeCase:
    """A fake binance added by ``alice`` as ``binance-main``."""
    case = await make_exchange_case("binance")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case))
    return case


async def test_buy_on_a_configured_exchange_reaches_the_exchange_and_books_the_fill(
    trader: HubDriver, venue_accounts: VenueAccounts, binance_main: ExchangeCase
) -> None:
    case = binance_main

    reply = await trader.push("buy 0.01 BTC/USDT on binance-main")

    assert reply.ok, reply.text
    order = reply.data["order"]
    assert (order["venue"], order["status"], order["filled_quantity"]) == ("binance-main", "filled", "0.01")
    assert case.fake.count("create_order") == 1
    placed = next(iter(case.fake.state.orders.values()))
    assert (placed.side, placed.quantity, placed.status) == ("buy", Decimal("0.01"), "filled")
    orders = await trader.push("orders on binance-main")
    assert [o["id"] for o in orders.data["orders"]] == [order["id"]]
    assert (await trader.push("orders on paper")).data["orders"] == []


async def test_retrying_a_message_places_one_exchange_order(
    trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case
) -> None:
    case = await make_exchange_case("okx")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case, "okx-1"))

    first = await trader.push("buy 0.01 BTC/USDT @ 29000 on okx-1", key="tg-42")
    again = await trader.push("buy 0.01 BTC/USDT @ 29000 on okx-1", key="tg-42")

    assert first.ok and again.ok
    assert first.data["order"]["status"] == "open"
    assert again.data["order"]["id"] == first.data["order"]["id"]
    assert len(case.fake.state.orders) == 1


async def test_balance_on_a_venue_shows_the_exchange_account(
    trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case
) -> None:
    case = await make_exchange_case("kraken")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case, "kraken"))

    reply = await trader.push("balance on kraken")

    assert reply.ok, reply.text
    totals = {h["asset"]: Decimal(h["total"]) for h in reply.data["holdings"]}
    assert totals == {"USDT": Decimal("10000"), "BTC": Decimal("0.5"), "ETH": Decimal("2")}
    assert "BTC (kraken): 0.5" in reply.text


async def test_selling_more_than_the_exchange_holds_is_refused_before_sending(
    trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case
) -> None:
    case = await make_exchange_case("bybit")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case, "bybit"))

    reply = await trader.push("sell 0.6 BTC/USDT on bybit")

    assert not reply.ok
    assert reply.error_code == "insufficient_balance"
    assert case.fake.count("create_order") == 0


async def test_portfolio_values_paper_and_exchange_holdings_together_in_usd(
    trader: HubDriver, venue_accounts: VenueAccounts, binance_main: ExchangeCase
) -> None:

    reply = await trader.push("portfolio")

    assert reply.ok, reply.text
    values = {(h["venue"], h["asset"]): Decimal(h["value"]) for h in reply.data["holdings"]}
    assert values[("binance-main", "BTC")] == Decimal("0.5") * 30000
    assert values[("binance-main", "ETH")] > 0
    assert values[("paper", "USDT")] == Decimal("10000")
    assert Decimal(reply.data["equity"]) == sum(values.values())


async def test_another_user_cannot_trade_on_someone_elses_account(
    trader: HubDriver, venue_accounts: VenueAccounts, binance_main: ExchangeCase
) -> None:
    case = binance_main
    mallory = trader.add_user("mallory", Role.TRADER)

    reply = await trader.push("buy 0.01 BTC/USDT on binance-main", as_user=mallory)

    assert not reply.ok
    assert case.fake.count("create_order") == 0


async def test_a_removed_account_is_no_longer_a_venue(
    trader: HubDriver, venue_accounts: VenueAccounts, binance_main: ExchangeCase
) -> None:
    await trader.push("balance on binance-main")  # connects it

    await venue_accounts.remove("binance-main")
    reply = await trader.push("buy 0.01 BTC/USDT on binance-main")

    assert not reply.ok and reply.error_code == "unknown_venue"
    assert venue_accounts.list() == []


async def test_stored_accounts_are_registered_when_the_app_starts(
    keyed_container: Container, venue_accounts: VenueAccounts, trader: HubDriver, binance_main: ExchangeCase,
    clock: FakeClock,
) -> None:  # fmt: skip
    case = binance_main
    home = keyed_container.settings.home  # a second process on the same database

    restarted = build(make_settings(home, master_key=MASTER_KEY), clock=clock)
    try:
        venue = restarted.services.venues.get("binance-main")
        assert isinstance(venue, ManagedVenue) and "not connected" in repr(venue)
        reply = await HubDriver(restarted, trader.user).push("buy 0.01 BTC/USDT on binance-main")
        assert reply.ok, reply.text
        assert case.fake.count("create_order") == 1
    finally:
        await venue.close()
        restarted.close()


async def test_without_the_master_key_a_stored_venue_is_refused_clearly(
    keyed_container: Container, venue_accounts: VenueAccounts, trader: HubDriver, binance_main: ExchangeCase,
    clock: FakeClock,
) -> None:  # fmt: skip
    case = binance_main
    home = keyed_container.settings.home  # a second process on the same database

    restarted = build(make_settings(home), clock=clock)
    try:
        reply = await HubDriver(restarted, trader.user).push("buy 0.01 BTC/USDT on binance-main")
        paper = await HubDriver(restarted, trader.user).push("buy 0.01 BTC/USDT")
    finally:
        restarted.close()

    assert not reply.ok and "TRADEHUB_MASTER_KEY is not set" in reply.text
    assert paper.ok, paper.text
    assert case.fake.count("create_order") == 0


async def test_holdings_the_account_had_before_can_be_sold(trader: HubDriver, binance_main: ExchangeCase) -> None:
    reply = await trader.push("sell 0.02 BTC/USDT on binance-main")

    assert reply.ok, reply.text
    assert (reply.data["order"]["status"], reply.data["order"]["filled_quantity"]) == ("filled", "0.02")
    balance = await trader.push("balance on binance-main")
    totals = {h["asset"]: Decimal(h["total"]) for h in balance.data["holdings"]}
    assert totals["BTC"] == Decimal("0.48")
    assert binance_main.fake.count("create_order") == 1
