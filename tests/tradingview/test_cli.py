"""``tradehub tradingview ...`` as an operator uses it: real subprocesses against a TRADEHUB_HOME."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.hub.app.test_cli import cli
from tests.tradingview.conftest import Trader


def test_hooks_are_created_listed_rotated_and_revoked(tmp_path: Path) -> None:
    assert cli(tmp_path, "user", "add", "alice").returncode == 0
    created = cli(tmp_path, "tradingview", "create", "alice", "--symbol", "BTCUSDT", "--size", "$50",
                  "--passphrase", "long enough phrase")  # fmt: skip
    assert created.returncode == 0, created.stderr
    url = created.stdout.strip().splitlines()[-1]
    assert url.startswith("/tradingview/") and len(url) > 50
    token = url.removeprefix("/tradingview/")
    assert token.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("tradehub.db*"))

    listed = cli(tmp_path, "tradingview", "list", "alice")
    hook_id = listed.stdout.split()[0]
    assert hook_id.startswith("tvh_")
    assert "live" in listed.stdout and "symbols=BTC/USDT" in listed.stdout and "size=$50" in listed.stdout

    rotated = cli(tmp_path, "tradingview", "rotate", hook_id)
    assert rotated.returncode == 0 and rotated.stdout.strip().splitlines()[-1] != url
    assert cli(tmp_path, "tradingview", "revoke", hook_id).returncode == 0
    assert "revoked" in cli(tmp_path, "tradingview", "list", "--all").stdout
    assert cli(tmp_path, "tradingview", "list").stdout.strip() == ""


def test_bad_options_are_refused_with_the_option_named(tmp_path: Path) -> None:
    assert cli(tmp_path, "user", "add", "alice").returncode == 0
    result = cli(tmp_path, "tradingview", "create", "alice", "--size", "lots")
    assert result.returncode == 2 and "default_size" in result.stderr
    assert cli(tmp_path, "tradingview", "create", "nobody").returncode == 1


def test_a_recording_only_server_leaves_alerts_to_the_execute_command(serve: Callable[..., Trader]) -> None:
    alice = serve(execute="false")
    hook = alice.create_hook()
    sent = alice.send(hook, "buy 0.001 BTC/USDT")
    assert alice.alerts()[0]["status"] == "pending"

    result = cli(alice.container.settings.home, "tradingview", "execute", "--once")

    assert result.returncode == 0, result.stderr
    assert "executed 1 alert(s)" in result.stdout
    alert = alice.outcome(sent.json()["alert_id"])
    assert alert["status"] == "executed" and alert["order_id"].startswith("ord_")
    listed = cli(alice.container.settings.home, "tradingview", "alerts", "--user", "alice")
    assert f"{alert['id']} executed: buy 0.001 BTC/USDT -> {alert['order_id']}" in listed.stdout
