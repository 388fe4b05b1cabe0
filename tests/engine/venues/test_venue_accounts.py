"""Adding, listing and removing venue accounts: validation, encryption at rest, secrets never shown."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from engine.clock import FakeClock
from engine.errors import Conflict, OperatorError, UserInputError
from engine.venues.accounts import ExchangeAccountSpec, VenueAccounts
from engine.venues.credentials import CredentialBox
from engine.venues.registry import VenueRegistry
from engine.venues.storage import venue_accounts as table
from hub.app.container import Container
from tests.engine.venues.conftest import exchange_spec
from tests.fakes.exchange_conftest import TEST_CREDENTIALS
from tests.kit.hubdriver import HubDriver

BINANCE = TEST_CREDENTIALS["binance"]


def spec(name: str = "binance-main", **overrides: object) -> ExchangeAccountSpec:
    values: dict[str, object] = {"name": name, "exchange_id": "binance", "api_key": BINANCE.api_key,
                                 "secret": BINANCE.secret}  # fmt: skip
    values.update(overrides)
    return ExchangeAccountSpec(**values)  # type: ignore[arg-type]


def test_sealed_secrets_open_only_with_the_same_master_key() -> None:
    box = CredentialBox(Fernet.generate_key().decode())
    token = box.seal({"secret": BINANCE.secret})

    assert BINANCE.secret not in token
    assert box.open(token) == {"secret": BINANCE.secret}
    with pytest.raises(OperatorError, match="differs from the key they were stored with"):
        CredentialBox(Fernet.generate_key().decode()).open(token)


def test_a_malformed_master_key_is_refused_when_used() -> None:
    with pytest.raises(OperatorError, match="not a Fernet key"):
        CredentialBox("not-a-key").seal({"secret": "x"})


def test_without_a_master_key_nothing_is_stored(keyed_container: Container, trader: HubDriver) -> None:
    registry = VenueRegistry()
    service = VenueAccounts(keyed_container.db, registry, CredentialBox(None), FakeClock(0))

    with pytest.raises(OperatorError, match="TRADEHUB_MASTER_KEY is not set"):
        service.add_exchange(trader.user.user_id, spec())

    assert service.list() == []
    assert registry.names() == []


def test_added_account_is_listed_masked_and_stored_encrypted(
    venue_accounts: VenueAccounts, trader: HubDriver, keyed_container: Container
) -> None:
    added = venue_accounts.add_exchange(trader.user.user_id, spec(sandbox=True))

    shown = added.to_json()
    assert shown["credentials"] == BINANCE.api_key[:4] + "***"
    assert (shown["exchange"], shown["sandbox"], shown["name"]) == ("binance", True, "binance-main")
    assert [a.name for a in venue_accounts.list(trader.user.user_id)] == ["binance-main"]
    assert "binance-main" in keyed_container.services.venues.names()
    with keyed_container.db.connect() as conn:
        row = conn.execute(select(table)).one()
    stored = " ".join(str(value) for value in row)
    assert BINANCE.api_key not in stored and BINANCE.secret not in stored


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"exchange_id": "notanexchange"}, "unknown exchange 'notanexchange'"),
        ({"name": "Binance Main"}, "must be lower case letters"),
        ({"secret": " "}, "needs both an API key and a secret"),
        ({"exchange_id": "kraken", "sandbox": True}, "kraken has no sandbox"),
        ({"api_url": "ftp://proxy.example"}, "api_url must be an absolute http"),
    ],
)
def test_bad_account_input_is_refused_and_changes_nothing(
    venue_accounts: VenueAccounts, trader: HubDriver, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(UserInputError, match=message):
        venue_accounts.add_exchange(trader.user.user_id, spec(**overrides))

    assert venue_accounts.list() == []


def test_names_are_unique_and_paper_is_reserved(venue_accounts: VenueAccounts, trader: HubDriver) -> None:
    venue_accounts.add_exchange(trader.user.user_id, spec())

    with pytest.raises(Conflict, match="already exists"):
        venue_accounts.add_exchange(trader.user.user_id, spec(exchange_id="okx"))
    with pytest.raises(Conflict, match="built-in venue"):
        venue_accounts.add_exchange(trader.user.user_id, spec(name="paper"))
    assert [a.to_json()["exchange"] for a in venue_accounts.list()] == ["binance"]


async def test_secrets_appear_in_no_log_line_reply_or_error(
    venue_accounts: VenueAccounts, trader: HubDriver, make_exchange_case, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    case = await make_exchange_case("binance")
    venue_accounts.add_exchange(trader.user.user_id, exchange_spec(case))
    wrong = exchange_spec(case, "binance-wrong")
    venue_accounts.add_exchange(
        trader.user.user_id,
        ExchangeAccountSpec(wrong.name, "binance", wrong.api_key, "X" + wrong.secret[1:], api_url=wrong.api_url),
    )

    replies = [
        await trader.push("buy 0.01 BTC/USDT on binance-main"),
        await trader.push("balance on binance-main"),
        await trader.push("buy 0.01 BTC/USDT on binance-wrong"),  # the fake refuses the signature
    ]

    assert replies[0].ok and replies[1].ok and not replies[2].ok
    texts = [reply.text for reply in replies] + [str(reply.data) for reply in replies]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(account) for account in venue_accounts.list()] + [repr(v) for v in venue_accounts.registry]
    for secret in (BINANCE.api_key, BINANCE.secret, "X" + BINANCE.secret[1:]):
        assert not [text for text in texts if secret in text]
    assert any("binance-main" in text for text in texts)  # the log was captured at all
