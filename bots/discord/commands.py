"""The application commands: each one turns its typed options into one line of the hub grammar.

``/trade text:<command>`` takes the whole grammar; ``/buy``, ``/sell``, ``/portfolio``, ``/follow``,
``/unfollow`` and ``/leaders`` are typed shortcuts for the most used words. The gateway bot
(``tree.py``) and the HTTP interactions endpoint both build their text here, so the two paths agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.errors import UserInputError

#: name -> description, as registered with Discord (descriptions: 1-100 characters).
DESCRIPTIONS = {
    "trade": "Run any tradehub command, e.g. buy 0.01 BTC/USDT @ 50000",
    "buy": "Buy an asset (market, or limit with a price)",
    "sell": "Sell an asset (market, or limit with a price)",
    "portfolio": "Your positions, their value and unrealized P&L",
    "follow": "Copy a leader's trades (ratio, fixed size, max allocation)",
    "unfollow": "Stop copying a leader",
    "leaders": "Leaders you can follow, ranked by 30-day return",
}


def command_text(name: str, options: Mapping[str, str | None]) -> str:
    """The grammar line for ``/name`` with ``options``; a malformed option is a ``UserInputError``."""
    given = {key: value.strip() for key, value in options.items() if value is not None and value.strip()}
    if name == "trade":
        if "text" not in given:
            raise UserInputError("`/trade` needs the command text, e.g. `/trade text: buy 0.01 BTC/USDT`")
        return given["text"]
    words = {key: _word(key, value) for key, value in given.items()}
    if name in ("buy", "sell"):
        text = f"{name} {_required(name, words, 'quantity')} {_required(name, words, 'symbol')}"
        return text + _clause("@", words.get("price")) + _clause("on", words.get("venue"))
    if name == "portfolio":
        return "portfolio" + _clause("on", words.get("venue"))
    if name == "follow":
        text = f"follow {_required(name, words, 'leader')}" + _clause("ratio", words.get("ratio"))
        return text + _clause("fixed", _dollars(words.get("fixed"))) + _clause("max", _dollars(words.get("max")))
    if name == "unfollow":
        return f"unfollow {_required(name, words, 'leader')}"
    if name == "leaders":
        return "leaders"
    raise UserInputError(f"`/{name}` is not a tradehub command; try `/trade text: help`")


def _word(option: str, value: str) -> str:
    if any(character.isspace() for character in value):
        raise UserInputError(f"option `{option}` must be a single word, got `{value[:40]}`")
    return value


def _required(name: str, words: Mapping[str, str], option: str) -> str:
    if option not in words:
        raise UserInputError(f"`/{name}` needs the `{option}` option")
    return words[option]


def _clause(keyword: str, value: str | None) -> str:
    return "" if value is None else f" {keyword} {value}"


def _dollars(value: str | None) -> str | None:
    """``fixed``/``max`` are quote amounts; accept ``100`` as well as ``$100``."""
    return None if value is None or value.startswith("$") else f"${value}"
