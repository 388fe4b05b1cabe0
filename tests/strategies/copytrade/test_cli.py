"""``tradehub copytrade lead`` and ``sweep`` as real subprocesses on a fresh TRADEHUB_HOME."""

from __future__ import annotations

from pathlib import Path

from tests.hub.app.test_cli import cli


def test_lead_from_the_command_line_then_sweep(tmp_path: Path) -> None:
    assert cli(tmp_path, "user", "add", "lea").returncode == 0
    url = "https://discord.com/api/webhooks/42/cli-Secret"

    led = cli(tmp_path, "copytrade", "lead", "lea", "--discord", url)
    assert led.returncode == 0, led.stderr
    assert led.stdout.strip() == "lea leads (0 follower(s), fills posted to …/webhooks/42/***)"
    assert "cli-Secret" not in led.stdout + led.stderr

    board = cli(tmp_path, "run", "leaders", "--as", "lea")
    assert board.returncode == 0 and "1. lea: 30d return" in board.stdout

    bad = cli(tmp_path, "copytrade", "lead", "lea", "--discord", "https://example.com/hook")
    assert bad.returncode == 1 and "not a Discord channel webhook URL" in bad.stderr

    swept = cli(tmp_path, "copytrade", "sweep")
    assert swept.returncode == 0 and swept.stdout.strip() == "0 leader fill(s): 0 copied, 0 skipped"
