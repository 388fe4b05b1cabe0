"""The one text grammar every front-end uses: ``parse("buy 0.01 BTC/USDT @ 50000")`` -> ``Trade``.

Words are case-insensitive, a leading ``/`` and a Telegram ``@BotName`` suffix on the first word
are ignored, extra whitespace does not matter. Every rejection is a ``GrammarError`` whose message
names what is wrong (and shows the usage line when arguments are missing or extra). This is on the
hot path of every chat message and alert, so it is plain string work and precompiled regexes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Literal, cast

from engine.domain import Side
from engine.errors import GrammarError
from hub.commands import (
    Alerts,
    Backtest,
    Balance,
    Cancel,
    Command,
    Confirm,
    Dca,
    ExecAlgo,
    Fills,
    Follow,
    Grid,
    Help,
    Kill,
    Lead,
    Leaders,
    Link,
    Orders,
    Params,
    Pnl,
    Portfolio,
    Price,
    Quantity,
    QuantityKind,
    Rebalance,
    Resume,
    Risk,
    Sentiment,
    StopStrategy,
    Strategies,
    Trade,
    Unfollow,
    VenueChange,
    Venues,
    Webhooks,
)
from hub.grammar_usage import _USAGE_LINES, USAGE
from hub.grammar_values import (
    _ASSET,
    _HUNDRED,
    _IDENTIFIER,
    _LEADER,
    _LEVELS,
    _PARAM_KEY,
    _PARAM_VALUE,
    _STRATEGY,
    _VENUE,
    _WEBHOOK_URL,
    MAX_FOLLOW_RATIO,
    MAX_GRID_LEVELS,
    MAX_LENGTH,
    _duration,
    _name,
    _number,
    _percent,
    _quantity,
    _required_quote_amount,
    _shown,
)
from hub.symbols import normalize_symbol

__all__ = ["USAGE", "help_text", "parse"]

def help_text(topic: str | None = None) -> str:
    """Return usage for every family, or for one (a family or a command word such as ``buy``)."""
    if topic is None:
        header = "Commands (case-insensitive; a leading / is fine):"
        return "\n".join((header, *USAGE.values()))
    return USAGE[_help_family(topic)]


def parse(text: str) -> Command:
    """Turn one line of command text into a typed ``Command`` or raise ``GrammarError``."""
    if len(text) > MAX_LENGTH:
        raise GrammarError(f"command is too long ({len(text)} characters, max {MAX_LENGTH})")
    words = text.split()
    if not words:
        raise GrammarError("the command is empty; send `help` to list commands")
    head = words[0].lower().lstrip("/").partition("@")[0]
    handler = _HANDLERS.get(head)
    if handler is None:
        if not head:
            raise GrammarError("the command is empty; send `help` to list commands")
        raise GrammarError(
            f"unknown command `{_shown(head)}`; send `help` to list commands.",
            suggestion=_closest(head, _HANDLERS),
        )
    return handler(head, words[1:])


# --- errors and small helpers -------------------------------------------------------------------


def _closest(word: str, choices: Mapping[str, object] | tuple[str, ...]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _usage_error(family: str, problem: str) -> GrammarError:
    return GrammarError(f"{problem}. Usage: {_USAGE_LINES[family][0]}")


def _arity(family: str, args: list[str], minimum: int, maximum: int) -> None:
    if len(args) < minimum:
        raise _usage_error(family, f"`{family}` is missing an argument")
    if len(args) > maximum:
        raise _usage_error(family, f"unexpected `{_shown(args[maximum])}`")


def _help_family(topic: str) -> str:
    word = topic.strip().lower().lstrip("/")
    family = _TOPICS.get(word)
    if family is None:
        raise GrammarError(f"no help for `{_shown(word)}`; send `help` to list commands.",
                           suggestion=_closest(word, _TOPICS))
    return family


def _params(family: str, args: list[str]) -> Params:
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for token in args:
        key, equals, value = token.partition("=")
        key = key.lower()
        if not equals:
            raise _usage_error(family, f"unexpected `{_shown(token)}` (options are written key=value)")
        if not _PARAM_KEY.fullmatch(key) or not _PARAM_VALUE.fullmatch(value):
            raise GrammarError(f"option `{_shown(token)}` is not valid; write it like levels=10")
        if key in seen:
            raise GrammarError(f"option `{key}` is given twice")
        seen.add(key)
        pairs.append((key, value))
    return tuple(pairs)


def _clauses(family: str, args: list[str], slots: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Read ``keyword value`` pairs (any order, each slot once) into {slot: (keyword, value)}."""
    found: dict[str, tuple[str, str]] = {}
    index = 0
    while index < len(args):
        word = args[index].lower()
        if len(word) > 1 and word[0] == "@" and "@" in slots:
            keyword, value, index = "@", args[index][1:], index + 1
        elif word in slots:
            if index + 1 >= len(args):
                raise _usage_error(family, f"`{word}` needs a value")
            keyword, value, index = word, args[index + 1], index + 2
        else:
            raise GrammarError(f"unexpected `{_shown(word)}`. Usage: {_USAGE_LINES[family][0]}.",
                               suggestion=_closest(word, slots))
        slot = slots[keyword]
        if slot in found:
            raise _usage_error(family, f"{slot} is given twice")
        found[slot] = (keyword, value)
    return found


