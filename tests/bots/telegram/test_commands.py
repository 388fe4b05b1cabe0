"""The command menu: published with setMyCommands when the bot starts, derived from the hub's usage table."""

from __future__ import annotations

from hub.grammar import USAGE
from tests.bots.telegram.conftest import Chat
from tests.fakes.telegram import FakeTelegram


async def test_polling_bot_publishes_a_menu_covering_the_grammar(bot: Chat, fake_telegram: FakeTelegram) -> None:
    published = await bot.wait("setMyCommands", lambda r: r.status == 200, since=0)
    menu = {c["command"]: c["description"] for c in published.body["commands"]}

    shown_families = set(USAGE) - {"trade", "confirm", "webhooks"}
    assert shown_families | {"buy", "sell", "trade"} == set(menu)
    assert menu["price"] == "Show the last price of a market (a bare asset means its USDT market). Args: SYMBOL"
    assert menu["kill"] == "Cancel all orders and pause all strategies (the kill switch)."
    trade_arguments = USAGE["trade"].splitlines()[0].removeprefix("buy|sell ")
    assert menu["buy"].endswith(f"Args: {trade_arguments}") and menu["sell"].endswith(f"Args: {trade_arguments}")
    assert fake_telegram.commands['{"type": "default"}|'] == published.body["commands"]
