"""Chat-side identity and policy the hub owns: one-time link codes and allow-listed group channels.

A user who talks to a bot before being linked asks for ``link`` and gets a one-time code; they
approve it as their tradehub user from the CLI (``tradehub link NAME --code CODE``) or the API
(``link CODE``). Codes are stored hashed, expire after ten minutes and work once.

Group channels are closed to trading until an admin allow-lists them; a channel may belong to a
team, and only there do balance-type answers appear in the channel rather than privately.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from engine.clock import Clock
from engine.errors import Conflict, NotFound, UserInputError
from hub.models import ChatChannelRow, ChatLinkCodeRow
from hub.principals import Principal, Role, required_role
from hub.users import PLATFORMS, UserDirectory

_codes = ChatLinkCodeRow.__table__
_channels = ChatChannelRow.__table__
CODE_TTL_MS = 10 * 60 * 1000
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off a phone and typed
_CODE_LEN = 8

#: Families whose answers show balances or positions: private unless said in the team's own channel.
PRIVATE_FAMILIES = frozenset({"balance", "portfolio", "pnl", "orders", "fills", "risk", "alerts", "venues"})


def is_trading(family: str) -> bool:
    """Commands that change something (trader role and above) need an allow-listed channel in groups."""
    return required_role(family).rank >= Role.TRADER.rank


def _normalize_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch not in "- ")
    if len(cleaned) != _CODE_LEN or any(ch not in _ALPHABET for ch in cleaned):
        raise UserInputError("that is not a link code: it looks like ABCD-2345 (send `link` to the bot for one)")
    return cleaned


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _check_platform(platform: str) -> None:
    if platform not in PLATFORMS:
        raise UserInputError(f"unknown platform {platform!r}: use {', '.join(PLATFORMS)}")


class LinkCodes:
    def __init__(self, db: Engine, clock: Clock, users: UserDirectory, *, ttl_ms: int = CODE_TTL_MS) -> None:
        self.db = db
        self.clock = clock
        self.users = users
        self.ttl_ms = ttl_ms

    def issue(self, platform: str, external_id: str) -> str:
        """A fresh code for this chat identity; earlier unredeemed codes of the identity stop working."""
        _check_platform(platform)
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LEN))
        now = self.clock.now_ms()
        with self.db.begin() as conn:
            conn.execute(
                delete(_codes).where(
                    _codes.c.platform == platform, _codes.c.external_id == external_id, _codes.c.redeemed_by.is_(None)
                )
            )
            conn.execute(
                _codes.insert().values(
                    code_hash=_hash(raw),
                    platform=platform,
                    external_id=external_id,
                    created_ms=now,
                    expires_ms=now + self.ttl_ms,
                )
            )
        return f"{raw[:4]}-{raw[4:]}"

    def redeem(self, principal: Principal, code: str) -> tuple[str, str]:
        """Link the code's chat identity to ``principal``; return ``(platform, external_id)``."""
        digest = _hash(_normalize_code(code))
        now = self.clock.now_ms()
        with self.db.begin() as conn:
            row = conn.execute(select(_codes).where(_codes.c.code_hash == digest)).first()
            if row is None:
                raise NotFound("unknown link code: send `link` to the bot for a new one")
            if row.redeemed_by is not None:
                raise Conflict("that link code was already used")
            if row.expires_ms <= now:
                raise Conflict("that link code expired: send `link` to the bot for a new one")
            claimed = conn.execute(
                update(_codes)
                .where(_codes.c.code_hash == digest, _codes.c.redeemed_by.is_(None))
                .values(redeemed_by=principal.user_id, redeemed_ms=now)
            )
            if claimed.rowcount != 1:
                raise Conflict("that link code was already used")
        try:
            self.users.link(principal.name, row.platform, row.external_id)
        except Exception:
            with self.db.begin() as conn:  # give the code back: linking did not happen
                conn.execute(
                    update(_codes).where(_codes.c.code_hash == digest).values(redeemed_by=None, redeemed_ms=None)
                )
            raise
        return row.platform, row.external_id


@dataclass(frozen=True, slots=True)
class ChannelRule:
    platform: str
    channel_id: str
    team: str | None
    trading: bool


class ChannelPolicy:
    def __init__(self, db: Engine, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def allow(self, platform: str, channel_id: str, *, team: str | None = None, trading: bool = True) -> ChannelRule:
        _check_platform(platform)
        if not channel_id or len(channel_id) > 128:
            raise UserInputError(f"invalid {platform} channel id {channel_id!r}")
        with self.db.begin() as conn:
            conn.execute(
                delete(_channels).where(_channels.c.platform == platform, _channels.c.channel_id == channel_id)
            )
            conn.execute(
                _channels.insert().values(
                    platform=platform, channel_id=channel_id, team=team, trading=trading, created_ms=self.clock.now_ms()
                )
            )
        return ChannelRule(platform, channel_id, team, trading)

    def remove(self, platform: str, channel_id: str) -> bool:
        with self.db.begin() as conn:
            result = conn.execute(
                delete(_channels).where(_channels.c.platform == platform, _channels.c.channel_id == channel_id)
            )
        return result.rowcount > 0

    def get(self, platform: str, channel_id: str) -> ChannelRule | None:
        with self.db.connect() as conn:
            row = conn.execute(
                select(_channels).where(_channels.c.platform == platform, _channels.c.channel_id == channel_id)
            ).first()
        return None if row is None else ChannelRule(row.platform, row.channel_id, row.team, row.trading)

    def list(self) -> list[ChannelRule]:
        with self.db.connect() as conn:
            rows = conn.execute(select(_channels).order_by(_channels.c.platform, _channels.c.channel_id)).all()
        return [ChannelRule(r.platform, r.channel_id, r.team, r.trading) for r in rows]
