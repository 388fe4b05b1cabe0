"""`GET`/`DELETE /api/v1/orders/{id}` for algo parents (`alg_...`), over real HTTP with real keys."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from hub.app.container import Container
from hub.principals import Role
from tests.conftest import LiveServer


def _client(api: LiveServer, container: Container, name: str) -> httpx.Client:
    container.add_user(name, role=Role.TRADER)
    key = container.services.users.create_key(name)
    return httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


@pytest.fixture
def alice(api: LiveServer, container: Container) -> Iterator[httpx.Client]:
    with _client(api, container, "alice") as http:
        yield http


@pytest.fixture
def bob(api: LiveServer, container: Container) -> Iterator[httpx.Client]:
    with _client(api, container, "bob") as http:
        yield http


def _start_twap(client: httpx.Client) -> str:
    response = client.post("/api/v1/commands", json={"text": "buy 0.2 ETH/USDT twap 10m"})
    assert response.status_code == 200, response.text
    parent_id = response.json()["data"]["order"]["id"]
    assert parent_id.startswith("alg_")
    return str(parent_id)


def test_get_an_algo_order_shows_its_progress(alice: httpx.Client) -> None:
    parent_id = _start_twap(alice)

    response = alice.get(f"/api/v1/orders/{parent_id}")

    assert response.status_code == 200, response.text
    order = response.json()["order"]
    assert (order["id"], order["kind"], order["status"]) == (parent_id, "twap", "working")
    assert (order["symbol"], order["side"], Decimal(order["quantity"])) == ("ETH/USDT", "buy", Decimal("0.2"))
    assert (order["children_placed"], order["children_total"]) == (1, 10)  # one slice a minute, the first at once
    first = order["children"][0]
    assert first["status"] == "filled"  # a market slice on paper fills at once
    assert Decimal(order["filled_quantity"]) == Decimal(first["filled_quantity"]) == Decimal("0.02")


def test_delete_cancels_the_algo_order_once(alice: httpx.Client) -> None:
    parent_id = _start_twap(alice)

    deleted = alice.delete(f"/api/v1/orders/{parent_id}")
    again = alice.delete(f"/api/v1/orders/{parent_id}")
    shown = alice.get(f"/api/v1/orders/{parent_id}")

    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["data"]["order"]["status"] == "canceled"
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert shown.json()["order"]["status"] == "canceled"
    assert shown.json()["order"]["reason"] == "canceled by the user"


def test_another_users_algo_order_is_not_found(alice: httpx.Client, bob: httpx.Client) -> None:
    parent_id = _start_twap(alice)

    seen = bob.get(f"/api/v1/orders/{parent_id}")
    canceled = bob.delete(f"/api/v1/orders/{parent_id}")

    for response in (seen, canceled):
        assert response.status_code == 404
        assert response.json()["error"] == {"code": "not_found", "message": f"no order {parent_id}"}
    assert alice.get(f"/api/v1/orders/{parent_id}").json()["order"]["status"] == "working"


@pytest.mark.parametrize("order_id", ["alg_nope", "alg_" + "x" * 70, "alg_bad!id"])
def test_unknown_or_malformed_algo_ids_are_404(alice: httpx.Client, order_id: str) -> None:
    for response in (alice.get(f"/api/v1/orders/{order_id}"), alice.delete(f"/api/v1/orders/{order_id}")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
