"""Smart order routing (TRADEHUB_SMART_ROUTING=true): an order without `on` goes to the cheaper exchange."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from engine.clock import FakeClock
from engine.venues.accounts import VenueAccounts
from engine.venues.plugin import accounts
from engine.venues.routing import walk_book
from hub.app.container import Container, build
from hub.principals import Role
from tests.conftest import make_settings
from tests.engine.venues.conftest import MASTER_KEY, exchange_spec
from tests.fakes.exchange_state import FakeMarket
from tests.kit.hubdriver import HubDriver


def btc(last: str) -> list[FakeMarket]:
    return [FakeMarket("BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"), Decimal("0.00001"),
                       Decimal("5"), Decimal(last))]  # fmt: skip


@pytest.fixture
async def routed(
    monkeypatch: pytest.MonkeyPatch, keyed_container: Container, clock: FakeClock
) -> AsyncIterator[tuple[Container, VenueAccounts, HubDriver]]:
    monkeypatch.setenv("TRADEHUB_SMART_ROUTING", "true")
    built = build(make_settings(keyed_container.settings.home, master_key=MASTER_KEY), clock=clock)
    service = accounts(built.db, built.services.venues, built.clock, built.settings)
    driver = HubDriver(built, built.add_user("carol", role=Role.TRADER))
    try:
        yield built, service, driver
    finally:
        await service.close()
        built.close()


def test_walking_the_book_averages_the_levels_taken() -> None:
    levels = [(Decimal(100), Decimal(1)), (Decimal(101), Decimal(1))]

    assert walk_book(levels, Decimal("1.5")) == (Decimal(100) + Decimal("50.5")) / Decimal("1.5")
    assert walk_book(levels, Decimal(3)) is None


async def test_a_buy_without_venue_goes_to_the_cheaper_exchange(routed, make_exchange_case) -> None:
    _, service, carol = routed
    dear = await make_exchange_case("binance", markets=btc("30500"))
    cheap = await make_exchange_case("okx", markets=btc("30000"))
    service.add_exchange(carol.user.user_id, exchange_spec(dear, "binance-main"))
    service.add_exchange(carol.user.user_id, exchange_spec(cheap, "okx-main"))

    bought = await carol.push("buy 0.01 BTC/USDT")
    sold = await carol.push("sell 0.01 BTC/USDT")

    assert bought.ok, bought.text
    assert bought.text.startswith("Routed to okx-main")
    assert bought.data["order"]["venue"] == "okx-main"
    assert {q["venue"] for q in bought.data["routing"]["quotes"]} == {"binance-main", "okx-main"}
    assert sold.ok and sold.data["order"]["venue"] == "binance-main"  # the better bid
    assert cheap.fake.count("create_order") == 1 and dear.fake.count("create_order") == 1


async def test_a_named_venue_or_a_single_account_is_not_routed(routed, make_exchange_case) -> None:
    _, service, carol = routed
    case = await make_exchange_case("binance")
    service.add_exchange(carol.user.user_id, exchange_spec(case, "binance-main"))

    to_paper = await carol.push("buy 0.01 BTC/USDT")
    named = await carol.push("buy 0.01 BTC/USDT on binance-main")

    assert to_paper.ok and to_paper.data["order"]["venue"] == "paper" and "routing" not in to_paper.data
    assert named.ok and named.data["order"]["venue"] == "binance-main"
