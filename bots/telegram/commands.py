"""The command menu registered with ``setMyCommands``, derived from the hub's usage table.

BotFather style: one lowercase command per grammar family (``buy`` and ``sell`` for trades), each
described by its usage arguments and the hub's one-line explanation, within Telegram's 256 characters.
"""

from __future__ import annotations

from telegram import BotCommand

from hub.grammar import USAGE

MAX_DESCRIPTION = 256
#: Families that are not worth a menu entry in a chat (the buttons do `confirm`; `webhooks` is an API chore).
_HIDDEN = frozenset({"confirm", "webhooks"})


def bot_commands() -> list[BotCommand]:
    """One ``BotCommand`` per user-facing family, ``/trade`` (the whole grammar) last."""
    commands: list[BotCommand] = []
    for family, usage in USAGE.items():
        if family in _HIDDEN:
            continue
        line, _, sentence = usage.partition("\n")
        sentence = sentence.strip()
        if family == "trade":
            arguments = line.split(" ", 1)[1]
            commands.append(BotCommand("buy", _describe(sentence, arguments)))
            commands.append(BotCommand("sell", _describe("Sell, with the same options as /buy.", arguments)))
            continue
        commands.append(BotCommand(family, _describe(sentence, line.partition(" ")[2])))
    commands.append(BotCommand("trade", "Run any tradehub command, e.g. /trade buy 0.01 BTC/USDT"))
    return commands


def _describe(sentence: str, arguments: str) -> str:
    description = f"{sentence} Args: {arguments}" if arguments else sentence
    if len(description) <= MAX_DESCRIPTION:
        return description
    return sentence if len(sentence) <= MAX_DESCRIPTION else sentence[: MAX_DESCRIPTION - 1] + "…"
