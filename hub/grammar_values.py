"""Values inside commands: numbers, quote amounts, percentages, durations and names, with limits.

Plain string work and precompiled regexes (this runs for every chat message and alert). Every
rejection is a ``GrammarError`` that names the value and says what is wrong with it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from engine.errors import GrammarError
from hub.commands import Quantity, QuantityKind

MAX_LENGTH = 1000
MAX_DECIMAL_PLACES = 18
MAX_AMOUNT = Decimal(10) ** 12
MAX_DURATION_S = 366 * 86_400
MAX_GRID_LEVELS = 1000
MAX_FOLLOW_RATIO = Decimal(100)
_HUNDRED = Decimal(100)

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)e[+-]?[0-9]+")
_NOT_FINITE = frozenset({"nan", "snan", "inf", "infinity", "+inf", "-inf", "+infinity", "-infinity", "-nan"})
_DURATION = re.compile(r"([0-9]{1,9})([smhdw])")
_DURATION_SECONDS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}")
_LEADER = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_WEBHOOK_URL = re.compile(r"https://[A-Za-z0-9.\-]{1,253}(?::[0-9]{1,5})?/[A-Za-z0-9_./\-]{1,400}")
_VENUE = re.compile(r"[a-z0-9][a-z0-9_\-]{0,31}")
_STRATEGY = re.compile(r"[a-z][a-z0-9_\-]{0,31}")
_PARAM_KEY = re.compile(r"[a-z_][a-z0-9_]{0,31}")
_PARAM_VALUE = re.compile(r"[A-Za-z0-9_.:/%$+\-]{1,64}")
_ASSET = re.compile(r"[A-Z0-9]{1,20}")
_LEVELS = re.compile(r"[0-9]{1,4}")


def _shown(token: str) -> str:
    return token if len(token) <= 40 else f"{token[:40]}…"


def _number(
    text: str, what: str, shown: str, *, maximum: Decimal = MAX_AMOUNT, zero_ok: bool = False
) -> Decimal:
    """Parse a plain positive decimal (no sign, exponent, NaN or Infinity); ``what`` names it in errors."""
    if not _NUMBER.fullmatch(text):
        raise GrammarError(f"{what} `{_shown(shown)}` {_number_problem(text.lower())}")
    dot = text.find(".")
    if dot >= 0 and len(text) - dot - 1 > MAX_DECIMAL_PLACES:
        raise GrammarError(f"{what} `{_shown(shown)}` has more than {MAX_DECIMAL_PLACES} decimal places")
    value = Decimal(text)
    if not value and not zero_ok:
        raise GrammarError(f"{what} `{_shown(shown)}` must be greater than zero")
    if value > maximum:
        raise GrammarError(f"{what} `{_shown(shown)}` is too large (max {maximum:f})")
    return value


def _number_problem(lowered: str) -> str:
    if lowered in _NOT_FINITE:
        return "is not a finite number"
    if _EXPONENT.fullmatch(lowered):
        return "uses exponent notation; write the digits out"
    if lowered.startswith("-"):
        return "must be positive"
    return "is not a number"


def _quote_amount(text: str, what: str) -> Decimal | None:
    """Parse ``$100``, ``100$`` or ``100usd``; None when ``text`` is not written as a quote amount."""
    lowered = text.lower()
    if lowered.startswith("$"):
        return _number(lowered[1:], what, text)
    if lowered.endswith("$"):
        return _number(lowered[:-1], what, text)
    if lowered.endswith("usd"):
        return _number(lowered[:-3], what, text)
    return None


def _required_quote_amount(text: str, what: str) -> Decimal:
    amount = _quote_amount(text, what)
    if amount is None:
        raise GrammarError(f"{what} `{_shown(text)}` must be a quote amount like $100")
    return amount


def _percent(text: str, what: str, *, zero_ok: bool = False) -> Decimal:
    """Parse ``25%`` into ``Decimal(25)``; 0 < p <= 100."""
    if not text.endswith("%"):
        raise GrammarError(f"{what} `{_shown(text)}` must be a percentage like 25%")
    value = _number(text[:-1], what, text, zero_ok=zero_ok)
    if value > _HUNDRED:
        raise GrammarError(f"{what} `{_shown(text)}` must be at most 100%")
    return value


def _quantity(text: str) -> Quantity:
    if text.endswith("%"):
        return Quantity(QuantityKind.PERCENT, _percent(text, "quantity"))
    amount = _quote_amount(text, "quantity")
    if amount is not None:
        return Quantity(QuantityKind.QUOTE, amount)
    return Quantity(QuantityKind.BASE, _number(text, "quantity", text))


def _duration(text: str, what: str) -> int:
    match = _DURATION.fullmatch(text.lower())
    if match is None:
        raise GrammarError(f"{what} `{_shown(text)}` is not a duration like 30s, 15m, 2h, 1d or 1w")
    seconds = int(match[1]) * _DURATION_SECONDS[match[2]]
    if seconds <= 0:
        raise GrammarError(f"{what} `{text}` must be longer than zero")
    if seconds > MAX_DURATION_S:
        raise GrammarError(f"{what} `{text}` is too long (max 366d)")
    return seconds


def _name(pattern: re.Pattern[str], text: str, what: str) -> str:
    if not pattern.fullmatch(text):
        raise GrammarError(f"{what} `{_shown(text)}` is not valid; use letters, digits, `_` and `-`")
    return text
