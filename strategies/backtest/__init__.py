"""The backtester: the strategies of ``strategies.core`` run over historical candles.

Entry points (imported from their modules so that importing the package stays cheap):

- ``strategies.backtest.run.run_backtest(strategy, symbols, data, cash=, fee=, slippage=, params=,
  out_dir=None) -> BacktestResult`` (``summary`` text, ``metrics``/``benchmark`` dicts, full
  ``report``, ``equity_png`` bytes; with ``out_dir`` it writes every file below);
- ``strategies.backtest.cli.backtest_command``: ``tradehub backtest STRATEGY SYMBOL --data CSV
  --cash N --fee F [--slippage S] [--param key=value ...] --out DIR``.

Conventions (also written into every ``report.json``):

- CSV columns ``timestamp_ms,open,high,low,close,volume``; gaps and unaligned timestamps are fine,
  nothing assumes one row per interval (``data.py``). Several files (``rebalance``) are aligned
  on their common timestamps.
- Orders decided on a bar fill at that bar's close plus slippage ``S``; a fee ``F`` is charged on
  the quote amount traded (a buy of ``A`` gets ``A*(1-F)/price`` units). Resting limit orders (grid)
  fill at their limit price along the bar's path open -> low -> high -> close when the bar closed
  at or above its open, open -> high -> low -> close otherwise (``venue.py``).
- ``buyhold`` invests all cash at the first close; ``dca amount=A every=24h`` buys on the first
  bar and then on each bar at least 24 h after the previous buy, while whole amounts of cash last.
- Equity (``equity.csv``: ``timestamp_ms,equity``, one row per candle) is cash plus positions at
  each close, in quote currency. Metrics follow quantstats' definitions on per-bar returns,
  annualised with the bar interval (8,760 a year for hourly candles), rf = 0 (``metrics.py``).
  The benchmark is buy-and-hold of the same symbol(s) with the same cash, fee and slippage.

Outputs in ``--out``: ``equity.csv``, ``trades.csv``, ``report.json``, ``equity.png`` and the report
as ``report.csv``, ``report.xlsx`` and ``report.pdf``.

Decisions and balances are ``Decimal``, exactly as live. The equity curve, the metrics and the
search for the next bar that needs the strategy use float64/numpy: this is analytics, and it is
what lets a run cover a million candles a second (``runner.py``).
"""
