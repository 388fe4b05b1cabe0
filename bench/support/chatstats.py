"""What the chat benchmarks share: latency summaries and the table they print (target p99 < 50 ms)."""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

TARGET_P99_MS = 50.0


def summary(latencies: Sequence[float]) -> dict[str, float]:
    """p50 and p99 in milliseconds of per-update latencies."""
    ordered = sorted(latencies)
    return {"p50_ms": statistics.median(ordered), "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]}


def print_table(title: str, results: Sequence[dict[str, Any]]) -> None:
    """One row per measured path; a ``platform`` key adds a first column."""
    with_platform = any("platform" in r for r in results)
    columns = (["platform"] if with_platform else []) + ["path", "p50 ms", "p99 ms", "updates/s", "p99 vs target"]
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="left" if column in ("platform", "path") else "right")
    for result in results:
        p99 = float(result["p99_ms"])
        cells = [result["platform"]] if with_platform else []
        cells += [
            str(result.get("path", "")),
            f"{float(result['p50_ms']):.1f}",
            f"{p99:.1f}",
            f"{float(result['updates_per_s']):.0f}" + (" (sequential)" if result.get("sequential") else ""),
            f"{TARGET_P99_MS / p99:.2f}x {'ok' if p99 < TARGET_P99_MS else 'MISSED'}",
        ]
        table.add_row(*cells)
    Console().print(table)


def run_main(doc: str | None, title: str, measures: Callable[[int, int], list[dict[str, Any]]]) -> None:
    """The ``__main__`` of a platform's benchmark: ``--updates`` and ``--concurrency``, then the table."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    print_table(f"{title} ({args.updates} updates)", measures(args.updates, args.concurrency))