# --- one parser per family ----------------------------------------------------------------------

_TRADE_SLOTS = {"@": "price", "at": "price", "on": "venue", "twap": "algorithm", "vwap": "algorithm",
                "iceberg": "algorithm", "tp": "take_profit", "sl": "stop_loss"}


def _trade(word: str, args: list[str]) -> Command:
    if len(args) < 2:
        raise _usage_error("trade", f"`{word}` needs a quantity and a symbol")
    quantity = _quantity(args[0])
    symbol = normalize_symbol(args[1])
    if len(args) == 2:
        return Trade(Side(word), quantity, symbol)
    found = _clauses("trade", args[2:], _TRADE_SLOTS)
    price = venue = algo = None
    if "price" in found:
        price = _number(found["price"][1], "price", found["price"][1])
    if "venue" in found:
        venue = _name(_VENUE, found["venue"][1].lower(), "venue")
    if "algorithm" in found:
        algo = _algo(*found["algorithm"], quantity)
    exits = {slot: _number(found[slot][1], slot.replace("_", "-"), found[slot][1])
             for slot in ("take_profit", "stop_loss") if slot in found}
    if exits and algo is not None:
        raise _usage_error("trade", f"tp/sl cannot be combined with {algo.kind}; send the bracket as its own order")
    return Trade(Side(word), quantity, symbol, price, venue, algo, **exits)


def _algo(kind: str, value: str, quantity: Quantity) -> ExecAlgo:
    if kind == "iceberg":
        visible = _number(value, "visible quantity", value)
        if quantity.kind is QuantityKind.BASE and visible > quantity.value:
            raise GrammarError(f"visible quantity `{value}` is larger than the order quantity")
        return ExecAlgo("iceberg", None, visible)
    algo_kind = cast(Literal["twap", "vwap"], kind)
    return ExecAlgo(algo_kind, _duration(value, f"{kind} duration"), None)


def _cancel(word: str, args: list[str]) -> Command:
    _arity("cancel", args, 1, 1)
    if args[0].lower() == "all":
        return Cancel(None, True)
    return Cancel(_name(_IDENTIFIER, args[0], "order id"), False)


def _confirm(word: str, args: list[str]) -> Command:
    _arity("confirm", args, 1, 1)
    return Confirm(_name(_IDENTIFIER, args[0], "confirmation id"))


_LISTINGS: dict[str, type[Orders | Fills | Balance | Portfolio]] = {
    "orders": Orders, "fills": Fills, "balance": Balance, "portfolio": Portfolio,
}


def _listing(word: str, args: list[str]) -> Command:
    if not args:
        return _LISTINGS[word]()
    found = _clauses(word, args, {"on": "venue"})
    return _LISTINGS[word](_name(_VENUE, found["venue"][1].lower(), "venue"))


_PERIODS = ("day", "week", "month", "all")


def _pnl(word: str, args: list[str]) -> Command:
    _arity("pnl", args, 0, 1)
    if not args:
        return Pnl()
    period = args[0].lower()
    if period not in _PERIODS:
        raise GrammarError(f"unknown period `{_shown(period)}`; use day, week, month or all.",
                           suggestion=_closest(period, _PERIODS))
    return Pnl(cast(Literal["day", "week", "month", "all"], period))


