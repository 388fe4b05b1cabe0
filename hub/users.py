"""Users, API keys and chat identities: creation, lookup and authentication."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from engine.clock import Clock
from engine.domain import UserId
from engine.errors import Conflict, NotFound, Unauthenticated, UserInputError
from hub.models import ApiKeyRow, ChatLinkRow, UserRow
from hub.principals import Principal, Role

KEY_PREFIX = "th_"
PLATFORMS = ("telegram", "slack", "discord")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_users = UserRow.__table__
_keys = ApiKeyRow.__table__
_links = ChatLinkRow.__table__
_BY_KEY = (
    select(_users.c.id, _users.c.name, _users.c.role, _users.c.team)
    .select_from(_keys.join(_users, _keys.c.user_id == _users.c.id))
    .where(_keys.c.key_hash == bindparam("key_hash"), _keys.c.revoked_ms.is_(None))
)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _principal(row: object) -> Principal:
    return Principal(UserId(row.id), row.name, Role(row.role), row.team)  # type: ignore[attr-defined]


class UserDirectory:
    def __init__(self, db: Engine, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def add_user(self, name: str, *, role: Role = Role.TRADER, team: str | None = None) -> Principal:
        if not _NAME.match(name):
            raise UserInputError(f"invalid user name {name!r}: use 1-64 letters, digits, '_', '.', '-'")
        try:
            with self.db.begin() as conn:
                user_id = conn.execute(
                    _users.insert().values(name=name, role=role.value, team=team, created_ms=self.clock.now_ms())
                ).inserted_primary_key[0]
        except IntegrityError:
            raise Conflict(f"user {name} already exists") from None
        return Principal(UserId(user_id), name, role, team)

    def get(self, name: str) -> Principal:
        with self.db.connect() as conn:
            row = conn.execute(select(_users).where(_users.c.name == name)).first()
        if row is None:
            raise NotFound(f"no user named {name}")
        return _principal(row)

    def by_id(self, user_id: int) -> Principal:
        with self.db.connect() as conn:
            row = conn.execute(select(_users).where(_users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user with id {user_id}")
        return _principal(row)

    def list(self) -> list[Principal]:
        with self.db.connect() as conn:
            return [_principal(r) for r in conn.execute(select(_users).order_by(_users.c.id))]

    def create_key(self, name: str) -> str:
        """Create an API key for user ``name`` and return it; only its hash is stored."""
        principal = self.get(name)
        secret = secrets.token_urlsafe(32)
        key = f"{KEY_PREFIX}{secret}"
        with self.db.begin() as conn:
            conn.execute(
                _keys.insert().values(
                    user_id=principal.user_id,
                    prefix=key[:10],
                    key_hash=hash_key(key),
                    created_ms=self.clock.now_ms(),
                )
            )
        return key

    def revoke_keys(self, name: str) -> int:
        principal = self.get(name)
        with self.db.begin() as conn:
            result = conn.execute(
                update(_keys)
                .where(_keys.c.user_id == principal.user_id, _keys.c.revoked_ms.is_(None))
                .values(revoked_ms=self.clock.now_ms())
            )
        return result.rowcount

    def authenticate(self, key: str | None) -> Principal:
        """Return the key's principal; raise ``Unauthenticated`` for a missing, unknown or revoked key."""
        if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
            raise Unauthenticated("missing or invalid API key")
        digest = hash_key(key)
        with self.db.connect() as conn:
            row = conn.execute(_BY_KEY, {"key_hash": digest}).first()
        # looked up by hash: the database never sees the key and timing reveals nothing about it
        if row is None:
            raise Unauthenticated("missing or invalid API key")
        return _principal(row)

    def link(self, name: str, platform: str, external_id: str) -> Principal:
        """Link a chat identity (Telegram user id, ``TEAM:USER`` on Slack, Discord user id) to a user."""
        if platform not in PLATFORMS:
            raise UserInputError(f"unknown platform {platform!r}: use {', '.join(PLATFORMS)}")
        if not external_id or len(external_id) > 128:
            raise UserInputError(f"invalid {platform} id {external_id!r}")
        principal = self.get(name)
        with self.db.begin() as conn:
            existing = conn.execute(
                select(_links.c.user_id).where(_links.c.platform == platform, _links.c.external_id == external_id)
            ).scalar()
            if existing is not None and existing != principal.user_id:
                raise Conflict(f"that {platform} identity is already linked to another user")
            if existing is None:
                conn.execute(
                    _links.insert().values(
                        user_id=principal.user_id,
                        platform=platform,
                        external_id=external_id,
                        created_ms=self.clock.now_ms(),
                    )
                )
        return principal

    def by_chat_identity(self, platform: str, external_id: str) -> Principal | None:
        with self.db.connect() as conn:
            row = conn.execute(
                select(_users)
                .select_from(_links.join(_users, _links.c.user_id == _users.c.id))
                .where(_links.c.platform == platform, _links.c.external_id == external_id)
            ).first()
        return None if row is None else _principal(row)
