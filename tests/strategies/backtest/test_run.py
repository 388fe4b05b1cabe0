"""``run_backtest`` end to end: output files, report contents, multi-asset rebalancing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.errors import UserInputError
from strategies.backtest.run import run_backtest
from tests.strategies.candles import HOUR, REAL_DATA, csv_text

BTC = REAL_DATA / "BTC_USDT-1h.csv.gz"
ETH = REAL_DATA / "ETH_USDT-1h.csv.gz"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_dca_run_writes_every_output_with_one_equity_row_per_candle(tmp_path: Path) -> None:
    result = run_backtest("dca", "BTC/USDT", BTC, cash="10000", fee="0.001", slippage="0.0005",
                          params=["amount=100", "every=24h", "take_profit=3"], out_dir=tmp_path)

    names = {path.name for path in result.files}
    assert names == {"equity.csv", "trades.csv", "report.json", "report.csv", "report.xlsx", "report.pdf",
                     "equity.png"}
    with (tmp_path / "equity.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["timestamp_ms", "equity"]
    assert len(rows) == 1 + 10_235
    assert float(rows[-1][1]) == pytest.approx(result.metrics["end_equity"])
    report = json.loads((tmp_path / "report.json").read_text())
    for key in ("total_return", "cagr", "volatility", "sharpe", "sortino", "calmar", "max_drawdown",
                "max_drawdown_duration", "win_rate", "profit_factor", "exposure", "trades"):
        assert key in report["metrics"] and key in report["benchmark"]
    assert set(report["metrics"]["var_95"]) == {"historical", "parametric", "monte_carlo"}
    assert set(report["benchmark"]["cvar_95"]) == {"historical", "parametric", "monte_carlo"}
    assert report["benchmark"]["trades"] == 1
    with (tmp_path / "trades.csv").open() as handle:
        trades = list(csv.DictReader(handle))
    assert len(trades) == report["metrics"]["trades"] > 100  # take-profits recycle the cash
    assert trades[0]["intent_id"] == "backtest:dca:b0"


def test_report_exports_carry_the_same_figures(tmp_path: Path) -> None:
    result = run_backtest("buyhold", "ETH/USDT", ETH, cash="1000", fee="0.001", out_dir=tmp_path)

    with (tmp_path / "report.csv").open() as handle:
        table = {row["metric"]: row for row in csv.DictReader(handle)}
    assert float(table["sharpe"]["strategy"]) == result.metrics["sharpe"]
    assert float(table["var_95.monte_carlo"]["benchmark"]) == result.benchmark["var_95"]["monte_carlo"]
    book = load_workbook(tmp_path / "report.xlsx", read_only=True)
    assert book.sheetnames == ["Metrics", "Equity", "Trades"]
    metrics = {row[1]: row[2] for row in book["Metrics"].iter_rows(min_row=2, values_only=True)}
    assert metrics["max_drawdown"] == pytest.approx(result.metrics["max_drawdown"])
    assert book["Equity"].max_row == 1 + 10_235
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    assert (tmp_path / "equity.png").read_bytes() == result.equity_png


def test_chat_use_returns_summary_and_chart_without_writing_files() -> None:
    result = run_backtest("grid", "BTC/USDT", BTC, cash="100000", fee="0.001",
                          params={"lower": "30000", "upper": "50000", "levels": "20", "quantity": "0.05"})

    assert result.files == ()
    assert result.equity_png.startswith(PNG_SIGNATURE) and len(result.equity_png) > 10_000
    assert result.summary.startswith("Backtest grid BTC/USDT: 2022-01-01 00:00 to 2023-03-03 10:00 UTC")
    assert "Max drawdown" in result.summary and "buy & hold" in result.summary
    assert result.metrics["trades"] > 20


def test_rebalance_backtests_several_files_and_reports_their_correlation(tmp_path: Path) -> None:
    result = run_backtest("rebalance", "BTC/USDT,ETH/USDT", [BTC, ETH], cash="10000", fee="0.001",
                          params=["weights=50%,50%", "every=7d"], out_dir=tmp_path)

    correlation = result.report["correlation"]
    assert correlation["BTC/USDT"]["BTC/USDT"] == pytest.approx(1.0)
    assert 0.5 < correlation["BTC/USDT"]["ETH/USDT"] < 1.0
    assert correlation["ETH/USDT"]["BTC/USDT"] == pytest.approx(correlation["BTC/USDT"]["ETH/USDT"])
    assert result.report["symbols"] == ["BTC/USDT", "ETH/USDT"]
    assert result.metrics["trades"] > 2 * 50  # weekly adjustments over 14 months
    assert result.benchmark["trades"] == 2  # equal-weight buy and hold


def test_data_with_gaps_runs_and_keeps_one_row_per_candle(tmp_path: Path) -> None:
    stamps = [0, HOUR, 2 * HOUR, 30 * HOUR, 31 * HOUR + 60_000, 80 * HOUR]
    path = tmp_path / "gappy.csv"
    path.write_text(csv_text([(ts, 10, 11, 9, 10 + index) for index, ts in enumerate(stamps)]))

    result = run_backtest("dca", "ABC/USDT", path, cash="100", fee="0", params=["amount=10", "every=1d"])

    assert result.metrics["trades"] == 3  # at 0h, 30h and 80h
    assert result.ts.tolist() == stamps


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"strategy": "martingale"}, "unknown strategy"),
    ({"params": ["amount=100", "evry=24h"]}, "unknown parameter `evry`"),
    ({"params": ["every=24h"]}, "needs the parameter `amount`"),
    ({"fee": "1.5"}, "`fee` must be"),
    ({"cash": "0"}, "cash"),
    ({"symbols": "BTC/USDT,ETH/USDT"}, "dca trades exactly one symbol"),
    ({"strategy": "rebalance", "symbols": "BTC/USDT,ETH/USDT", "params": ["weights=0.5,0.5", "every=1d"]},
     "one --data file per symbol"),
])
def test_bad_requests_are_user_errors(kwargs: dict, message: str) -> None:
    arguments = {"strategy": "dca", "symbols": "BTC/USDT", "data": BTC, "cash": "1000", "fee": "0.001",
                 "params": ["amount=100"]} | kwargs
    strategy, symbols, data = arguments.pop("strategy"), arguments.pop("symbols"), arguments.pop("data")
    with pytest.raises(UserInputError, match=message):
        run_backtest(strategy, symbols, data, **arguments)
