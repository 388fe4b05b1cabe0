"""Typed, frozen configuration of one ccxt exchange account.

Built once when the app starts (from stored, decrypted credentials) and handed to
``build_exchange``; nothing here talks to the network. Secrets are excluded from ``repr`` so a
config can be logged or shown in a traceback without leaking them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from engine.errors import OperatorError

_EXCHANGE_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True, slots=True)
class Credentials:
    """API credentials of one exchange account. ``repr`` shows only whether each part is set."""

    api_key: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)
    password: str = field(default="", repr=False)

    def __repr__(self) -> str:
        parts = ("api_key", "secret", "password")
        shown = ", ".join(f"{name}={'***' if getattr(self, name) else ''!s}" for name in parts)
        return f"Credentials({shown})"

    @property
    def is_set(self) -> bool:
        return bool(self.api_key and self.secret)

    def secrets(self) -> tuple[str, ...]:
        """The non-empty secret strings, for scrubbing text that leaves the adapter."""
        return tuple(value for value in (self.api_key, self.secret, self.password) if value)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff for temporary failures (network errors, timeouts, HTTP 429 and 5xx)."""

    attempts: int = 4
    initial_delay_s: float = 0.25
    max_delay_s: float = 8.0
    multiplier: float = 2.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        return min(self.max_delay_s, self.initial_delay_s * self.multiplier ** (attempt - 1))


@dataclass(frozen=True, slots=True)
class CcxtVenueConfig:
    """One exchange account reachable through ccxt.

    ``name`` is the venue name users type after ``on`` (defaults to the exchange id).
    ``api_url`` replaces scheme and host of every REST URL of the exchange (tests point it at a
    local fake; a proxy or regional endpoint works the same way). ``options`` are merged over the
    exchange's defaults from ``profiles.py``. ``rate_limit_ms`` overrides ccxt's throttle interval;
    ``close_grace_ms`` is how long ``close()`` lets TLS connections shut down (ccxt's timeout_on_exit).
    ``websocket`` uses ccxt's streaming class where it has one, so fills can arrive by ``watch_orders``.
    """

    exchange_id: str
    credentials: Credentials = field(default_factory=Credentials)
    name: str = ""
    sandbox: bool = False
    api_url: str | None = None
    timeout_ms: int = 10_000
    enable_rate_limit: bool = True
    rate_limit_ms: float | None = None
    close_grace_ms: int = 250
    websocket: bool = True
    options: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if not _EXCHANGE_ID.match(self.exchange_id):
            raise OperatorError(f"'{self.exchange_id}' is not a valid ccxt exchange id")
        if self.timeout_ms <= 0:
            raise OperatorError("timeout_ms must be positive")
        if self.retry.attempts < 1:
            raise OperatorError("retry.attempts must be at least 1")
        if not isinstance(self.options, MappingProxyType):
            object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        if not self.name:
            object.__setattr__(self, "name", self.exchange_id)
