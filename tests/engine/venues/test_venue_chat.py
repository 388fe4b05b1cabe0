"""`venues` and `venue remove NAME` from chat; `venue add` is refused there and its keys are never stored."""

from __future__ import annotations

import json

import pytest

from engine.venues.accounts import ExchangeAccountSpec, VenueAccounts, WalletSpec
from engine.venues.dex import TokenConfig
from engine.venues.dex.keystore import encrypt
from hub import audit
from hub.app.container import Container
from hub.principals import Role
from tests.engine.venues.conftest import exchange_spec
from tests.kit.hubdriver import HubDriver

API_KEY = "AKx7QmZr9Tq2Lw5Np8Vb"
SECRET = "s3cr3t-Zk4Jq8Hs2Fd6Ga9Lp"
RPC_URL = "https://mainnet.example-rpc.io/v3/rpc-key-0a1b2c3d4e5f"
WALLET_KEY = "0x" + "4c" * 32
ADDRESS = "0x" + "11" * 20


def _add_both(venue_accounts: VenueAccounts, owner: int) -> None:
    venue_accounts.add_exchange(owner, ExchangeAccountSpec("binance-main", "binance", API_KEY, SECRET, sandbox=True))
    venue_accounts.add_wallet(
        owner,
        WalletSpec("base-wallet", "base", RPC_URL, ADDRESS, ADDRESS, (TokenConfig("USDC", ADDRESS, 6),),
                   encrypt(WALLET_KEY, "wallet-pw", iterations=2), "wallet-pw"),
    )  # fmt: skip


def _secrets() -> tuple[str, ...]:
    return (API_KEY, API_KEY[:6], SECRET, RPC_URL, "rpc-key", "wallet-pw", WALLET_KEY[2:])


async def test_venues_lists_the_callers_venues_without_any_secret(
    trader: HubDriver, venue_accounts: VenueAccounts, keyed_container: Container
) -> None:
    _add_both(venue_accounts, trader.user.user_id)
    keyed_container.services.venues.get("base-wallet").venue  # noqa: B018  # connects it (no network call)

    reply = await trader.push("venues")

    assert reply.ok, reply.text
    assert reply.text.splitlines() == [
        "base-wallet: DEX wallet on base, connected",
        "binance-main: exchange binance (sandbox), not connected",
    ]
    assert reply.data["venues"] == [
        {"name": "base-wallet", "kind": "dex", "connected": True, "chain": "base", "chain_id": 8453,
         "dry_run": False, "sandbox": False},
        {"name": "binance-main", "kind": "ccxt", "connected": False, "exchange": "binance", "sandbox": True},
    ]  # fmt: skip
    shown = reply.text + json.dumps(reply.data)
    assert not [secret for secret in _secrets() if secret in shown]


async def test_another_users_venues_are_not_listed_and_cannot_be_removed(
    trader: HubDriver, venue_accounts: VenueAccounts, keyed_container: Container
) -> None:
    _add_both(venue_accounts, trader.user.user_id)
    bob = HubDriver(keyed_container, keyed_container.add_user("bob", role=Role.TRADER))

    listed = await bob.push("venues")
    removed = await bob.push("venue remove binance-main")

    assert listed.ok and listed.data["venues"] == [] and listed.text.startswith("No venues configured")
    assert removed.status == 404 and "you have no venue named 'binance-main'" in removed.text
    assert [account.name for account in venue_accounts.list()] == ["base-wallet", "binance-main"]


async def test_remove_asks_for_confirmation_then_removes_the_venue(
    trader: HubDriver, venue_accounts: VenueAccounts, keyed_container: Container
) -> None:
    _add_both(venue_accounts, trader.user.user_id)

    asked = await trader.push("venue remove binance-main")

    assert asked.status == 202 and asked.confirmation is not None
    assert asked.text.startswith("Remove venue binance-main: exchange binance (sandbox), not connected? ")
    assert "binance-main" in keyed_container.services.venues.names()  # nothing removed yet

    done = await trader.push(f"confirm {asked.data['confirmation_id']}")

    assert done.ok, done.text
    assert done.text == "Removed venue binance-main; its stored keys are deleted."
    assert "binance-main" not in keyed_container.services.venues.names()
    assert [account.name for account in venue_accounts.list()] == ["base-wallet"]
    again = await trader.push(f"confirm {asked.data['confirmation_id']}")
    assert not again.ok  # a confirmation runs once


async def test_a_venue_with_open_orders_is_not_removed(
    trader: HubDriver, venue_accounts: VenueAccounts, make_exchange_case
) -> None:
    case = await make_exchange_case("okx")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case, "okx-1"))
    placed = await trader.push("buy 0.01 BTC/USDT @ 29000 on okx-1")
    assert placed.ok and placed.data["order"]["status"] == "open"

    reply = await trader.push("venue remove okx-1")

    assert reply.status == 409 and "has 1 open order(s); cancel them first" in reply.text
    assert [account.name for account in venue_accounts.list()] == ["okx-1"]


async def test_viewers_list_but_do_not_remove(venue_accounts: VenueAccounts, keyed_container: Container) -> None:
    viewer = HubDriver(keyed_container, keyed_container.add_user("vic", role=Role.VIEWER))
    _add_both(venue_accounts, viewer.user.user_id)

    listed = await viewer.push("venues")
    removed = await viewer.push("venue remove binance-main")

    assert listed.ok and len(listed.data["venues"]) == 2
    assert removed.status == 403


@pytest.mark.parametrize(
    "text",
    [
        f"venue add binance --exchange binance --api-key {API_KEY} --secret {SECRET}",
        f"/venues add wallet rpc={RPC_URL} key={WALLET_KEY}",
    ],
)
async def test_adding_from_chat_is_refused_and_the_keys_are_not_kept(
    trader: HubDriver, venue_accounts: VenueAccounts, keyed_container: Container, text: str
) -> None:
    reply = await trader.push(text)

    assert reply.status == 400 and reply.error_code == "add_outside_chat"
    assert "with the CLI or the REST API, never in chat" in reply.text and "tradehub venue add" in reply.text
    assert venue_accounts.list() == []
    with keyed_container.db.connect() as conn:
        logged = json.dumps(audit.entries(conn, user_id=trader.user.user_id), default=str)
    assert "add [redacted]" in logged
    assert not [secret for secret in _secrets() if secret in logged + reply.text + json.dumps(reply.data)]
