"""``tradehub backtest``: the CLI front of ``run_backtest``.

Registered by the application as ``app.command("backtest")(backtest_command)``::

    tradehub backtest STRATEGY SYMBOL --data CSV --cash N --fee F [--slippage S]
                      [--param key=value ...] --out DIR

For ``rebalance`` give the symbols comma-separated (``BTC/USDT,ETH/USDT``) and one ``--data`` per
symbol in the same order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from engine.errors import UserInputError

_SYMBOL_HELP = "BTC/USDT; several comma-separated for rebalance"
_DATA_HELP = "candle CSV (timestamp_ms,open,high,low,close,volume), one per symbol, in symbol order"
_OUT_HELP = "directory for equity.csv, trades.csv, report.json/csv/xlsx/pdf and equity.png"


def backtest_command(
    strategy: Annotated[str, typer.Argument(metavar="STRATEGY", help="buyhold, dca, grid or rebalance")],
    symbol: Annotated[str, typer.Argument(metavar="SYMBOL", help=_SYMBOL_HELP)],
    data: Annotated[list[Path], typer.Option("--data", metavar="CSV", help=_DATA_HELP)],
    cash: Annotated[str, typer.Option("--cash", metavar="N", help="starting cash in quote currency")],
    fee: Annotated[str, typer.Option("--fee", metavar="F", help="fee rate on the quote traded, e.g. 0.001")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help=_OUT_HELP)],
    slippage: Annotated[str, typer.Option("--slippage", metavar="S", help="slippage rate, e.g. 0.0005")] = "0",
    param: Annotated[
        list[str] | None, typer.Option("--param", metavar="KEY=VALUE", help="strategy parameter, repeatable")
    ] = None,
) -> None:
    """Backtest a strategy on candles and write the equity curve, trades and report to --out."""
    from strategies.backtest.run import run_backtest

    console = Console(stderr=True)
    columns = (TextColumn("[bold]backtest[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(f"{strategy} {symbol}", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = run_backtest(strategy, symbol, data, cash=cash, fee=fee, slippage=slippage,
                                  params=param or [], out_dir=out, progress=advance)
    except UserInputError as error:
        console.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(code=2) from None
    typer.echo(result.summary)
    typer.echo(f"wrote {len(result.files)} files to {out}")
