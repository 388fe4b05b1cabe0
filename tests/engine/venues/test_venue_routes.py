"""``/api/v1/venues`` over real HTTP, then trading on the added account through ``/api/v1/commands``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from hub.app.container import Container
from hub.principals import Role
from tests.conftest import LiveServer
from tests.fakes.exchange_conftest import TEST_CREDENTIALS

BINANCE = TEST_CREDENTIALS["binance"]


@pytest.fixture
def server(keyed_container: Container) -> Iterator[LiveServer]:
    from hub.app.api import create_app

    with LiveServer(create_app(keyed_container, start_background=False)) as live:
        yield live


def _key(container: Container, name: str, role: Role) -> str:
    container.add_user(name, role=role)
    return container.services.users.create_key(name)


@pytest.fixture
async def as_user(server: LiveServer, keyed_container: Container) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    clients = {}
    for name, role in (("alice", Role.TRADER), ("bob", Role.TRADER), ("root", Role.ADMIN), ("vic", Role.VIEWER)):
        headers = {"Authorization": f"Bearer {_key(keyed_container, name, role)}"}
        clients[name] = httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30)
    yield clients
    for client in clients.values():
        await client.aclose()


def body(url: str, **extra: object) -> dict[str, object]:
    return {"name": "binance-main", "exchange": "binance", "api_key": BINANCE.api_key, "secret": BINANCE.secret,
            "api_url": url, **extra}  # fmt: skip


async def test_trader_adds_an_account_and_trades_on_it_over_rest(
    as_user: dict[str, httpx.AsyncClient], make_exchange_case
) -> None:
    case = await make_exchange_case("binance")
    alice = as_user["alice"]

    created = await alice.post("/api/v1/venues", json=body(case.fake.url))
    listed = await alice.get("/api/v1/venues")
    bought = await alice.post("/api/v1/commands", json={"text": "buy 0.01 BTC/USDT on binance-main"})

    assert created.status_code == 201, created.text
    assert created.json()["credentials"] == BINANCE.api_key[:4] + "***"
    for response in (created, listed):
        assert BINANCE.secret not in response.text and BINANCE.api_key not in response.text
    assert [v["name"] for v in listed.json()["venues"]] == ["binance-main"]
    assert bought.status_code == 200, bought.text
    assert bought.json()["data"]["order"]["status"] == "filled"
    assert case.fake.count("create_order") == 1
    orders = await alice.get("/api/v1/orders", params={"venue": "binance-main"})
    assert [o["venue"] for o in orders.json()["orders"]] == ["binance-main"]


async def test_only_the_owner_or_an_admin_manages_an_account(as_user: dict[str, httpx.AsyncClient]) -> None:
    url = "http://127.0.0.1:9"
    viewer = await as_user["vic"].post("/api/v1/venues", json=body(url))
    for_someone_else = await as_user["bob"].post("/api/v1/venues", json=body(url, owner="alice"))
    by_admin = await as_user["root"].post("/api/v1/venues", json=body(url, owner="alice"))
    bob_sees = await as_user["bob"].get("/api/v1/venues")
    bob_removes = await as_user["bob"].delete("/api/v1/venues/binance-main")
    admin_sees = await as_user["root"].get("/api/v1/venues")
    alice_removes = await as_user["alice"].delete("/api/v1/venues/binance-main")
    gone = await as_user["alice"].get("/api/v1/venues/binance-main")

    assert viewer.status_code == 403 and for_someone_else.status_code == 403
    assert by_admin.status_code == 201, by_admin.text
    assert bob_sees.json() == {"venues": []}
    assert bob_removes.status_code == 403
    assert [v["name"] for v in admin_sees.json()["venues"]] == ["binance-main"]
    assert alice_removes.status_code == 204
    assert gone.status_code == 404


async def test_bad_bodies_are_refused_with_the_field_named_and_no_secret_echoed(
    as_user: dict[str, httpx.AsyncClient],
) -> None:
    alice = as_user["alice"]

    both = await alice.post("/api/v1/venues", json={**body("http://127.0.0.1:9"), "dex": {}})
    no_secret = await alice.post("/api/v1/venues", json={"name": "x", "exchange": "binance", "api_key": "k" * 20})
    unknown = await alice.post("/api/v1/venues", json=body("http://127.0.0.1:9", exchange="nope"))

    assert both.status_code == 422 and no_secret.status_code == 422
    assert "api_key and secret" in no_secret.json()["error"]["message"]
    assert unknown.status_code == 400 and "unknown exchange 'nope'" in unknown.json()["error"]["message"]
    for response in (both, no_secret, unknown):
        assert BINANCE.secret not in response.text
    assert (await alice.get("/api/v1/venues")).json() == {"venues": []}