def _price(word: str, args: list[str]) -> Command:
    _arity("price", args, 1, 1)
    return Price(normalize_symbol(args[0], default_quote="USDT"))


def _sentiment(word: str, args: list[str]) -> Command:
    _arity("sentiment", args, 1, 1)
    return Sentiment(normalize_symbol(args[0], default_quote="USDT"))


def _dca(word: str, args: list[str]) -> Command:
    if len(args) < 4 or args[2].lower() != "every":
        raise _usage_error("dca", "`dca` needs an amount, a symbol and `every DURATION`")
    amount = _required_quote_amount(args[0], "dca amount")
    symbol = normalize_symbol(args[1])
    return Dca(symbol, amount, _duration(args[3], "dca interval"), _params("dca", args[4:]))


def _grid(word: str, args: list[str]) -> Command:
    if len(args) >= 3 and "-" in args[1][1:]:
        low_text, _, high_text = args[1].partition("-")
        rest = args[2:]
    elif len(args) >= 4:
        low_text, high_text, rest = args[1], args[2], args[3:]
    else:
        raise _usage_error("grid", "`grid` needs a symbol, a low and a high price, and a number of levels")
    symbol = normalize_symbol(args[0])
    low = _number(low_text, "grid low price", low_text)
    high = _number(high_text, "grid high price", high_text)
    if low >= high:
        raise GrammarError(f"grid low price `{low_text}` must be below the high price `{high_text}`")
    if not _LEVELS.fullmatch(rest[0]) or not 2 <= int(rest[0]) <= MAX_GRID_LEVELS:
        raise GrammarError(
            f"grid levels `{_shown(rest[0])}` must be a whole number from 2 to {MAX_GRID_LEVELS}"
        )
    return Grid(symbol, low, high, int(rest[0]), _params("grid", rest[1:]))


_REBALANCE_SLOTS = {"every": "every", "threshold": "threshold", "min": "min"}


def _rebalance(word: str, args: list[str]) -> Command:
    count = 0
    while count < len(args) and "=" in args[count]:
        count += 1
    if count < 2:
        raise _usage_error("rebalance", "`rebalance` needs at least two ASSET=PCT% weights")
    weights = tuple(_weight(token) for token in args[:count])
    assets = [asset for asset, _ in weights]
    if len(set(assets)) != len(assets):
        raise GrammarError("rebalance names an asset twice")
    found = _clauses("rebalance", args[count:], _REBALANCE_SLOTS)
    every = _duration(found["every"][1], "rebalance interval") if "every" in found else None
    threshold = None
    if "threshold" in found:
        threshold = _percent(found["threshold"][1], "rebalance threshold") / _HUNDRED
    minimum = _required_quote_amount(found["min"][1], "minimum trade") if "min" in found else None
    return Rebalance(weights, every, threshold, minimum)


def _weight(token: str) -> tuple[str, Decimal]:
    asset, _, percent = token.partition("=")
    asset = asset.upper()
    if not asset.isascii() or not _ASSET.fullmatch(asset):
        raise GrammarError(f"weight `{_shown(token)}` names an invalid asset; write it like BTC=50%")
    return asset, _percent(percent, f"weight of {asset}", zero_ok=True) / _HUNDRED


def _stop(word: str, args: list[str]) -> Command:
    _arity("stop", args, 1, 1)
    return StopStrategy(_name(_IDENTIFIER, args[0], "strategy id"))


def _backtest(word: str, args: list[str]) -> Command:
    if len(args) < 2:
        raise _usage_error("backtest", "`backtest` needs a strategy and a symbol")
    strategy = _name(_STRATEGY, args[0].lower(), "strategy")
    return Backtest(strategy, normalize_symbol(args[1]), _params("backtest", args[2:]))


_FOLLOW_SLOTS = {"ratio": "ratio", "fixed": "fixed", "max": "max"}


def _follow(word: str, args: list[str]) -> Command:
    _arity("follow", args, 1, 7)
    leader = _name(_LEADER, args[0], "leader")
    found = _clauses("follow", args[1:], _FOLLOW_SLOTS)
    if "ratio" in found and "fixed" in found:
        raise _usage_error("follow", "use either `ratio` or `fixed`, not both")
    ratio = fixed = maximum = None
    if "ratio" in found:
        ratio = _number(found["ratio"][1], "follow ratio", found["ratio"][1], maximum=MAX_FOLLOW_RATIO)
    if "fixed" in found:
        fixed = _required_quote_amount(found["fixed"][1], "fixed amount")
    if "max" in found:
        maximum = _required_quote_amount(found["max"][1], "maximum allocation")
    return Follow(leader, ratio, fixed, maximum)


