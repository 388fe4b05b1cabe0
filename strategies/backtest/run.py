"""``run_backtest``: load candles, run a strategy and its buy-and-hold benchmark, build the report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

from engine.errors import UserInputError
from strategies.backtest.charts import equity_figure, equity_png
from strategies.backtest.data import CandleSeries, align, load_candles
from strategies.backtest.exports import write_outputs
from strategies.backtest.metrics import compute_metrics
from strategies.backtest.report import build_report, summary_text
from strategies.backtest.runner import Progress, Simulation, run_simulation
from strategies.core import create_strategy
from strategies.core.params import parse_pairs

STRATEGY_ID = "backtest"


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """What a backtest produced: the summary for a chat reply, the report and the chart."""

    summary: str
    metrics: dict[str, object]
    benchmark: dict[str, object]
    report: dict[str, object]
    equity_png: bytes
    ts: np.ndarray
    equity: np.ndarray
    files: tuple[Path, ...] = field(default=())


def _money(text: str | Decimal | int | float, *, name: str, upper: Decimal | None = None) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise UserInputError(f"`{name}` must be a number, not `{text}`") from None
    if not value.is_finite() or value < 0 or (upper is not None and value >= upper):
        bound = f" and below {upper}" if upper is not None else ""
        raise UserInputError(f"`{name}` must be zero or more{bound}, not {value}")
    return value


def _symbols(symbols: str | Sequence[str]) -> tuple[str, ...]:
    items = symbols.split(",") if isinstance(symbols, str) else list(symbols)
    cleaned = tuple(item.strip().upper() for item in items if item.strip())
    if not cleaned:
        raise UserInputError("give at least one symbol, like BTC/USDT")
    return cleaned


def load_series(symbols: tuple[str, ...], data: Sequence[str | Path]) -> list[CandleSeries]:
    """Load one CSV per symbol (same order) and keep their common timestamps."""
    if len(data) != len(symbols):
        raise UserInputError(f"give one --data file per symbol: {len(symbols)} symbol(s), {len(data)} file(s)")
    return align([load_candles(path, symbol=symbol) for symbol, path in zip(symbols, data, strict=True)])


def run_backtest(
    strategy: str, symbols: str | Sequence[str], data: str | Path | Sequence[str | Path], *,
    cash: str | Decimal | int | float, fee: str | Decimal | int | float,
    slippage: str | Decimal | int | float = 0, params: Mapping[str, str] | Sequence[str] = (),
    out_dir: str | Path | None = None, progress: Progress | None = None,
) -> BacktestResult:
    """Backtest ``strategy`` on ``symbols`` over the candle file(s) ``data``.

    ``params`` is a mapping or ``key=value`` strings. With ``out_dir`` every output file is written
    there. Bad input raises ``UserInputError`` with a message for the user.
    """
    kind = strategy.lower()
    symbol_tuple = _symbols(symbols)
    files = [data] if isinstance(data, str | Path) else list(data)
    budget = _money(cash, name="cash")
    fee_rate = _money(fee, name="fee", upper=Decimal(1))
    slip = _money(slippage, name="slippage", upper=Decimal(1))
    options = dict(params) if isinstance(params, Mapping) else parse_pairs(params)
    if budget <= 0:
        raise UserInputError("`cash` must be greater than zero")
    instance = create_strategy(kind, strategy_id=STRATEGY_ID, symbols=symbol_tuple, cash=budget, params=options)
    series = load_series(symbol_tuple, files)
    main = run_simulation(instance, series, cash=budget, fee=fee_rate, slippage=slip, progress=progress)
    bench = _benchmark(series, symbol_tuple, budget, fee_rate, slip)
    return _finish(kind, series, options, (budget, fee_rate, slip), main, bench, out_dir)


def _benchmark(series: list[CandleSeries], symbols: tuple[str, ...], cash: Decimal, fee: Decimal,
               slippage: Decimal) -> Simulation:
    holder = create_strategy("buyhold", strategy_id="benchmark", symbols=symbols, cash=cash, params={})
    return run_simulation(holder, series, cash=cash, fee=fee, slippage=slippage)


def _finish(
    kind: str, series: list[CandleSeries], options: Mapping[str, str], money: tuple[Decimal, Decimal, Decimal],
    main: Simulation, bench: Simulation, out_dir: str | Path | None,
) -> BacktestResult:
    cash, fee, slippage = money
    initial = float(cash)
    metrics = compute_metrics(main.ts, main.equity, initial=initial, trades=len(main.venue.trades))
    benchmark = compute_metrics(bench.ts, bench.equity, initial=initial, trades=len(bench.venue.trades))
    report = build_report(strategy=kind, series=series, params=options, cash=str(cash), fee=str(fee),
                          slippage=str(slippage), metrics=metrics, benchmark=benchmark,
                          rejections=len(main.venue.rejections))
    summary = summary_text(report)
    title = f"{kind} {', '.join(item.symbol for item in series)}"
    png = equity_png(main.ts, main.equity, bench.equity, initial=initial, title=title)
    written: list[Path] = []
    if out_dir is not None:
        chart = equity_figure(main.ts, main.equity, bench.equity, initial=initial, title=title)
        written = write_outputs(Path(out_dir), report=report, summary=summary, ts=main.ts,
                                equity=main.equity, benchmark=bench.equity, trades=main.venue.trades,
                                png=png, chart=chart)
    return BacktestResult(summary, report["metrics"], report["benchmark"], report, png,  # type: ignore[arg-type]
                          main.ts, main.equity, tuple(written))
