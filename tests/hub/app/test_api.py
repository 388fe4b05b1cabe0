"""The REST API over real HTTP (uvicorn on 127.0.0.1), with a real API key."""

from __future__ import annotations

import json
import time
from decimal import Decimal as D

import httpx
import pytest
from sqlalchemy import func, select
from websockets.sync.client import connect

from engine.storage import repository as repo
from hub.app.container import Container
from hub.principals import Role
from tests.conftest import LiveServer, make_settings

#: Seconds for any one request or websocket wait: generous, the server shares a loaded 2-core CI box.
TIMEOUT = 30


@pytest.fixture
def key(container: Container) -> str:
    container.add_user("alice", role=Role.TRADER)
    return container.services.users.create_key("alice")


@pytest.fixture
def client(api: LiveServer, key: str) -> httpx.Client:
    with httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {key}"}, timeout=TIMEOUT) as http:
        yield http


def orders_in_db(container: Container) -> int:
    with container.db.connect() as conn:
        return conn.execute(select(func.count()).select_from(repo.orders_t)).scalar_one()


def test_buy_then_orders_fills_portfolio(client: httpx.Client) -> None:
    response = client.post("/api/v1/commands", json={"text": "buy 0.01 BTC/USDT"})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["data"]["order"]["status"] == "filled"
    order_id = body["data"]["order"]["id"]
    assert client.get("/api/v1/orders").json()["orders"][0]["id"] == order_id
    assert client.get(f"/api/v1/orders/{order_id}").json()["order"]["filled_quantity"] == "0.01"
    assert client.get("/api/v1/fills").json()["fills"][0]["order_id"] == order_id
    holdings = client.get("/api/v1/portfolio").json()["holdings"]
    assert D(next(h for h in holdings if h["asset"] == "BTC")["total"]) == D("0.01")


def test_cancel_through_delete(client: httpx.Client) -> None:
    placed = client.post("/api/v1/commands", json={"text": "buy 0.01 BTC/USDT @ 30000"}).json()
    order_id = placed["data"]["order"]["id"]
    deleted = client.delete(f"/api/v1/orders/{order_id}")
    assert deleted.status_code == 200 and deleted.json()["data"]["order"]["status"] == "canceled"
    again = client.delete(f"/api/v1/orders/{order_id}")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert client.get("/api/v1/orders/ord_nope").status_code == 404


