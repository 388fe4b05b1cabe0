"""Hooks: the unguessable URL a trader pastes into TradingView, and the rules that come with it.

Only a SHA-256 of the token is stored (the token is shown once, at creation or rotation), and only
a SHA-256 of the passphrase, compared in constant time. Lookups by token are cached briefly in
process so a burst of alerts costs no query each; revoking or rotating here drops the cache entry.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.errors import GrammarError, NotFound
from hub.symbols import normalize_symbol
from tradingview.config import expand_ips
from tradingview.parse import AlertRejected, HookRules
from tradingview.schemas import HookCreate, HookOut
from tradingview.storage import hooks as hooks_t

_CACHE_S = 5.0
_TOKEN_BYTES = 32


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Hook:
    id: str
    user_id: int
    token_hint: str
    passphrase_hash: str | None
    mode: str
    venue: str | None
    default_size: str | None
    symbols: tuple[str, ...] | None
    allowed_ips: tuple[str, ...] | None
    rate_limit: str
    label: str
    created_ms: int
    revoked_ms: int | None

    @property
    def rules(self) -> HookRules:
        allowed = None if self.symbols is None else frozenset(self.symbols)
        return HookRules(self.mode, self.venue, self.default_size, allowed)

    def check_passphrase(self, given: str | None) -> None:
        """Raise unless ``given`` matches; constant time whatever the input."""
        if self.passphrase_hash is None:
            return
        candidate = digest(given or "")
        if not hmac.compare_digest(candidate, self.passphrase_hash) or given is None:
            raise AlertRejected(
                "passphrase", "does not match this hook's passphrase", status=401, code="bad_passphrase"
            )

    def out(self, *, token: str | None = None) -> HookOut:
        return HookOut(
            id=self.id,
            url=None if token is None else f"/tradingview/{token}",
            token=token,
            token_hint=self.token_hint,
            mode=self.mode,  # type: ignore[arg-type]
            venue=self.venue,
            default_size=self.default_size,
            symbols=None if self.symbols is None else list(self.symbols),
            allowed_ips=None if self.allowed_ips is None else list(self.allowed_ips),
            rate_limit=self.rate_limit,
            label=self.label,
            has_passphrase=self.passphrase_hash is not None,
            created_ms=self.created_ms,
            revoked_ms=self.revoked_ms,
        )


def _hook(r: Any) -> Hook:
    """A hook from a row of ``tradingview_hooks`` (or anything with the same attributes)."""
    return Hook(
        r.id, r.user_id, r.token_hint, r.passphrase_hash, r.mode, r.venue, r.default_size,
        None if r.symbols is None else tuple(r.symbols), None if r.allowed_ips is None else tuple(r.allowed_ips),
        r.rate_limit, r.label, r.created_ms, r.revoked_ms,
    )  # fmt: skip


class HookStore:
    def __init__(self, db: Engine, clock: Clock, *, default_rate_limit: str) -> None:
        self.db = db
        self.clock = clock
        self.default_rate_limit = default_rate_limit
        self._cache: dict[str, tuple[Hook | None, float]] = {}

    def create(self, user_id: int, request: HookCreate) -> tuple[Hook, str]:
        """Store a new hook; return it with its token (shown only now)."""
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        symbols = None if request.symbols is None else sorted({_symbol(s) for s in request.symbols})
        allowed = None if request.allowed_ips is None else sorted(expand_ips(request.allowed_ips))
        values = {
            "id": "tvh_" + secrets.token_hex(8),
            "user_id": user_id,
            "token_hash": digest(token),
            "token_hint": token[:6],
            "passphrase_hash": None if request.passphrase is None else digest(request.passphrase),
            "mode": request.mode,
            "venue": request.venue,
            "default_size": request.default_size,
            "symbols": symbols,
            "allowed_ips": allowed,
            "rate_limit": request.rate_limit or self.default_rate_limit,
            "label": request.label,
            "created_ms": self.clock.now_ms(),
            "rotated_ms": None,
            "revoked_ms": None,
        }
        with self.db.begin() as conn:
            conn.execute(hooks_t.insert().values(**values))
        return _hook(_Values(values)), token

    def list(self, user_id: int | None, *, include_revoked: bool = False) -> list[Hook]:
        statement = select(hooks_t).order_by(hooks_t.c.created_ms, hooks_t.c.id)
        if user_id is not None:
            statement = statement.where(hooks_t.c.user_id == user_id)
        if not include_revoked:
            statement = statement.where(hooks_t.c.revoked_ms.is_(None))
        with self.db.connect() as conn:
            return [_hook(row) for row in conn.execute(statement)]

    def get(self, user_id: int | None, hook_id: str) -> Hook:
        statement = select(hooks_t).where(hooks_t.c.id == hook_id)
        if user_id is not None:
            statement = statement.where(hooks_t.c.user_id == user_id)
        with self.db.connect() as conn:
            row = conn.execute(statement).first()
        if row is None:
            raise NotFound(f"no TradingView hook {hook_id[:40]}")
        return _hook(row)

    def rotate(self, user_id: int | None, hook_id: str) -> tuple[Hook, str]:
        """Give the hook a new token; the old URL stops working at once."""
        hook = self.get(user_id, hook_id)
        if hook.revoked_ms is not None:
            raise NotFound(f"no TradingView hook {hook_id[:40]}")
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        with self.db.begin() as conn:
            conn.execute(
                update(hooks_t)
                .where(hooks_t.c.id == hook.id)
                .values(token_hash=digest(token), token_hint=token[:6], rotated_ms=self.clock.now_ms())
            )
        self._cache.clear()
        return self.get(user_id, hook_id), token

    def revoke(self, user_id: int | None, hook_id: str) -> Hook:
        hook = self.get(user_id, hook_id)
        if hook.revoked_ms is None:
            with self.db.begin() as conn:
                conn.execute(update(hooks_t).where(hooks_t.c.id == hook.id).values(revoked_ms=self.clock.now_ms()))
        self._cache.clear()
        return self.get(user_id, hook_id)

    def by_token(self, token: str) -> Hook | None:
        """The live hook the token opens, or ``None`` (unknown and revoked look the same)."""
        if not 20 <= len(token) <= 100:
            return None
        key = digest(token)
        now = time.monotonic()
        cached = self._cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        with self.db.connect() as conn:
            row = conn.execute(
                select(hooks_t).where(hooks_t.c.token_hash == key, hooks_t.c.revoked_ms.is_(None))
            ).first()
        hook = None if row is None else _hook(row)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (hook, now + _CACHE_S)
        return hook


class _Values:
    """Attribute access over a dict, so a freshly inserted hook reads like a row."""

    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)


def _symbol(text: str) -> str:
    try:
        return normalize_symbol(text)
    except GrammarError as error:
        raise AlertRejected("symbols", error.message, status=422) from None
