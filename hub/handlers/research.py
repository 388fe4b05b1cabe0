"""Research commands that read market data but never trade: ``backtest`` and ``sentiment``."""

from __future__ import annotations

import asyncio

from engine.errors import UserInputError
from engine.marketdata import bundled_data_dir
from hub.commands import Backtest, Sentiment
from hub.dispatch import Context, Services
from hub.reply import Reply
from sentiment.models import SentimentSnapshot
from sentiment.report import snapshot_payload, snapshot_text

DEFAULT_CASH = "10000"
DEFAULT_FEE = "0.001"


async def backtest(services: Services, context: Context, command: Backtest) -> Reply:
    """Backtest a strategy over the bundled hourly candles; reply with the summary and the equity chart.

    ``cash``, ``fee`` and ``slippage`` may be given as parameters; the rest go to the strategy.
    """
    from strategies.backtest.run import run_backtest

    params = dict(command.params)
    cash = params.pop("cash", DEFAULT_CASH)
    fee = params.pop("fee", DEFAULT_FEE)
    slippage = params.pop("slippage", "0")
    symbols = command.symbol.split(",")
    files = []
    for symbol in symbols:
        path = bundled_data_dir() / f"{symbol.replace('/', '_')}-1h.csv.gz"
        if not path.exists():
            raise UserInputError(f"no bundled candles for {symbol}; backtests run on the replayed markets")
        files.append(path)
    # a backtest is CPU-bound for up to a second: keep the event loop free for other commands
    result = await asyncio.to_thread(
        run_backtest, command.strategy, symbols, files, cash=cash, fee=fee, slippage=slippage, params=params
    )
    data = {
        "strategy": command.strategy,
        "symbol": command.symbol,
        "metrics": result.metrics,
        "benchmark": result.benchmark,
    }
    return Reply(True, result.summary, data=data, image=result.equity_png)


def sentiment_snapshot(services: Services, pair: str) -> SentimentSnapshot:
    """The sentiment snapshot of a normalised ``BASE/QUOTE`` pair's base asset, with the market regime
    from the replayed closes when the pair is replayed."""
    if services.sentiment is None:
        raise UserInputError("sentiment is not configured in this deployment", code="not_available")
    closes = None
    venue = services.venues.get(None)
    feed = getattr(venue, "feed", None)
    if feed is not None and pair in feed.series:
        closes = [float(candle.close) for candle in feed.history(pair, 72)]
    return services.sentiment.snapshot(pair.split("/")[0], closes=closes)


async def sentiment(services: Services, context: Context, command: Sentiment) -> Reply:
    """Index, 24 h change, the posts behind it and a trend chart."""
    snapshot = await asyncio.to_thread(sentiment_snapshot, services, command.symbol)
    assert services.sentiment is not None
    chart = await asyncio.to_thread(services.sentiment.chart_png, snapshot.symbol)
    return Reply(True, snapshot_text(snapshot), data=snapshot_payload(snapshot), image=chart)