def test_missing_or_wrong_key_is_401_and_runs_nothing(api: LiveServer, container: Container, key: str) -> None:
    for headers in ({}, {"Authorization": "Bearer th_wrong-key-aaaaaaaaaaaaaaaaaaaa"}, {"Authorization": key}):
        response = httpx.post(
            f"{api.url}/api/v1/commands", json={"text": "buy 0.01 BTC/USDT"}, headers=headers, timeout=TIMEOUT
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"
        assert response.headers["www-authenticate"] == "Bearer"
    assert orders_in_db(container) == 0


def test_revoked_key_stops_working(api: LiveServer, container: Container) -> None:
    container.add_user("bob")
    bob_key = container.services.users.create_key("bob")
    container.services.users.revoke_keys("bob")
    response = httpx.get(f"{api.url}/api/v1/orders", headers={"Authorization": f"Bearer {bob_key}"}, timeout=TIMEOUT)
    assert response.status_code == 401


def test_viewer_gets_403_for_trades(api: LiveServer, container: Container) -> None:
    container.add_user("vic", role=Role.VIEWER)
    viewer_key = container.services.users.create_key("vic")
    response = httpx.post(
        f"{api.url}/api/v1/commands",
        json={"text": "sell 1 BTC/USDT"},
        headers={"Authorization": f"Bearer {viewer_key}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("content", "status", "field"),
    [
        (b"{not json", 422, "body"),
        (b"[]", 422, "body"),
        (b'{"txt": "buy 1 BTC/USDT"}', 422, "text"),
        (b'{"text": 5}', 422, "text"),
    ],
)
def test_malformed_bodies_get_422_naming_the_field(
    client: httpx.Client, container: Container, content: bytes, status: int, field: str
) -> None:
    response = client.post("/api/v1/commands", content=content, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert field in response.json()["error"]["message"]
    assert orders_in_db(container) == 0


@pytest.mark.parametrize(
    ("text", "status", "message"),
    [
        ("buy -1 BTC/USDT", 400, "must be positive"),
        ("buy 0.01 FOO/USDT", 400, "unknown symbol"),
        ("sell 5 BTC/USDT", 422, "insufficient BTC"),
        ("b" * 5000, 400, "too long"),
        ("", 400, "empty"),
    ],
)
def test_bad_commands_are_4xx_and_place_nothing(
    client: httpx.Client, container: Container, text: str, status: int, message: str
) -> None:
    response = client.post("/api/v1/commands", json={"text": text})
    assert response.status_code == status
    body = response.json()
    assert body["ok"] is False and message in body["error"]["message"]
    assert orders_in_db(container) == 0


def test_oversized_body_is_413(client: httpx.Client, container: Container) -> None:
    response = client.post("/api/v1/commands", json={"text": "buy 0.01 BTC/USDT", "pad": "x" * 70_000})
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    assert orders_in_db(container) == 0


def test_duplicate_idempotency_key_trades_once(client: httpx.Client, container: Container) -> None:
    headers = {"Idempotency-Key": "client-retry-1"}
    first = client.post("/api/v1/commands", json={"text": "buy 0.01 BTC/USDT"}, headers=headers).json()
    second = client.post("/api/v1/commands", json={"text": "buy 0.01 BTC/USDT"}, headers=headers).json()
    assert first["data"]["order"]["id"] == second["data"]["order"]["id"]
    assert orders_in_db(container) == 1


def test_rate_limit_answers_429_with_retry_after(tmp_path, clock, template_db) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from hub.app.api import create_app
    from hub.app.container import build

    settings = make_settings(tmp_path, rate_limit="3/minute")
    shutil.copy(template_db, tmp_path / "tradehub.db")
    built = build(settings, clock=clock)
    built.add_user("alice")
    key = built.services.users.create_key("alice")
    with LiveServer(create_app(built)) as server:
        statuses = [
            httpx.get(f"{server.url}/api/v1/orders", headers={"Authorization": f"Bearer {key}"}, timeout=TIMEOUT)
            for _ in range(4)
        ]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert int(statuses[-1].headers["retry-after"]) >= 1
    assert statuses[-1].json()["error"]["code"] == "rate_limited"


def test_health_metrics_and_docs(api: LiveServer) -> None:
    assert httpx.get(f"{api.url}/healthz", timeout=TIMEOUT).json()["status"] == "ok"
    httpx.get(f"{api.url}/healthz", timeout=TIMEOUT)
    assert "tradehub_http_requests_total" in httpx.get(f"{api.url}/metrics", timeout=TIMEOUT).text
    spec = httpx.get(f"{api.url}/openapi.json", timeout=TIMEOUT).json()
    assert "/api/v1/commands" in spec["paths"]
    assert httpx.get(f"{api.url}/docs", timeout=TIMEOUT).status_code == 200
    missing = httpx.get(f"{api.url}/api/v1/nothing", timeout=TIMEOUT)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_stream_pushes_fill_events_to_the_owner(api: LiveServer, client: httpx.Client, key: str) -> None:
    ws_url = api.url.replace("http", "ws") + f"/api/v1/stream?token={key}"
    with connect(ws_url, open_timeout=TIMEOUT) as socket:
        assert json.loads(socket.recv(timeout=TIMEOUT))["type"] == "hello"
        client.post("/api/v1/commands", json={"text": "buy 0.01 BTC/USDT"})
        types = [json.loads(socket.recv(timeout=TIMEOUT))["type"] for _ in range(2)]
    assert types == ["order.placed", "order.filled"]


def test_a_closed_stream_lets_go_of_its_subscription(api: LiveServer, container: Container, key: str) -> None:
    before = len(container.bus._subscriptions)
    ws_url = api.url.replace("http", "ws") + f"/api/v1/stream?token={key}"
    with connect(ws_url, open_timeout=TIMEOUT) as socket:
        assert json.loads(socket.recv(timeout=TIMEOUT))["type"] == "hello"
        assert len(container.bus._subscriptions) == before + 1
    deadline = time.monotonic() + 30  # the client left while no event was due: the server must notice
    while len(container.bus._subscriptions) != before:
        assert time.monotonic() < deadline, "the stream still holds its subscription"
        time.sleep(0.05)


def test_stream_refuses_a_bad_token(api: LiveServer) -> None:
    from websockets.exceptions import ConnectionClosed

    url = api.url.replace("http", "ws") + "/api/v1/stream?token=th_bad"
    with connect(url, open_timeout=TIMEOUT) as socket, pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=TIMEOUT)
    assert closed.value.rcvd.code == 4401
