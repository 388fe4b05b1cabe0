"""Relay and delivery in process against real receivers on 127.0.0.1: signing, retries, timeouts,
410, 429 with Retry-After, redirects, dead letters, replay, pause, SSRF at delivery time."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from engine.clock import FakeClock
from engine.storage import repository as repo
from hub.app.container import Container
from tests.kit.hubdriver import HubDriver
from tests.webhooks.receiver import Receiver
from webhooks.config import WebhookSettings
from webhooks.service import WebhookService, build_service


def service(container: Container, **overrides: object) -> WebhookService:
    settings = WebhookSettings(**{"retry_schedule": "0,5,60", "jitter": 0, "timeout_s": 10, **overrides})
    home = container.settings.home
    return build_service(container.db, container.clock, home=home, master_key=None, settings=settings)


async def relay_and_deliver(svc: WebhookService) -> list[int]:
    ids = svc.relay.run_once().delivery_ids
    await svc.deliverer.deliver(ids)
    return ids


async def test_a_fill_reaches_the_endpoint_signed_in_order(hub: HubDriver, receiver: Receiver) -> None:
    svc = service(hub.container)
    endpoint, secret = svc.store.create(hub.user, f"{receiver.url}/ok/a", ["order.*"])
    assert (await hub.push("buy 0.01 BTC/USDT")).ok
    await relay_and_deliver(svc)
    got = receiver.received("/ok/a")
    types = [json.loads(r.body)["type"] for r in got]
    assert types[0] == "order.placed" and "order.filled" in types
    for request in got:
        payload = Webhook(secret).verify(request.body, request.headers)
        assert set(payload) == {"type", "timestamp", "data"} and payload["timestamp"].endswith("Z")
    filled = next(json.loads(r.body) for r in got if json.loads(r.body)["type"] == "order.filled")
    assert filled["data"]
    log = svc.store.deliveries(hub.user, endpoint.id)
    assert {d["status"] for d in log} == {"delivered"} and all(len(d["attempts"]) == 1 for d in log)


async def test_only_matching_owned_endpoints_receive(hub: HubDriver, receiver: Receiver) -> None:
    svc = service(hub.container)
    bob = hub.add_user("bob")
    svc.store.create(hub.user, f"{receiver.url}/ok/fills", ["order.filled"])
    svc.store.create(hub.user, f"{receiver.url}/ok/risk", ["risk.alert"])
    svc.store.create(bob, f"{receiver.url}/ok/bob", ["order.*"])
    await hub.push("buy 0.01 BTC/USDT")
    await relay_and_deliver(svc)
    assert {json.loads(r.body)["type"] for r in receiver.received("/ok/fills")} == {"order.filled"}
    assert receiver.received("/ok/risk") == [] and receiver.received("/ok/bob") == []


async def test_team_endpoints_receive_every_members_events(hub: HubDriver, receiver: Receiver) -> None:
    svc = service(hub.container)
    lead = hub.add_user("lead", team="desk")
    member = hub.add_user("member", team="desk")
    svc.store.create(lead, f"{receiver.url}/ok/desk", ["order.placed"], team=True)
    await hub.push("buy 0.01 BTC/USDT", as_user=member)
    await hub.push("buy 0.01 BTC/USDT")  # alice is not in the team
    await relay_and_deliver(svc)
    assert len(receiver.received("/ok/desk")) == 1
    assert len(svc.store.list(member)) == 1  # team endpoints are visible to members


async def test_failing_receiver_gets_retries_with_the_same_webhook_id(
    hub: HubDriver, receiver: Receiver, clock: FakeClock
) -> None:
    svc = service(hub.container)
    endpoint, secret = svc.store.create(hub.user, f"{receiver.url}/fail/2/x", ["order.placed"])
    await hub.push("buy 0.01 BTC/USDT")
    ids = svc.relay.run_once().delivery_ids
    first = await svc.deliverer.deliver(ids)
    assert first.recorded.retries == {ids[0]: 5.0}
    assert (await svc.deliverer.deliver(ids)).outcomes == ()  # not due yet: nothing is sent early
    clock.advance(5_000)
    await svc.deliverer.deliver(ids)
    clock.advance(60_000)
    last = await svc.deliverer.deliver(ids)
    assert last.recorded.delivered == 1
    got = receiver.received("/fail/2/x")
    assert [r.headers["webhook-id"] for r in got] == [got[0].headers["webhook-id"]] * 3
    Webhook(secret).verify(got[-1].body, got[-1].headers)
    (delivery,) = svc.store.deliveries(hub.user, endpoint.id)
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 200]
    assert delivery["attempts"][0]["response"] == "failing on purpose"


async def test_after_the_last_attempt_the_message_is_dead_and_can_be_replayed(
    hub: HubDriver, receiver: Receiver, clock: FakeClock
) -> None:
    svc = service(hub.container, retry_schedule="0,1")
    endpoint, _ = svc.store.create(hub.user, f"{receiver.url}/fail/2/dead", ["order.placed"])
    await hub.push("buy 0.01 BTC/USDT")
    ids = svc.relay.run_once().delivery_ids
    await svc.deliverer.deliver(ids)
    clock.advance(1_000)
    assert (await svc.deliverer.deliver(ids)).recorded.dead == 1
    assert [d["status"] for d in svc.store.deliveries(hub.user, endpoint.id)] == ["dead"]
    assert svc.store.replay(hub.user, endpoint.id, since_ms=0) == ids
    assert (await svc.deliverer.deliver(ids)).recorded.delivered == 1  # third request: the receiver recovered


async def test_a_hanging_receiver_times_out_and_is_retried(hub: HubDriver, receiver: Receiver) -> None:
    svc = service(hub.container, timeout_s=0.3)
    endpoint, _ = svc.store.create(hub.user, f"{receiver.url}/hang/6/h", ["order.placed"])
    await hub.push("buy 0.01 BTC/USDT")
    result = await svc.deliverer.deliver(svc.relay.run_once().delivery_ids)
    assert len(result.recorded.retries) == 1
    (delivery,) = svc.store.deliveries(hub.user, endpoint.id)
    assert delivery["status"] == "pending" and "timeout" in delivery["attempts"][0]["error"]
    assert delivery["attempts"][0]["latency_ms"] < 4500  # cut off at its 0.3 s timeout, not the 6 s answer


async def test_410_disables_the_endpoint_and_tells_the_owner(hub: HubDriver, receiver: Receiver) -> None:
    svc = service(hub.container)
    endpoint, _ = svc.store.create(hub.user, f"{receiver.url}/gone/g", ["order.*"])
    await hub.push("buy 0.01 BTC/USDT")
    await relay_and_deliver(svc)
    assert len(receiver.received("/gone/g")) == 1  # nothing more is sent once it said 410
    assert svc.store.get(hub.user, endpoint.id).status == "disabled"
    assert {d["status"] for d in svc.store.deliveries(hub.user, endpoint.id)} == {"dead"}
    with hub.container.db.connect() as conn:
        notices = conn.execute(select(repo.outbox_t).where(repo.outbox_t.c.type == "webhook.disabled")).all()
    assert [(n.user_id, n.payload["endpoint_id"]) for n in notices] == [(hub.user.user_id, endpoint.id)]
    await hub.push("buy 0.01 BTC/USDT")
    assert svc.relay.run_once().delivery_ids == []  # disabled endpoints get no new deliveries


async def test_429_honours_retry_after(hub: HubDriver, receiver: Receiver, clock: FakeClock) -> None:
    svc = service(hub.container)
    svc.store.create(hub.user, f"{receiver.url}/limited/1/30/r", ["order.placed"])
    await hub.push("buy 0.01 BTC/USDT")
    ids = svc.relay.run_once().delivery_ids
    assert (await svc.deliverer.deliver(ids)).recorded.retries == {ids[0]: 30.0}
    clock.advance(29_000)
    assert (await svc.deliverer.deliver(ids)).outcomes == ()
    clock.advance(1_000)
    assert (await svc.deliverer.deliver(ids)).recorded.delivered == 1


async def test_redirects_are_failures_and_not_followed(hub: HubDriver, receiver: Receiver) -> None:
    svc = service(hub.container)
    endpoint, _ = svc.store.create(hub.user, f"{receiver.url}/redirect/r", ["order.placed"])
    await hub.push("buy 0.01 BTC/USDT")
    await relay_and_deliver(svc)
    assert receiver.received("/ok/redirected") == []
    (delivery,) = svc.store.deliveries(hub.user, endpoint.id)
    assert delivery["status"] == "pending" and "not followed" in delivery["attempts"][0]["error"]


async def test_the_address_is_checked_again_at_delivery_time(hub: HubDriver, receiver: Receiver) -> None:
    svc = service(hub.container)
    endpoint, _ = svc.store.create(hub.user, f"{receiver.url}/ok/later", ["order.placed"])
    strict = service(hub.container, allowed_hosts="")
    await hub.push("buy 0.01 BTC/USDT")
    await strict.deliverer.deliver(strict.relay.run_once().delivery_ids)
    assert receiver.received("/ok/later") == []
    (delivery,) = svc.store.deliveries(hub.user, endpoint.id)
    assert "non-public address" in delivery["attempts"][0]["error"]


async def test_paused_endpoints_hold_messages_until_resumed(hub: HubDriver, receiver: Receiver) -> None:
    svc = service(hub.container)
    endpoint, _ = svc.store.create(hub.user, f"{receiver.url}/ok/p", ["order.placed"])
    svc.store.update(hub.user, endpoint.id, paused=True)
    await hub.push("buy 0.01 BTC/USDT")
    assert svc.relay.run_once().delivery_ids == []
    svc.store.update(hub.user, endpoint.id, paused=False)
    await svc.deliverer.deliver(svc.ledger.due())
    assert len(receiver.received("/ok/p")) == 1


async def test_rotation_signs_with_both_secrets_during_the_overlap(
    hub: HubDriver, receiver: Receiver, clock: FakeClock
) -> None:
    svc = service(hub.container)
    endpoint, old = svc.store.create(hub.user, f"{receiver.url}/ok/rot", ["order.placed"])
    new = svc.store.rotate(hub.user, endpoint.id, overlap_s=60)
    await hub.push("buy 0.01 BTC/USDT")
    await relay_and_deliver(svc)
    clock.advance(61_000)
    await hub.push("buy 0.01 BTC/USDT")
    await relay_and_deliver(svc)
    during, after = receiver.received("/ok/rot")
    Webhook(old).verify(during.body, during.headers)
    Webhook(new).verify(during.body, during.headers)
    Webhook(new).verify(after.body, after.headers)
    assert len(after.headers["webhook-signature"].split()) == 1


async def test_an_event_committed_without_a_publish_is_still_relayed(hub: HubDriver, receiver: Receiver) -> None:
    """The outbox, not the bus, is the source: a crash after commit and before publish loses nothing."""
    from engine.events import Event

    svc = service(hub.container)
    svc.store.create(hub.user, f"{receiver.url}/ok/o", ["risk.alert"])
    now = hub.container.clock.now_ms()
    with hub.container.db.begin() as conn:
        repo.add_events(conn, [Event("evt_crash1", "risk.alert", now, {"rule": "drawdown"}, hub.user.user_id)])
    await relay_and_deliver(svc)
    (got,) = receiver.received("/ok/o")
    assert got.headers["webhook-id"] == "msg_evt_crash1"
    assert svc.relay.run_once().delivery_ids == []  # relayed exactly once


@pytest.mark.parametrize("text", ["webhooks", "webhooks list"])
async def test_chat_lists_endpoints(hub: HubDriver, receiver: Receiver, text: str) -> None:
    added = await hub.push(f"webhooks add {receiver.url}/ok/chat order.*,risk.alert")
    assert added.ok and "whsec_" in added.text
    listed = await hub.push(text)
    assert listed.ok and f"{receiver.url}/ok/chat" in listed.text
    endpoint_id = listed.data["endpoints"][0]["id"]
    assert (await hub.push(f"webhooks pause {endpoint_id}")).text.endswith("paused.")
    assert not (await hub.push("webhooks add http://10.0.0.1/x order.*")).ok
    assert (await hub.push("webhooks frobnicate")).error_code == "bad_command"
