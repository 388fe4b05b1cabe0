"""The monitor against real paper trades on the replayed candles: one alert per breach, cooldowns, restarts."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from engine.clock import FakeClock
from engine.riskmonitor.alerts import list_alerts
from engine.riskmonitor.measures import asset_values, cents
from engine.riskmonitor.plugin import build_monitor
from engine.storage.repository import outbox_t
from hub.app.container import build
from tests.engine.riskmonitor.desk import DAY_MS, HOUR_MS, Desk


async def test_concentration_breach_fires_one_alert_with_the_measured_share(desk: Desk) -> None:
    desk.set_rules(concentration="40%")
    await desk.run(desk.alice, "buy 0.1 BTC/USDT")

    fired = await desk.monitor.evaluate_all()
    again = await desk.monitor.evaluate_all() + await desk.monitor.evaluate_user(desk.alice.user_id)

    view = await desk.container.services.portfolio.view(desk.alice.user_id)
    share = cents(asset_values(view)["BTC"] / view.equity * 100)
    assert share > 40
    assert [(a.rule, a.value, a.limit, a.symbol) for a in fired] == [("concentration", share, Decimal(40), "BTC/USDT")]
    assert again == []
    assert "alice: BTC is" in fired[0].message


async def test_exposure_breach_fires_once(desk: Desk) -> None:
    desk.set_rules(exposure="3000")
    await desk.run(desk.alice, "buy 0.05 BTC/USDT")
    await desk.run(desk.alice, "buy 1 ETH/USDT")

    fired = await desk.monitor.evaluate_all()
    assert await desk.monitor.evaluate_all() == []

    view = await desk.container.services.portfolio.view(desk.alice.user_id)
    assert [a.rule for a in fired] == ["exposure"]
    assert fired[0].value == cents(sum(asset_values(view).values()))


async def test_daily_loss_counts_fees_and_slippage_since_the_day_opened(desk: Desk) -> None:
    desk.set_rules(daily_loss="5")
    assert await desk.monitor.evaluate_all() == []  # the day opens at 10,000 USDT

    await desk.run(desk.alice, "buy 0.1 BTC/USDT")
    fired = await desk.monitor.evaluate_all()

    view = await desk.container.services.portfolio.view(desk.alice.user_id)
    assert [a.rule for a in fired] == ["daily_loss"]
    assert fired[0].value == cents(Decimal(10000) - view.equity) > 5
    assert await desk.monitor.evaluate_all() == []


async def test_var_needs_price_history_then_fires_above_the_budget(desk: Desk) -> None:
    desk.set_rules(var_budget="50")
    await desk.run(desk.alice, "buy 0.1 BTC/USDT")
    assert await desk.monitor.evaluate_all() == []  # the replay has just started: no history, no VaR
    assert (await desk.monitor.measures(desk.alice.user_id)).var_1d is None

    clock = desk.container.clock
    assert isinstance(clock, FakeClock)
    clock.advance(10 * DAY_MS)
    fired = await desk.monitor.evaluate_all()

    assert [a.rule for a in fired] == ["var"]
    assert fired[0].value > 50
    assert await desk.monitor.evaluate_all() == []


async def test_drawdown_from_peak_fires_once_while_it_lasts(desk: Desk) -> None:
    clock = desk.container.clock
    assert isinstance(clock, FakeClock)
    desk.set_rules(max_drawdown="1%", cooldown="7d")
    await desk.run(desk.alice, "buy 0.2 BTC/USDT")
    fired = []
    for _ in range(80):  # January 2022: BTC falls; step 6 h at a time until the drawdown passes 1%
        clock.advance(6 * HOUR_MS)
        fired = await desk.monitor.evaluate_all()
        if fired:
            break
    measures = await desk.monitor.measures(desk.alice.user_id)

    assert [a.rule for a in fired] == ["drawdown"]
    assert fired[0].value == measures.drawdown_pct > 1
    assert measures.peak_equity > measures.equity
    assert await desk.monitor.evaluate_all() == []


async def test_alert_is_published_and_written_to_the_outbox_for_webhooks(desk: Desk) -> None:
    desk.set_rules(concentration="40%")
    await desk.run(desk.alice, "buy 0.1 BTC/USDT")

    [alert] = await desk.monitor.evaluate_all()

    [event] = desk.events
    assert event.type == "risk.alert" and event.user_id == desk.alice.user_id
    assert event.data["alert_id"] == alert.id and event.data["rule"] == "concentration"
    assert event.data["team"] == "desk" and event.data["account"] == "alice"
    with desk.container.db.connect() as conn:
        rows = conn.execute(select(outbox_t).where(outbox_t.c.event_id == event.id)).all()
    assert [(r.type, r.user_id, r.payload["alert_id"]) for r in rows] == [("risk.alert", desk.alice.user_id, alert.id)]


async def test_a_new_breach_inside_the_cooldown_waits_for_it_to_pass(desk: Desk) -> None:
    clock = desk.container.clock
    assert isinstance(clock, FakeClock)
    desk.set_rules(concentration="40%", cooldown="30m")
    await desk.run(desk.alice, "buy 0.1 BTC/USDT")
    assert len(await desk.monitor.evaluate_all()) == 1

    await desk.run(desk.alice, "sell 100% BTC/USDT")
    assert await desk.monitor.evaluate_all() == []  # the breach is over
    clock.advance(5 * 60_000)
    await desk.run(desk.alice, "buy 0.1 BTC/USDT")
    assert await desk.monitor.evaluate_all() == []  # breached again, but 5 min after the last alert
    clock.advance(20 * 60_000)
    assert await desk.monitor.evaluate_all() == []
    clock.advance(6 * 60_000)
    later = await desk.monitor.evaluate_all()

    assert [a.rule for a in later] == ["concentration"]
    assert len(desk.events) == 2


async def test_restart_does_not_fire_the_same_breach_again(desk: Desk) -> None:
    desk.set_rules(concentration="40%")
    await desk.run(desk.alice, "buy 0.1 BTC/USDT")
    assert len(await desk.monitor.evaluate_all()) == 1

    restarted = build(desk.container.settings, clock=desk.container.clock)
    try:
        fired = await build_monitor(restarted).evaluate_all()
    finally:
        restarted.close()

    assert fired == []
    assert len(list_alerts(desk.container.db, team="desk", user_id=desk.alice.user_id)) == 1


async def test_teams_are_isolated(desk: Desk) -> None:
    desk.set_rules("desk", concentration="40%")
    desk.set_rules("other", concentration="90%")
    await desk.run(desk.bob, "buy 0.1 BTC/USDT")  # 42% of bob's equity: fine by team other's rule

    assert await desk.monitor.evaluate_all() == []
    await desk.run(desk.alice, "buy 0.1 BTC/USDT")
    fired = await desk.monitor.evaluate_all()

    assert [(a.team, a.user_id) for a in fired] == [("desk", desk.alice.user_id)]
    assert list_alerts(desk.container.db, team="other", user_id=desk.bob.user_id) == []
    assert [a.id for a in list_alerts(desk.container.db, team="desk", user_id=desk.carol.user_id)] == [fired[0].id]


async def test_users_without_team_rules_are_not_monitored(desk: Desk) -> None:
    loner = desk.container.add_user("dave")
    await desk.run(loner, "buy 0.2 BTC/USDT")
    desk.set_rules("desk", concentration="1%")

    assert await desk.monitor.evaluate_user(loner.user_id) == []
    assert await desk.monitor.evaluate_user(desk.bob.user_id) == []  # team other has no rules
