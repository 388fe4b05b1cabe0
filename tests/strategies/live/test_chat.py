"""Chat and REST commands: dca, grid, rebalance, strategies, stop."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from engine.events import Event
from strategies.live import LiveRunner
from strategies.live.storage import Status
from tests.kit.hubdriver import HubDriver
from tests.strategies.live.helpers import HOUR_MS, instances, outbox_types


async def test_dca_command_creates_a_running_instance(hub: HubDriver) -> None:
    seen: list[Event] = []
    hub.container.bus.subscribe("strategy.*", seen.append)

    reply = await hub.push("dca $100 BTC/USDT every 1d")

    assert reply.ok and reply.status == 200
    (instance,) = instances(hub.container, hub.user.user_id)
    assert instance.kind == "dca" and instance.symbols == ("BTC/USDT",) and instance.status is Status.RUNNING
    assert dict(instance.params) == {"amount": "100", "every": "1d"}
    assert instance.id in reply.text and "amount=100 every=1d" in reply.text
    assert reply.data["strategy"]["id"] == instance.id
    assert reply.data["strategy"]["cash"] == "10000"  # the whole free USDT balance without budget=
    assert [event.type for event in seen] == ["strategy.started"]
    assert seen[0].data["id"] == instance.id and seen[0].user_id == hub.user.user_id
    assert "strategy.started" in outbox_types(hub.container)


async def test_budget_funds_the_strategy_and_is_not_counted_twice(hub: HubDriver) -> None:
    first = await hub.push("dca $50 ETH/USDT every 4h budget=6000 take_profit=5")
    assert first.ok and first.data["strategy"]["cash"] == "6000"
    assert first.data["strategy"]["params"]["take_profit"] == "5"

    second = await hub.push("dca $50 BTC/USDT every 4h")
    assert second.ok and second.data["strategy"]["cash"] == "4000"

    third = await hub.push("dca $50 BTC/USDT every 4h budget=10")
    assert not third.ok and third.status == 400 and "available 0" in third.text


async def test_grid_without_quantity_spreads_the_budget_over_its_buy_levels(hub: HubDriver) -> None:
    reply = await hub.push("grid BTC/USDT 40000 50000 6 budget=3000")

    assert reply.ok
    quantity = Decimal(reply.data["strategy"]["params"]["quantity"])
    buy_levels = [Decimal(level) for level in (40000, 42000, 44000, 46000, 48000)]
    assert quantity * sum(buy_levels) <= 3000 < (quantity + Decimal("0.00001")) * sum(buy_levels)


async def test_rebalance_maps_assets_to_usdt_markets_and_keeps_the_usdt_share_in_cash(hub: HubDriver) -> None:
    reply = await hub.push("rebalance BTC=40% ETH=40% USDT=20% every 1d threshold 5% min $20")

    assert reply.ok
    data = reply.data["strategy"]
    assert data["symbols"] == ["BTC/USDT", "ETH/USDT"]
    assert data["params"] == {"weights": "BTC/USDT:0.4,ETH/USDT:0.4", "every": "1d", "threshold": "5",
                              "min_trade": "20"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dca $100 BTC/USDT every 1d take_profit=abc", "`take_profit` must be a number"),
        ("dca $100 BTC/USDT every 1d colour=blue", "unknown parameter `colour`"),
        ("dca $100 BTC/USDT every 1d budget=20000", "more than your available"),
        ("dca $100 BTC/USDT every 1d amount=5", "`amount` is already given"),
        ("dca $100 DOGE/USDT every 1d", "unknown symbol DOGE/USDT"),
        ("grid BTC/USDT 40000 50000 5 quantity=1", "this grid can need"),
        ("grid BTC/USDT 40000 50000 5 mode=fibonacci", "`mode` must be one of"),
        ("rebalance USDT=50% BTC=50%", "rebalance needs `every`"),
    ],
)
async def test_bad_parameters_give_a_clear_400_and_create_nothing(hub: HubDriver, text: str, message: str) -> None:
    reply = await hub.push(text)

    assert not reply.ok and reply.status == 400 and reply.error_code is not None
    assert message in reply.text
    assert instances(hub.container, hub.user.user_id) == []
    assert "strategy.started" not in outbox_types(hub.container)


async def test_bad_parameters_over_rest_are_a_400_with_the_error_body(hub: HubDriver, api: object) -> None:
    key = hub.container.services.users.create_key("alice")
    async with httpx.AsyncClient(base_url=api.url, timeout=30) as client:  # type: ignore[attr-defined]
        response = await client.post("/api/v1/commands", json={"text": "dca $100 BTC/USDT every 1d dip=-3"},
                                     headers={"Authorization": f"Bearer {key}"})  # fmt: skip

    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] and "`dip` must be greater than 0" in body["error"]["message"]
    assert instances(hub.container, hub.user.user_id) == []


async def test_strategies_lists_status_and_pnl_from_the_strategy_ledger(hub: HubDriver, runner: LiveRunner) -> None:
    assert (await hub.push("strategies")).text.startswith("No strategies")
    await hub.push("dca $100 BTC/USDT every 1d budget=1000")
    hub.container.clock.advance(HOUR_MS)
    await runner.step()

    reply = await hub.push("strategies")

    (item,) = reply.data["strategies"]
    assert item["status"] == "running"
    (fill,) = hub.container.services.oms.fills(hub.user.user_id)
    assert Decimal(item["cash"]) == 1000 - fill.quantity * fill.price - fill.fee
    assert Decimal(item["positions"]["BTC/USDT"]) == fill.quantity > 0
    assert Decimal(item["pnl"]) == Decimal(item["equity"]) - Decimal(1000)
    assert Decimal(item["pnl"]) != 0  # fees and the price move since the buy
    assert f"P&L {Decimal(item['pnl']):+.2f}" in reply.text and "[running]" in reply.text


async def test_another_users_strategy_cannot_be_stopped(hub: HubDriver) -> None:
    started = await hub.push("dca $100 BTC/USDT every 1d")
    bob = hub.add_user("bob")

    reply = await hub.push(f"stop {started.data['strategy']['id']}", as_user=bob)

    assert not reply.ok and reply.status == 404
    (instance,) = instances(hub.container, hub.user.user_id)
    assert instance.status is Status.RUNNING
