"""``tradehub backtest`` through typer, registered the way the application registers it."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from strategies.backtest.cli import backtest_command
from tests.strategies.candles import REAL_DATA

BTC = str(REAL_DATA / "BTC_USDT-1h.csv.gz")


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """tradehub"""

    app.command("backtest")(backtest_command)
    return app


def test_backtest_command_writes_outputs_and_prints_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(make_app(), [
        "backtest", "grid", "BTC/USDT", "--data", BTC, "--cash", "100000", "--fee", "0.001",
        "--slippage", "0.0005", "--param", "lower=30000", "--param", "upper=50000", "--param", "levels=15",
        "--param", "quantity=0.1", "--param", "mode=geometric", "--out", str(out),
    ])

    assert result.exit_code == 0, result.output
    assert "Backtest grid BTC/USDT" in result.output and "wrote 7 files" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["params"] == {"lower": "30000", "upper": "50000", "levels": "15", "quantity": "0.1",
                                "mode": "geometric"}
    assert report["slippage"] == "0.0005"
    assert (out / "equity.png").stat().st_size > 0


def test_backtest_command_reports_bad_parameters_with_exit_code_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(make_app(), [
        "backtest", "dca", "BTC/USDT", "--data", BTC, "--cash", "1000", "--fee", "0.001",
        "--param", "amount=lots", "--out", str(tmp_path),
    ])

    assert result.exit_code == 2
    assert "`amount` must be a number" in result.output
    assert not (tmp_path / "report.json").exists()


def test_backtest_help_shows_the_documented_usage() -> None:
    result = CliRunner().invoke(make_app(), ["backtest", "--help"])

    assert result.exit_code == 0
    for word in ("STRATEGY", "SYMBOL", "--data", "--cash", "--fee", "--slippage", "--param", "--out"):
        assert word in result.output
