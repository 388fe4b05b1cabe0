"""The dispatcher through the hub driver: permissions, audit, idempotency, confirmations."""

from __future__ import annotations

from decimal import Decimal as D

from sqlalchemy import func, select

from engine.storage import repository as repo
from hub import audit
from hub.dispatch import Hub
from hub.handlers import HANDLERS
from hub.principals import Role
from tests.kit.hubdriver import HubDriver


def order_count(hub: HubDriver) -> int:
    with hub.container.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(repo.orders_t)).scalar_one()


def audit_log(hub: HubDriver) -> list[dict]:
    with hub.container.db.connect() as conn:
        return list(reversed(audit.entries(conn)))


async def test_buy_fills_on_paper_and_shows_in_orders_fills_and_portfolio(hub: HubDriver) -> None:
    reply = await hub.push("buy 0.01 BTC/USDT")
    assert reply.ok and "filled 0.01 at 46240.04" in reply.text
    assert reply.data["order"]["status"] == "filled"
    assert (await hub.push("orders")).data["orders"][0]["id"] == reply.data["order"]["id"]
    assert (await hub.push("fills")).data["fills"][0]["price"] == "46240.04"
    portfolio = await hub.push("portfolio")
    btc = next(h for h in portfolio.data["holdings"] if h["asset"] == "BTC")
    assert D(btc["total"]) == D("0.01")


async def test_viewer_cannot_trade_and_nothing_is_placed(hub: HubDriver) -> None:
    viewer = hub.add_user("vic", Role.VIEWER)
    reply = await hub.push("buy 0.01 BTC/USDT", as_user=viewer)
    assert not reply.ok and reply.status == 403
    assert "needs the trader role" in reply.text
    assert order_count(hub) == 0
    assert (await hub.push("portfolio", as_user=viewer)).ok


async def test_only_admins_may_kill(hub: HubDriver) -> None:
    reply = await hub.push("kill")
    assert reply.status == 403


async def test_every_command_is_audited_with_its_outcome(hub: HubDriver) -> None:
    await hub.push("buy 0.01 BTC/USDT", frontend="telegram")
    await hub.push("bye", frontend="slack")
    first, second = audit_log(hub)
    assert (first["frontend"], first["ok"], first["command"]["family"]) == ("telegram", True, "trade")
    assert first["principal"] == "alice" and first["latency_us"] > 0
    assert (second["frontend"], second["ok"], second["result_code"], second["command"]) == (
        "slack",
        False,
        "bad_command",
        None,
    )


async def test_resent_message_returns_the_first_reply_and_trades_once(hub: HubDriver) -> None:
    first = await hub.push("buy 0.01 BTC/USDT", key="telegram-update-77")
    again = await hub.push("buy 0.01 BTC/USDT", key="telegram-update-77")
    assert again.text == first.text and again.data["order"]["id"] == first.data["order"]["id"]
    assert order_count(hub) == 1
    assert [e["replayed"] for e in audit_log(hub)] == [False, True]


async def test_large_order_needs_confirmation_by_the_same_user_once(hub: HubDriver) -> None:
    ask = await hub.push("buy 0.05 BTC/USDT")  # about 2,311 USD, above the 1,000 default
    assert ask.confirmation is not None and ask.status == 202 and order_count(hub) == 0
    bob = hub.add_user("bob")
    foreign = await hub.push(f"confirm {ask.confirmation.id}", as_user=bob)
    assert foreign.status == 404 and order_count(hub) == 0
    done = await hub.push(f"confirm {ask.confirmation.id}")
    assert done.ok and done.data["order"]["status"] == "filled"
    twice = await hub.push(f"confirm {ask.confirmation.id}")
    assert twice.status == 409 and order_count(hub) == 1


async def test_stale_confirmation_is_refused(hub: HubDriver) -> None:
    ask = await hub.push("buy 0.05 BTC/USDT")
    hub.container.clock.advance(6 * 60 * 1000)
    stale = await hub.push(f"confirm {ask.confirmation.id}")
    assert stale.status == 409 and "expired" in stale.text
    assert order_count(hub) == 0


async def test_order_that_would_fail_is_refused_before_asking_to_confirm(hub: HubDriver) -> None:
    reply = await hub.push("buy 1 BTC/USDT")
    assert reply.confirmation is None and reply.status == 422 and "insufficient USDT" in reply.text


