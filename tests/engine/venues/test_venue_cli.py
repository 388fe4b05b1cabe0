"""``tradehub venue add|list|remove``: secrets from stdin only, stored encrypted, never printed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from engine.venues.dex.keystore import encrypt
from engine.venues.storage import venue_accounts as table
from hub.app import logs
from hub.app.cli import app
from tests.engine.venues.conftest import MASTER_KEY
from tests.fakes.exchange_conftest import TEST_CREDENTIALS

OKX = TEST_CREDENTIALS["okx"]
WALLET_KEY = "0x" + "4c" * 32
ADDRESS = "0x" + "11" * 20


@pytest.fixture(autouse=True)
def keep_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI points structlog at its stdout; under CliRunner that stream is closed after each call,
    and later tests in this process would log into it. In a real process it is the terminal."""
    monkeypatch.setattr(logs, "configure", lambda *_args, **_kwargs: None)


@pytest.fixture
def home(tmp_path: Path, template_db: Path) -> Path:
    shutil.copy(template_db, tmp_path / "tradehub.db")
    return tmp_path


def run(home: Path, *args: str, stdin: str = "", master_key: str | None = MASTER_KEY):
    env = {"TRADEHUB_HOME": str(home), "TRADEHUB_MASTER_KEY": master_key or ""}
    return CliRunner().invoke(app, list(args), input=stdin, env=env)


def test_exchange_account_from_stdin_is_listed_masked_and_never_printed(home: Path) -> None:
    assert run(home, "user", "add", "alice").exit_code == 0
    stdin = f"{OKX.api_key}\n{OKX.secret}\n{OKX.password}\n"

    added = run(home, "venue", "add", "okx-main", "--exchange", "okx", "--sandbox", "--api-key-stdin", stdin=stdin)
    listed = run(home, "venue", "list")

    assert added.exit_code == 0, added.output
    assert "okx-main\tokx sandbox, key 5f3c***" in listed.output
    for secret in (OKX.api_key, OKX.secret, OKX.password):
        assert secret not in added.output and secret not in listed.output
    with create_engine(f"sqlite:///{home / 'tradehub.db'}").connect() as conn:
        row = conn.execute(select(table)).one()
    assert row.owner_user_id == 1 and OKX.secret not in row.secrets


def test_without_master_key_the_cli_refuses_and_stores_nothing(home: Path) -> None:
    run(home, "user", "add", "alice")

    result = run(home, "venue", "add", "okx-main", "--exchange", "okx", "--api-key-stdin",
                 stdin=f"{OKX.api_key}\n{OKX.secret}\n", master_key=None)  # fmt: skip

    assert result.exit_code == 1
    assert "TRADEHUB_MASTER_KEY is not set" in result.output
    assert OKX.secret not in result.output
    assert "no venue accounts yet" in run(home, "venue", "list").output


def test_incomplete_stdin_is_a_clear_error(home: Path) -> None:
    run(home, "user", "add", "alice")

    result = run(home, "venue", "add", "okx-main", "--exchange", "okx", "--api-key-stdin", stdin=f"{OKX.api_key}\n")

    assert result.exit_code == 1
    assert "expects the API key, the secret" in result.output
    assert OKX.api_key not in result.output


def test_dex_wallet_from_a_keystore_on_stdin(home: Path) -> None:
    run(home, "user", "add", "alice")
    keystore = encrypt(WALLET_KEY, "hunter22", iterations=2)
    args = ["venue", "add", "base-wallet", "--dex", "--chain", "base", "--rpc", "http://127.0.0.1:8545",
            "--router", ADDRESS, "--factory", "0x" + "22" * 20, "--token", f"USDC={'0x' + '33' * 20}:6",
            "--token", f"WETH={'0x' + '44' * 20}", "--keystore-stdin"]  # fmt: skip

    wrong = run(home, *args, stdin=keystore + "\nnot-the-password\n")
    added = run(home, *args, stdin=keystore + "\nhunter22\n")
    listed = run(home, "venue", "list")
    removed = run(home, "venue", "remove", "base-wallet")

    assert wrong.exit_code == 1 and "cannot unlock" in wrong.output
    assert added.exit_code == 0, added.output
    assert "base-wallet\tdex on base (chain 8453), wallet 0x" in listed.output
    assert WALLET_KEY[2:] not in listed.output + added.output and "hunter22" not in added.output + wrong.output
    assert removed.exit_code == 0
    assert "no venue accounts yet" in run(home, "venue", "list").output
