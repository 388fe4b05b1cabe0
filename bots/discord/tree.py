"""The application command tree of the gateway bot; every command hands its options to the responder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bots.discord.commands import DESCRIPTIONS

if TYPE_CHECKING:
    from bots.discord.client import TradehubClient

Interaction = discord.Interaction[Any]
# Numbers are strings on purpose: Discord's NUMBER option is a double, and money stays Decimal.
_TRADE_HELP = {
    "quantity": "Base units (0.01), quote amount ($100) or % of balance (25%)",
    "symbol": "Pair such as BTC/USDT, BTCUSDT or BINANCE:BTCUSDT",
    "price": "Limit price; leave empty for a market order",
    "venue": "Venue to trade on (default: paper)",
}


def build_tree(client: TradehubClient) -> app_commands.CommandTree[Any]:
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    responder = client.responder

    @tree.command(name="trade", description=DESCRIPTIONS["trade"])
    @app_commands.describe(text="A command in the tradehub grammar, e.g. price BTC or help")
    async def trade(interaction: Interaction, text: str) -> None:
        await responder.command(interaction, "trade", {"text": text})

    @tree.command(name="buy", description=DESCRIPTIONS["buy"])
    @app_commands.describe(**_TRADE_HELP)
    async def buy(
        interaction: Interaction, quantity: str, symbol: str, price: str | None = None, venue: str | None = None
    ) -> None:
        options = {"quantity": quantity, "symbol": symbol, "price": price, "venue": venue}
        await responder.command(interaction, "buy", options)

    @tree.command(name="sell", description=DESCRIPTIONS["sell"])
    @app_commands.describe(**_TRADE_HELP)
    async def sell(
        interaction: Interaction, quantity: str, symbol: str, price: str | None = None, venue: str | None = None
    ) -> None:
        options = {"quantity": quantity, "symbol": symbol, "price": price, "venue": venue}
        await responder.command(interaction, "sell", options)

    @tree.command(name="portfolio", description=DESCRIPTIONS["portfolio"])
    @app_commands.describe(venue="Only this venue")
    async def portfolio(interaction: Interaction, venue: str | None = None) -> None:
        await responder.command(interaction, "portfolio", {"venue": venue})

    @tree.command(name="follow", description=DESCRIPTIONS["follow"])
    @app_commands.describe(
        leader="Leader name",
        ratio="Copy this multiple of each leader trade (e.g. 0.5)",
        fixed="Copy every trade with this quote amount (e.g. $50)",
        max_amount="Never allocate more than this quote amount (e.g. $1000)",
    )
    @app_commands.rename(max_amount="max")
    async def follow(
        interaction: Interaction,
        leader: str,
        ratio: str | None = None,
        fixed: str | None = None,
        max_amount: str | None = None,
    ) -> None:
        options = {"leader": leader, "ratio": ratio, "fixed": fixed, "max": max_amount}
        await responder.command(interaction, "follow", options)

    @tree.command(name="unfollow", description=DESCRIPTIONS["unfollow"])
    @app_commands.describe(leader="Leader name")
    async def unfollow(interaction: Interaction, leader: str) -> None:
        await responder.command(interaction, "unfollow", {"leader": leader})

    @tree.command(name="leaders", description=DESCRIPTIONS["leaders"])
    async def leaders(interaction: Interaction) -> None:
        await responder.command(interaction, "leaders", {})

    return tree