async def test_kill_cancels_open_orders_halts_trading_and_resume_lifts_it(hub: HubDriver) -> None:
    admin = hub.add_user("root", Role.ADMIN)
    resting = await hub.push("buy 0.01 BTC/USDT @ 30000")
    assert resting.data["order"]["status"] == "open"
    ask = await hub.push("kill", as_user=admin)
    done = await hub.push(f"confirm {ask.confirmation.id}", as_user=admin)
    assert done.ok and done.data == {"kill_switch": True, "canceled": 1}
    refused = await hub.push("buy 0.01 BTC/USDT")
    assert refused.status == 422 and "kill switch" in refused.text
    alerts = await hub.push("alerts")
    assert alerts.data["alerts"][0]["data"]["kind"] == "kill_switch"
    await hub.push("resume", as_user=admin)
    assert (await hub.push("buy 0.01 BTC/USDT")).ok


async def test_bad_input_gets_a_clear_error_and_places_nothing(hub: HubDriver) -> None:
    cases = {
        "buy -1 BTC/USDT": "must be positive",
        "buy 0 BTC/USDT": "must be greater than zero",
        "buy abc BTC/USDT": "abc",
        "buy 99999999999999 BTC/USDT": "quantity",
        "buy 0.01 DOGE/USDT": "unknown symbol DOGE/USDT",
        "sell 1 ETH/USDT": "insufficient ETH",
        "x" * 5000: "too long",
        "": "empty",
        "biy 1 BTC/USDT": "Did you mean `buy`",
    }
    for text, message in cases.items():
        reply = await hub.push(text)
        assert not reply.ok and 400 <= reply.status < 500, text
        assert message in reply.text, (text, reply.text)
    assert order_count(hub) == 0


async def test_help_lists_the_grammar(hub: HubDriver) -> None:
    reply = await hub.push("help")
    assert reply.ok and "buy" in reply.text and "portfolio" in reply.text


async def test_pnl_and_price(hub: HubDriver) -> None:
    await hub.push("buy 0.01 BTC/USDT")
    assert (await hub.push("pnl day")).image is None  # no end-of-day snapshot yet: nothing to draw
    await hub.container.services.portfolio.snapshot_all()
    hub.container.clock.advance(3_600_000)
    pnl = await hub.push("pnl day")
    assert pnl.ok and D(pnl.data["total_pnl"]) == D(pnl.data["realized_pnl"]) + D(pnl.data["unrealized_pnl"])
    price = await hub.push("price BTCUSDT")
    assert price.data["symbol"] == "BTC/USDT" and D(price.data["price"]) > 0
    for reply in (pnl, price):  # chat front-ends send these as photos / file uploads
        assert reply.image is not None and reply.image.startswith(b"\x89PNG\r\n\x1a\n") and len(reply.image) > 5000


async def test_families_without_a_handler_say_they_are_not_available(hub: HubDriver) -> None:
    core_only = Hub(hub.container.services, HANDLERS)  # a build without the optional packages' handlers
    reply = await core_only.handle(hub.user, "follow bob ratio 0.5", frontend="test", idempotency_key="na-1")
    assert reply.status == 400 and reply.error_code == "not_available"


async def test_backtest_from_chat_replies_with_summary_and_chart(hub: HubDriver) -> None:
    reply = await hub.push("backtest dca BTC/USDT amount=100 every=24h")
    assert reply.ok, reply.text
    assert "Backtest dca BTC/USDT" in reply.text and "Sharpe" in reply.text
    assert reply.image is not None and reply.image.startswith(b"\x89PNG")
    assert reply.data["metrics"]["trades"] > 0
    assert order_count(hub) == 0  # research never trades


async def test_backtest_with_a_bad_parameter_is_a_clear_error(hub: HubDriver) -> None:
    reply = await hub.push("backtest dca BTC/USDT amount=-5 every=24h")
    assert not reply.ok and reply.status == 400 and "amount" in reply.text


async def test_webhook_urls_with_tokens_never_reach_the_audit_log(hub: HubDriver) -> None:
    url = "https://discord.com/api/webhooks/123456789/SeCrEt-ToKeN_abc"
    reply = await hub.push(f"lead on discord {url}")
    assert reply.ok, reply.text
    assert "SeCrEt" not in reply.text
    with hub.container.db.connect() as conn:
        rows = conn.execute(select(audit.AuditRow.__table__)).all()
    stored = " ".join(f"{row.raw_text} {row.command}" for row in rows)
    assert "lead on discord https://discord.com/api/webhooks/123456789/[redacted]" in stored
    assert "SeCrEt" not in stored
