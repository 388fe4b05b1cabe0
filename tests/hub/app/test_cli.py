"""The ``tradehub`` command line as a newcomer uses it: real subprocesses, a fresh TRADEHUB_HOME."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

#: each test runs several ``tradehub`` processes, each importing the whole product: on a loaded CI box
#: one can take 15 s, so the suite's 120 s per test is too tight here.
pytestmark = pytest.mark.timeout(600)

#: the console script installed beside the interpreter running the tests (the project's virtualenv)
TRADEHUB = (
    str(Path(sys.executable).parent / "tradehub")
    if (Path(sys.executable).parent / "tradehub").exists()
    else shutil.which("tradehub") or "tradehub"
)


def cli(home: Path, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEHUB_")}
    env.update({"TRADEHUB_HOME": str(home), **(extra_env or {})})
    return subprocess.run([TRADEHUB, *args], env=env, capture_output=True, text=True, timeout=120)


#: seconds for one HTTP request to a ``tradehub serve`` subprocess on a loaded CI box
HTTP_TIMEOUT = 30


def start_serve(home: Path, log: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    """``tradehub serve`` on a free port, once it answers ``/healthz``; its output goes to ``log``.

    The port is picked free, then bound by the server a few seconds later: another process can take it in
    between, and the server then exits on the bind. That start is retried on a new port (three tries).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEHUB_")}
    env["TRADEHUB_HOME"] = str(home)
    output = ""
    for _attempt in range(3):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with log.open("wb") as sink:
            server = subprocess.Popen([TRADEHUB, "serve", "--port", str(port)], env=env, stdout=sink, stderr=sink)
        deadline = time.monotonic() + 90  # importing the product and starting its worker, on a busy box
        while server.poll() is None:
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    return server, base, log
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                server.kill()
                server.wait(timeout=30)
                pytest.fail(f"serve did not come up within 90 s:\n{log.read_text()}")
            time.sleep(0.2)
        output = log.read_text()
        if "address already in use" not in output.lower():
            pytest.fail(f"serve exited with {server.returncode}:\n{output}")
    pytest.fail(f"serve could not bind a free port in three tries:\n{output}")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-home")
    assert cli(path, "user", "add", "alice", "--role", "admin").returncode == 0
    return path


def test_key_create_prints_the_key_last(home: Path) -> None:
    result = cli(home, "key", "create", "alice")
    assert result.returncode == 0
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("th_") and len(key) > 40
    assert key not in (home / "tradehub.db").read_bytes().decode("latin-1")  # only its hash is stored


def test_run_trades_and_reports_like_the_api(home: Path) -> None:
    bought = cli(home, "run", "buy 0.01 BTC/USDT")
    assert bought.returncode == 0 and "filled 0.01" in bought.stdout
    portfolio = cli(home, "run", "portfolio", "--as", "alice")
    assert "BTC (paper): 0.01" in portfolio.stdout and "Equity" in portfolio.stdout


def test_run_reports_errors_on_stderr_with_a_nonzero_exit(home: Path) -> None:
    result = cli(home, "run", "sell 5 ETH/USDT")
    assert result.returncode == 1 and "insufficient ETH" in result.stderr


def test_link_stores_a_chat_identity(home: Path) -> None:
    assert cli(home, "link", "alice", "--telegram", "12345").returncode == 0
    assert cli(home, "link", "alice", "--slack", "T1:U2").returncode == 0
    bad = cli(home, "link", "alice", "--slack", "U2")
    assert bad.returncode == 2 and "TEAM_ID:USER_ID" in bad.stderr


def test_link_with_a_code_the_bot_gave_and_channel_allow_list(home: Path) -> None:
    from hub.app.container import build
    from hub.app.settings import Settings

    built = build(Settings(home=home))
    try:
        code = built.services.links.issue("discord", "777")
        result = cli(home, "link", "alice", "--code", code)
        assert result.returncode == 0 and "linked discord 777 to alice" in result.stdout
        assert built.services.users.by_chat_identity("discord", "777").name == "alice"
        reused = cli(home, "link", "alice", "--code", code)
        assert reused.returncode == 1 and "already used" in reused.stderr
    finally:
        built.close()
    assert cli(home, "channel", "allow", "telegram:-100", "--team", "desk").returncode == 0
    listing = cli(home, "channel", "list")
    assert "-100" in listing.stdout and "desk" in listing.stdout
    assert cli(home, "channel", "remove", "telegram:-100").returncode == 0
    assert cli(home, "channel", "remove", "telegram:-100").returncode == 1
    assert cli(home, "channel", "allow", "irc:#x").returncode == 1
    assert cli(home, "channel", "allow", "C0123").returncode == 2


def test_duplicate_user_and_unknown_user_are_clear_errors(home: Path) -> None:
    assert "already exists" in cli(home, "user", "add", "alice").stderr
    assert "no user named zed" in cli(home, "key", "create", "zed").stderr


def test_invalid_configuration_names_each_variable(tmp_path: Path) -> None:
    result = cli(tmp_path, "version", extra_env={})
    assert result.returncode == 0
    result = cli(tmp_path, "db", "upgrade", extra_env={"TRADEHUB_REPLAY_SPEED": "fast", "TRADEHUB_RATE_LIMIT": "x"})
    assert result.returncode == 2
    assert "TRADEHUB_REPLAY_SPEED" in result.stderr and "TRADEHUB_RATE_LIMIT" in result.stderr


def test_db_upgrade_and_help(tmp_path: Path) -> None:
    assert "database at revision" in cli(tmp_path, "db", "upgrade").stdout
    help_text = cli(tmp_path, "--help").stdout
    for command in ("serve", "user", "key", "run", "link", "db", "worker", "beat", "version"):
        assert command in help_text


def test_serve_starts_with_embedded_defaults_and_reconciles_a_crashed_order(home: Path, tmp_path: Path) -> None:
    """A newcomer's first run: the server starts, trades on paper, and cleans up after a crash."""
    import sqlite3

    key = cli(home, "key", "create", "alice").stdout.strip().splitlines()[-1]
    db = sqlite3.connect(home / "tradehub.db")
    db.execute(
        "INSERT INTO orders (id, user_id, venue, symbol, side, type, quantity, price, status, filled_quantity,"
        " average_fill_price, fees, locked_amount, locked_asset, idempotency_key, client_order_id, venue_order_id,"
        " reason, source, created_ms, updated_ms) VALUES ('ord_crashed', 1, 'paper', 'BTC/USDT', 'buy', 'market',"
        " '0.01', NULL, 'new', '0', NULL, '0', '0', 'USDT', 'crash-key', 'th-crash', NULL, NULL, 'api', 1, 1)"
    )
    db.commit()
    db.close()
    server, base, log = start_serve(home, tmp_path / "serve.log")
    try:
        headers = {"Authorization": f"Bearer {key}"}
        response = httpx.post(
            f"{base}/api/v1/commands", json={"text": "buy 0.01 ETH/USDT"}, headers=headers, timeout=HTTP_TIMEOUT
        )
        assert response.status_code == 200 and response.json()["data"]["order"]["status"] == "filled"
        crashed = httpx.get(f"{base}/api/v1/orders/ord_crashed", headers=headers, timeout=HTTP_TIMEOUT).json()
        assert crashed["order"]["status"] == "rejected" and "restart" in crashed["order"]["reason"]
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    output = log.read_text()
    assert f"API at {base}/api/v1, docs at {base}/docs" in output
