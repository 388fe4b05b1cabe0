"""Account commands: balance, portfolio, pnl, price."""

from __future__ import annotations

from engine.portfolio import LiquidityHolding, PortfolioView
from engine.venues.managed import refresh_owned_balances
from hub import charts
from hub.commands import Balance, Pnl, Portfolio, Price
from hub.dispatch import Context, Services
from hub.handlers.format import amount
from hub.reply import Reply


def _holdings_payload(view: PortfolioView) -> list[dict[str, object]]:
    return [
        {
            "venue": h.venue,
            "asset": h.asset,
            "total": str(h.total),
            "locked": str(h.locked),
            "available": str(h.available),
            "price": None if h.price is None else str(h.price),
            "value": None if h.value is None else str(h.value),
            "average_cost": None if h.average_cost is None else str(h.average_cost),
            "unrealized_pnl": None if h.unrealized_pnl is None else str(h.unrealized_pnl),
            "realized_pnl": str(h.realized_pnl),
        }
        for h in view.holdings
    ]


def _liquidity_payload(view: PortfolioView) -> list[dict[str, object]]:
    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return [
        {
            "venue": lp.venue,
            "symbol": lp.symbol,
            "lp_tokens": text(lp.lp_tokens),
            "share": str(lp.share),
            "base_amount": str(lp.base_amount),
            "quote_amount": str(lp.quote_amount),
            "pool_price": str(lp.pool_price),
            "value": text(lp.value),
            "impermanent_loss": text(lp.impermanent_loss),
        }
        for lp in view.liquidity
    ]


def portfolio_payload(view: PortfolioView) -> dict[str, object]:
    return {
        "equity": str(view.equity),
        "unrealized_pnl": str(view.unrealized_pnl),
        "realized_pnl": str(view.realized_pnl),
        "fees_paid": str(view.fees_paid),
        "currency": view.currency,
        "holdings": _holdings_payload(view),
        "liquidity": _liquidity_payload(view),
    }


def liquidity_line(lp: LiquidityHolding, currency: str) -> str:
    """``LP TKA/USDT (wallet): 44.7 LP tokens, 4.47% of the pool = 50 TKA + 100 USDT = 200.00 USDT; ...``"""
    base, _, quote = lp.symbol.partition("/")
    tokens = f"{amount(lp.lp_tokens, 6)} LP tokens, " if lp.lp_tokens is not None else ""
    line = (
        f"LP {lp.symbol} ({lp.venue}): {tokens}{amount(lp.share * 100, 2)}% of the pool = "
        f"{amount(lp.base_amount, 6)} {base} + {amount(lp.quote_amount, 6)} {quote}"
    )
    line += f" = {amount(lp.value, 2)} {currency}" if lp.value is not None else f" (no {quote}/{currency} price)"
    if lp.impermanent_loss is None:
        return line + "; impermanent loss not tracked (the deposit was made outside tradehub)"
    return line + f"; impermanent loss {amount(lp.impermanent_loss * 100, 2)}% vs holding"


async def balance(services: Services, context: Context, command: Balance) -> Reply:
    await refresh_owned_balances(services.venues, context.principal.user_id, venue=command.venue)
    view = await services.portfolio.view(context.principal.user_id, venue=command.venue)
    lines = [f"{h.asset} ({h.venue}): {amount(h.total)} (available {amount(h.available)})" for h in view.holdings] or [
        "No balances yet."
    ]
    return Reply(True, "\n".join(lines), data=portfolio_payload(view))


async def portfolio(services: Services, context: Context, command: Portfolio) -> Reply:
    await refresh_owned_balances(services.venues, context.principal.user_id, venue=command.venue)
    view = await services.portfolio.view(context.principal.user_id, venue=command.venue)
    lines = [f"Equity {amount(view.equity, 2)} {view.currency}"]
    for h in view.holdings:
        line = f"{h.asset} ({h.venue}): {amount(h.total)}"
        if h.value is not None:
            line += f" = {amount(h.value, 2)} {view.currency}"
        if h.average_cost is not None and h.total:
            line += f", avg cost {amount(h.average_cost, 2)}, unrealized {amount(h.unrealized_pnl, 2)}"
        lines.append(line)
    lines.extend(liquidity_line(lp, view.currency) for lp in view.liquidity)
    lines.append(
        f"Realized P&L {amount(view.realized_pnl, 2)}, unrealized {amount(view.unrealized_pnl, 2)}, "
        f"fees {amount(view.fees_paid, 2)}"
    )
    return Reply(True, "\n".join(lines), data=portfolio_payload(view))


async def pnl(services: Services, context: Context, command: Pnl) -> Reply:
    view = await services.portfolio.pnl(context.principal.user_id, command.period)
    text = (
        f"P&L ({command.period}): {amount(view.total_pnl, 2)} USDT = realized {amount(view.realized_pnl, 2)} "
        f"+ unrealized {amount(view.unrealized_pnl, 2)}; fees {amount(view.fees, 2)}; equity {amount(view.equity, 2)}"
    )
    data = {
        "period": view.period,
        "since_ms": view.since_ms,
        "realized_pnl": str(view.realized_pnl),
        "unrealized_pnl": str(view.unrealized_pnl),
        "total_pnl": str(view.total_pnl),
        "fees": str(view.fees),
        "equity": str(view.equity),
        "history": [{"day_ms": day, "equity": str(equity)} for day, equity in view.history],
    }
    points = [*view.history, (services.clock.now_ms(), view.equity)]  # snapshots, then equity now
    chart = charts.equity_png(
        f"{context.principal.name}: equity ({command.period})", [t for t, _ in points], [e for _, e in points]
    )
    return Reply(True, text, data=data, image=chart)


async def price(services: Services, context: Context, command: Price) -> Reply:
    venue = services.venues.get(None)
    last = await venue.last_price(command.symbol)
    data: dict[str, object] = {"symbol": command.symbol, "venue": venue.name, "price": str(last)}
    text = f"{command.symbol} {amount(last)} on {venue.name}"
    feed = getattr(venue, "feed", None)
    chart = None
    if feed is not None:
        recent = feed.history(command.symbol, 48)
        day = recent[-25:]
        if len(day) > 1 and day[0].close:
            change = (last - day[0].close) / day[0].close * 100
            data["change_24h_percent"] = f"{change:.2f}"
            text += f" ({change:+.2f}% 24h)"
        chart = charts.price_png(command.symbol, [c.ts_ms for c in recent], [c.close for c in recent])
    return Reply(True, text, data=data, image=chart)
