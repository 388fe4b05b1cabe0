"""The endpoints API over real HTTP: create, list, update, pause, rotate, delete, bad input -> 4xx."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from hub.app.container import Container
from hub.principals import Role
from tests.conftest import LiveServer

BASE = "/api/v1/webhooks/endpoints"


def client_for(api: LiveServer, container: Container, name: str) -> httpx.Client:
    container.add_user(name, role=Role.TRADER)
    key = container.services.users.create_key(name)
    return httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {key}"}, timeout=10)


@pytest.fixture
def alice(api: LiveServer, container: Container) -> Iterator[httpx.Client]:
    with client_for(api, container, "alice") as http:
        yield http


def test_create_returns_an_id_and_a_secret_shown_once(alice: httpx.Client) -> None:
    created = alice.post(BASE, json={"url": "http://127.0.0.1:9/hook", "events": ["order.*"], "description": "ops"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"].startswith("ep_") and body["secret"].startswith("whsec_")
    assert body["events"] == ["order.*"] and body["status"] == "active"
    listed = alice.get(BASE).json()["endpoints"]
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"url": "ftp://127.0.0.1/x", "events": ["order.*"]}, "unsafe_url"),
        ({"url": "http://10.0.0.7/x", "events": ["order.*"]}, "unsafe_url"),
        ({"url": "http://169.254.169.254/x", "events": ["order.*"]}, "unsafe_url"),
        ({"url": "http://127.0.0.1:9/x", "events": ["order.exploded"]}, "unknown_event_type"),
        ({"url": "http://127.0.0.1:9/x", "events": []}, None),
        ({"url": "http://127.0.0.1:9/x", "events": ["order.*"], "team": True}, "no_team"),
    ],
)
def test_bad_input_is_refused_with_a_reason(alice: httpx.Client, payload: dict, code: str | None) -> None:
    refused = alice.post(BASE, json=payload)
    assert 400 <= refused.status_code < 500, refused.text
    if code is not None:
        assert refused.json()["error"]["code"] == code
    assert alice.get(BASE).json()["endpoints"] == []


def test_update_pause_rotate_delete(alice: httpx.Client) -> None:
    created = alice.post(BASE, json={"url": "http://127.0.0.1:9/a", "events": ["order.filled"]}).json()
    path = f"{BASE}/{created['id']}"
    changed = alice.patch(path, json={"events": ["order.*", "risk.alert"], "paused": True}).json()
    assert changed["events"] == ["order.*", "risk.alert"] and changed["status"] == "paused"
    assert alice.patch(path, json={"paused": False}).json()["status"] == "active"
    rotated = alice.post(f"{path}/rotate", json={"overlap_s": 60}).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert alice.patch(path, json={"url": "http://192.168.1.1/x"}).json()["error"]["code"] == "unsafe_url"
    assert alice.delete(path).status_code == 204
    assert alice.get(path).status_code == 404


def test_other_users_cannot_see_or_change_an_endpoint(
    api: LiveServer, container: Container, alice: httpx.Client
) -> None:
    created = alice.post(BASE, json={"url": "http://127.0.0.1:9/a", "events": ["order.*"]}).json()
    with client_for(api, container, "bob") as bob:
        assert bob.get(BASE).json()["endpoints"] == []
        assert bob.delete(f"{BASE}/{created['id']}").status_code == 404
        assert bob.get(f"{BASE}/{created['id']}/deliveries").status_code == 404
    assert alice.get(f"{BASE}/{created['id']}").status_code == 200


def test_requests_without_a_key_are_refused(api: LiveServer) -> None:
    assert httpx.get(f"{api.url}{BASE}").status_code == 401
