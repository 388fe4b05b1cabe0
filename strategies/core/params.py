"""Parse ``key=value`` strategy parameters (from the CLI, chat or stored state) into typed values.

Every error is a ``UserInputError`` naming the parameter, so front-ends can show it as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from engine.errors import UserInputError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$", re.IGNORECASE)
_UNIT_MS = {"ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def parse_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """Turn ``["amount=100", "every=24h"]`` into a dict; a repeated key is an error."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            raise UserInputError(f"parameter `{pair}` is not of the form key=value")
        if key in result:
            raise UserInputError(f"parameter `{key}` is given twice")
        result[key] = value.strip()
    return result


def parse_duration_ms(text: str, *, name: str = "duration") -> int:
    """Parse ``90s``, ``30m``, ``24h``, ``7d``, ``1w`` (a bare number is seconds) into milliseconds."""
    match = _DURATION.match(text)
    if match is None:
        raise UserInputError(f"`{name}` must be a duration like 30m, 24h or 7d, not `{text}`")
    milliseconds = Decimal(match.group(1)) * _UNIT_MS[(match.group(2) or "s").lower()]
    if milliseconds <= 0:
        raise UserInputError(f"`{name}` must be longer than zero")
    return int(milliseconds)


def format_duration_ms(milliseconds: int) -> str:
    """Inverse of ``parse_duration_ms`` using the largest whole unit."""
    for unit in ("w", "d", "h", "m", "s"):
        if milliseconds % _UNIT_MS[unit] == 0:
            return f"{milliseconds // _UNIT_MS[unit]}{unit}"
    return f"{milliseconds}ms"


def parse_decimal(text: str, *, name: str) -> Decimal:
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise UserInputError(f"`{name}` must be a number, not `{text}`") from None
    if not value.is_finite():
        raise UserInputError(f"`{name}` must be a finite number")
    return value


class Params:
    """Typed access to a parameter mapping that remembers which keys were read.

    Call ``finish()`` once every known key was read: a key nobody asked for is a typo the user should
    hear about instead of a silently ignored setting.
    """

    def __init__(self, values: Mapping[str, str], *, strategy: str) -> None:
        self._values = {key.lower(): value for key, value in values.items()}
        self._strategy = strategy
        self._seen: set[str] = set()

    def text(self, key: str, default: str | None = None) -> str | None:
        self._seen.add(key)
        value = self._values.get(key)
        return default if value is None or value == "" else value

    def required_text(self, key: str) -> str:
        value = self.text(key)
        if value is None:
            raise UserInputError(f"{self._strategy} needs the parameter `{key}`")
        return value

    def decimal(
        self, key: str, default: Decimal | None = None, *, minimum: Decimal | None = None,
        exclusive_minimum: Decimal | None = None,
    ) -> Decimal | None:
        raw = self.text(key)
        if raw is None:
            return default
        value = parse_decimal(raw, name=key)
        if minimum is not None and value < minimum:
            raise UserInputError(f"`{key}` must be at least {minimum}, not {value}")
        if exclusive_minimum is not None and value <= exclusive_minimum:
            raise UserInputError(f"`{key}` must be greater than {exclusive_minimum}, not {value}")
        return value

    def required_decimal(self, key: str, *, exclusive_minimum: Decimal | None = None) -> Decimal:
        value = self.decimal(key, exclusive_minimum=exclusive_minimum)
        if value is None:
            raise UserInputError(f"{self._strategy} needs the parameter `{key}`")
        return value

    def integer(self, key: str, default: int, *, minimum: int = 0) -> int:
        raw = self.text(key)
        if raw is None:
            return default
        if not raw.strip().isdigit():
            raise UserInputError(f"`{key}` must be a whole number, not `{raw}`")
        value = int(raw)
        if value < minimum:
            raise UserInputError(f"`{key}` must be at least {minimum}, not {value}")
        return value

    def duration_ms(self, key: str, default: int | None = None) -> int | None:
        raw = self.text(key)
        return default if raw is None else parse_duration_ms(raw, name=key)

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = (self.text(key) or default).lower()
        if value not in options:
            raise UserInputError(f"`{key}` must be one of {', '.join(options)}, not `{value}`")
        return value

    def finish(self) -> None:
        unknown = sorted(set(self._values) - self._seen)
        if unknown:
            known = ", ".join(sorted(self._seen))
            raise UserInputError(
                f"unknown parameter `{unknown[0]}` for {self._strategy}; known parameters: {known}"
            )
