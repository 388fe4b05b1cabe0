"""Write a backtest's outputs: equity.csv, trades.csv, report.json, equity.png and the report as
CSV, XLSX (openpyxl) and PDF (matplotlib's PDF backend)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from strategies.backtest.report import METRIC_ROWS, format_metric, metric_value
from strategies.backtest.venue import Trade

TRADE_COLUMNS = ("timestamp_ms", "intent_id", "symbol", "side", "liquidity", "price", "quantity",
                 "quote", "fee", "reason")


def equity_csv(ts: np.ndarray, equity: np.ndarray) -> str:
    """``timestamp_ms,equity``, one row per bar."""
    rows = [f"{stamp},{value:.8f}" for stamp, value in zip(ts.tolist(), equity.tolist(), strict=True)]
    return "timestamp_ms,equity\n" + "\n".join(rows) + "\n"


def trades_csv(trades: Sequence[Trade]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TRADE_COLUMNS)
    writer.writerows(trades)
    return buffer.getvalue()


def metric_table(report: Mapping[str, object]) -> list[tuple[str, str, float | int | None, float | int | None]]:
    """(label, key, strategy value, benchmark value) for every report metric."""
    metrics, benchmark = report["metrics"], report["benchmark"]
    assert isinstance(metrics, Mapping) and isinstance(benchmark, Mapping)
    return [(label, key, metric_value(metrics, key), metric_value(benchmark, key))
            for label, key, _ in METRIC_ROWS]


def report_csv(report: Mapping[str, object]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("metric", "strategy", "benchmark"))
    for _, key, value, bench in metric_table(report):
        writer.writerow((key, "" if value is None else repr(value), "" if bench is None else repr(bench)))
    return buffer.getvalue()


def write_xlsx(path: Path, report: Mapping[str, object], ts: np.ndarray, equity: np.ndarray,
               benchmark: np.ndarray, trades: Sequence[Trade]) -> None:
    """Sheets: Metrics, Equity (per bar, with the benchmark) and Trades."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Metrics"
    sheet.append(("metric", "key", "strategy", "benchmark"))
    for row in metric_table(report):
        sheet.append(row)
    sheet.column_dimensions["A"].width = 24
    curve = book.create_sheet("Equity")
    curve.append(("timestamp_ms", "equity", "benchmark"))
    for row in zip(ts.tolist(), equity.tolist(), benchmark.tolist(), strict=True):
        curve.append(row)
    fills = book.create_sheet("Trades")
    fills.append(TRADE_COLUMNS)
    for trade in trades:
        fills.append((trade.ts_ms, trade.intent_id, trade.symbol, trade.side, trade.liquidity,
                      float(trade.price), float(trade.quantity), float(trade.quote), float(trade.fee),
                      trade.reason))
    book.save(path)


def write_pdf(path: Path, report: Mapping[str, object], chart: Figure, summary: str) -> None:
    """Page 1: the metrics table and conventions; page 2: the equity/drawdown chart."""
    page = Figure(figsize=(8.27, 11.69))
    page.text(0.06, 0.96, summary.splitlines()[0], fontsize=10, weight="bold", va="top")
    rows = [[label, format_metric(value, kind), format_metric(bench, kind)]
            for (label, _, value, bench), (_, _, kind) in zip(metric_table(report), METRIC_ROWS, strict=True)]
    axes = page.add_axes((0.06, 0.35, 0.88, 0.58))
    axes.axis("off")
    table = axes.table(cellText=rows, colLabels=["metric", "strategy", "buy & hold"], loc="upper center")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    conventions = report.get("conventions", [])
    text = "\n".join(f"- {line}" for line in conventions) if isinstance(conventions, list) else ""
    page.text(0.06, 0.30, "Conventions\n" + text, fontsize=7, va="top", wrap=True)
    with PdfPages(path) as pdf:
        pdf.savefig(page)
        pdf.savefig(chart)


def write_outputs(
    out_dir: Path, *, report: Mapping[str, object], summary: str, ts: np.ndarray, equity: np.ndarray,
    benchmark: np.ndarray, trades: Sequence[Trade], png: bytes, chart: Figure,
) -> list[Path]:
    """Write every output file into ``out_dir`` (created if needed) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "equity.csv": equity_csv(ts, equity),
        "trades.csv": trades_csv(trades),
        "report.json": json.dumps(report, indent=2, allow_nan=False) + "\n",
        "report.csv": report_csv(report),
    }
    written = []
    for name, content in files.items():
        path = out_dir / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    (out_dir / "equity.png").write_bytes(png)
    write_xlsx(out_dir / "report.xlsx", report, ts, equity, benchmark, trades)
    write_pdf(out_dir / "report.pdf", report, chart, summary)
    written += [out_dir / "equity.png", out_dir / "report.xlsx", out_dir / "report.pdf"]
    return written
