"""``tradehub risk ...`` as an operator uses it: the real console script in a fresh TRADEHUB_HOME."""

from __future__ import annotations

from pathlib import Path

from tests.hub.app.test_cli import cli


def test_rules_set_refuse_list_and_delete(tmp_path: Path) -> None:
    assert cli(tmp_path, "user", "add", "alice", "--team", "desk").returncode == 0
    saved = cli(
        tmp_path, "risk", "rules", "set", "desk", "--max-drawdown", "10%", "--daily-loss", "500",
        "--concentration", "40%", "--exposure", "50000", "--var-budget", "1000",
        "--slack-channel", "C0RISK0001", "--cooldown", "30m",
    )  # fmt: skip
    negative = cli(tmp_path, "risk", "rules", "set", "desk", "--daily-loss", "-5", "--exposure", "100")
    unknown = cli(tmp_path, "risk", "rules", "set", "nobody", "--daily-loss", "5")
    listed = cli(tmp_path, "risk", "rules", "list")
    deleted = cli(tmp_path, "risk", "rules", "delete", "desk")

    assert saved.returncode == 0, saved.stderr
    assert negative.returncode == 1 and "daily loss must be a positive amount" in negative.stderr
    assert unknown.returncode == 1 and "unknown team 'nobody'" in unknown.stderr
    assert listed.stdout.strip() == (  # the refused changes left the rules as they were
        "desk: max drawdown 10%, daily loss 500 USDT, concentration 40%, exposure 50000 USDT, "
        "1-day VaR budget 1000 USDT; Slack C0RISK0001; cooldown 30m"
    )
    assert deleted.returncode == 0 and "Deleted the risk rules of desk." in deleted.stdout