def _unfollow(word: str, args: list[str]) -> Command:
    _arity("unfollow", args, 1, 1)
    return Unfollow(_name(_LEADER, args[0], "leader"))


def _lead(word: str, args: list[str]) -> Command:
    _arity("lead", args, 1, 3)
    switch = args[0].lower()
    if switch == "off" and len(args) == 1:
        return Lead(False)
    if switch != "on" or len(args) == 2 or (len(args) == 3 and args[1].lower() != "discord"):
        raise _usage_error("lead", "`lead` takes `on`, `on discord URL` or `off`")
    if len(args) == 1:
        return Lead(True)
    if not _WEBHOOK_URL.fullmatch(args[2]):
        raise GrammarError("the Discord channel webhook URL is not valid; copy it from the channel's integrations")
    return Lead(True, args[2])


def _help(word: str, args: list[str]) -> Command:
    _arity("help", args, 0, 1)
    return Help(_help_family(args[0]) if args else None)


def _link(word: str, args: list[str]) -> Command:
    _arity("link", args, 0, 1)
    return Link(_name(_IDENTIFIER, args[0], "link code") if args else None)


def _alerts(word: str, args: list[str]) -> Command:
    _arity("alerts", args, 0, 2)
    if not args:
        return Alerts()
    if args[0].lower() != "ack" or len(args) != 2:
        raise _usage_error("alerts", f"unexpected `{_shown(args[0])}`" if args[0].lower() != "ack"
                           else "`alerts ack` needs an alert number")
    if not args[1].isdigit() or len(args[1]) > 12:
        raise _usage_error("alerts", f"alert number `{_shown(args[1])}` must be a whole number")
    return Alerts(int(args[1]))


def _venues(word: str, args: list[str]) -> Command:
    """``venues`` / ``venue list``, ``venue remove NAME``; ``venue add …`` is recognised (to answer that
    adding is CLI/REST only) but its arguments, which may hold keys, are neither parsed nor kept."""
    action = args[0].lower() if args else "list"
    if action == "add":
        return VenueChange("add")
    if action == "list":
        _arity("venues", args, 0, 1)
        return Venues()
    if action == "remove":
        if len(args) != 2:
            raise _usage_error("venues", "`venue remove` needs one venue name")
        return VenueChange("remove", _name(_VENUE, args[1].lower(), "venue"))
    raise GrammarError(f"unexpected `{_shown(args[0])}`. Usage: {_USAGE_LINES['venues'][0]}.",
                       suggestion=_closest(action, ("list", "remove", "add")))


def _webhooks(word: str, args: list[str]) -> Command:
    return Webhooks(tuple(args))


def _bare(command_type: Callable[[], Command]) -> Callable[[str, list[str]], Command]:
    """Parser for a command that takes no arguments."""

    def parse_bare(word: str, args: list[str]) -> Command:
        _arity(word, args, 0, 0)
        return command_type()

    return parse_bare


_HANDLERS: dict[str, Callable[[str, list[str]], Command]] = {
    "buy": _trade, "sell": _trade, "cancel": _cancel, "confirm": _confirm,
    "orders": _listing, "fills": _listing, "balance": _listing, "portfolio": _listing,
    "pnl": _pnl, "price": _price, "dca": _dca, "grid": _grid, "rebalance": _rebalance,
    "strategies": _bare(Strategies), "stop": _stop, "backtest": _backtest,
    "follow": _follow, "unfollow": _unfollow, "leaders": _bare(Leaders), "lead": _lead, "sentiment": _sentiment,
    "risk": _bare(Risk), "alerts": _alerts, "kill": _bare(Kill), "resume": _bare(Resume),
    "help": _help, "link": _link, "webhooks": _webhooks, "venues": _venues, "venue": _venues,
}
_TOPICS: dict[str, str] = {**{family: family for family in _USAGE_LINES}, "buy": "trade", "sell": "trade",
                           "venue": "venues"}  # fmt: skip
