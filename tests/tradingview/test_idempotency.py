"""One trade per alert: resends, identical bodies within the window, concurrent copies, restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select, update

from engine.clock import FakeClock
from engine.storage.models import OrderRow
from tests.tradingview.conftest import Trader
from tradingview.storage import alerts as alerts_t

WITH_ID = '{"ticker": "BTCUSDT", "action": "buy", "contracts": "0.001", "id": "BTCUSDT-Long-2022-01-01T00:00:00Z"}'
NO_ID = '{"ticker": "BTCUSDT", "action": "buy", "contracts": "0.001"}'


def _order_count(trader: Trader) -> int:
    with trader.container.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(OrderRow)).scalar_one()


def test_resends_of_an_alert_with_an_id_trade_once(alice: Trader) -> None:
    hook = alice.create_hook()
    first = alice.send(hook, WITH_ID, content_type="application/json")
    resends = [alice.send(hook, WITH_ID, content_type="application/json") for _ in range(3)]

    assert first.json()["status"] == "accepted"
    for resend in resends:
        assert resend.status_code == 200  # TradingView must not resend again
        assert resend.json()["status"] == "duplicate"
        assert resend.json()["duplicate_of"] == first.json()["alert_id"]
    assert alice.outcome(first.json()["alert_id"])["status"] == "executed"
    assert _order_count(alice) == 1
    assert len(alice.alerts()) == 4  # every copy is on record


def test_identical_body_without_id_trades_once_within_the_window(alice: Trader, clock: FakeClock) -> None:
    hook = alice.create_hook()
    first = alice.send(hook, NO_ID)
    clock.advance(59_000)
    again = alice.send(hook, NO_ID)
    clock.advance(2_000)  # 61 s after the first: a new signal, not a resend
    later = alice.send(hook, NO_ID)

    assert again.json() == {"ok": True, "alert_id": again.json()["alert_id"], "status": "duplicate",
                            "duplicate_of": first.json()["alert_id"]}  # fmt: skip
    assert later.json()["status"] == "accepted"
    assert alice.outcome(later.json()["alert_id"])["status"] == "executed"
    assert _order_count(alice) == 2


def test_the_same_id_later_is_still_a_duplicate(alice: Trader, clock: FakeClock) -> None:
    hook = alice.create_hook()
    first = alice.send(hook, WITH_ID)
    clock.advance(3_600_000)
    assert alice.send(hook, WITH_ID).json()["duplicate_of"] == first.json()["alert_id"]


def test_concurrent_copies_of_one_alert_trade_once(alice: Trader) -> None:
    hook = alice.create_hook(rate_limit="1000/second")
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda _: alice.send(hook, WITH_ID), range(32)))

    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == ["accepted"] + ["duplicate"] * 31
    accepted = next(r for r in responses if r.json()["status"] == "accepted")
    assert alice.outcome(accepted.json()["alert_id"])["status"] == "executed"
    assert _order_count(alice) == 1


def test_a_refused_alert_does_not_block_its_corrected_resend(alice: Trader) -> None:
    hook = alice.create_hook(passphrase="correct horse battery")
    wrong = alice.send(hook, WITH_ID.replace("{", '{"passphrase": "wrong one", ', 1))
    right = alice.send(hook, WITH_ID.replace("{", '{"passphrase": "correct horse battery", ', 1))
    assert wrong.status_code == 401
    assert right.json()["status"] == "accepted"
    assert alice.outcome(right.json()["alert_id"])["status"] == "executed"


def test_an_alert_run_again_after_a_crash_does_not_trade_again(alice: Trader) -> None:
    hook = alice.create_hook()
    first = alice.send(hook, WITH_ID)
    done = alice.outcome(first.json()["alert_id"])
    # a process died after the trade but before recording it: the row is pending again
    with alice.container.db.begin() as conn:
        conn.execute(update(alerts_t).where(alerts_t.c.id == done["id"]).values(status="pending", order_id=None))
    nudge = alice.send(hook, NO_ID.replace("BTCUSDT", "ETHUSDT").replace("0.001", "0.01"))  # wakes the executor

    alice.outcome(nudge.json()["alert_id"])
    again = alice.outcome(done["id"])
    assert again["status"] == "executed"
    assert again["order_id"] == done["order_id"]
    assert _order_count(alice) == 2  # the BTC order once, and the ETH order


def test_every_outcome_is_an_event_on_the_bus_and_in_the_outbox(alice: Trader) -> None:
    from engine.storage.repository import outbox_t

    seen: list[dict[str, object]] = []
    alice.container.bus.subscribe("tradingview.alert", lambda event: seen.append(event.data))
    hook = alice.create_hook()
    executed = alice.send(hook, WITH_ID)
    duplicate = alice.send(hook, WITH_ID)
    rejected = alice.send(hook, '{"ticker": "BTCUSDT", "action": "buy", "contracts": "0"}')
    order_id = alice.outcome(executed.json()["alert_id"])["order_id"]

    by_alert = {e["alert_id"]: e for e in seen}
    assert by_alert[executed.json()["alert_id"]]["status"] == "executed"
    assert by_alert[executed.json()["alert_id"]]["order_id"] == order_id
    assert by_alert[duplicate.json()["alert_id"]]["status"] == "duplicate"
    assert by_alert[rejected.json()["alert_id"]]["reason"] == "contracts: must be positive, got 0"
    with alice.container.db.connect() as conn:
        stored = conn.execute(select(outbox_t.c.payload).where(outbox_t.c.type == "tradingview.alert")).scalars().all()
    assert sorted(p["alert_id"] for p in stored) == sorted(by_alert)


def test_chat_alerts_command_lists_tradingview_outcomes(alice: Trader) -> None:
    hook = alice.create_hook()
    sent = alice.send(hook, WITH_ID)
    done = alice.outcome(sent.json()["alert_id"])
    principal = alice.container.services.users.get("alice")

    reply = asyncio.run(alice.container.hub.handle(principal, "alerts", frontend="test", idempotency_key="chat-1"))

    assert f"{done['id']} executed: buy 0.001 BTC/USDT -> {done['order_id']}" in reply.text
    assert reply.data["tradingview"][0]["order_id"] == done["order_id"]
    assert "alerts" in reply.data  # the risk alerts are still listed


def test_alerts_api_filters_by_status(alice: Trader) -> None:
    hook = alice.create_hook()
    alice.send(hook, WITH_ID)
    alice.send(hook, WITH_ID)
    response = httpx.get(
        f"{alice.url}/api/v1/tradingview/alerts", params={"status": "duplicate"}, headers=alice.auth
    ).json()
    assert [a["status"] for a in response["alerts"]] == ["duplicate"]


def test_batches_committed_on_the_event_loop_keep_the_same_guarantees(serve: Callable[..., Trader]) -> None:
    alice = serve(write_in_thread="false")
    hook = alice.create_hook(rate_limit="1000/second")
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda _: alice.send(hook, WITH_ID), range(32)))
    assert sorted(r.json()["status"] for r in responses) == ["accepted"] + ["duplicate"] * 31
    assert len(alice.alerts()) == 32
