"""Hub tables: users, API keys (hashed), chat identities, the audit log, idempotent command results
and pending confirmations. They share the engine's declarative base so one migration covers all."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.db import Base


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    team: Mapped[str | None] = mapped_column(String(64))
    created_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)


class ApiKeyRow(Base):
    """An API key is shown once; only its SHA-256 is stored (keys are 256-bit random, so no KDF is needed)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    revoked_ms: Mapped[int | None] = mapped_column(BigInteger)


class ChatLinkRow(Base):
    __tablename__ = "chat_links"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_chat_links_identity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    platform: Mapped[str] = mapped_column(String(16), nullable=False)
    external_id: Mapped[str] = mapped_column(String(128), nullable=False)
    created_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)


class AuditRow(Base):
    """Append-only: one row per command that reached the hub, whatever its outcome."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_user_ts", "user_id", "ts_ms"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    user_id: Mapped[int | None] = mapped_column(Integer)
    principal: Mapped[str] = mapped_column(String(64), nullable=False)
    frontend: Mapped[str] = mapped_column(String(32), nullable=False)
    raw_text: Mapped[str] = mapped_column(Text, nullable=False)
    command: Mapped[dict | None] = mapped_column(JSON)
    ok: Mapped[bool] = mapped_column(nullable=False)
    result_code: Mapped[str | None] = mapped_column(String(40))
    result_text: Mapped[str] = mapped_column(Text, nullable=False)
    latency_us: Mapped[int] = mapped_column(Integer, nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    replayed: Mapped[bool] = mapped_column(nullable=False, default=False)


class CommandResultRow(Base):
    """The reply to a command with an idempotency key, so a resent message gets the same answer."""

    __tablename__ = "command_results"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    frontend: Mapped[str] = mapped_column(String(32), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    reply: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)


class ConfirmationRow(Base):
    __tablename__ = "confirmations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    frontend: Mapped[str] = mapped_column(String(32), nullable=False)
    command_text: Mapped[str] = mapped_column(Text, nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # pending, used, declined
    created_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    expires_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)


class ChatLinkCodeRow(Base):
    """A one-time code a chat identity got from a bot; its owner redeems it from the CLI or API to link."""

    __tablename__ = "chat_link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), nullable=False)
    external_id: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    created_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    expires_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    redeemed_by: Mapped[int | None] = mapped_column(Integer)
    redeemed_ms: Mapped[int | None] = mapped_column(BigInteger)


class ChatChannelRow(Base):
    """A group channel an admin allow-listed: trading allowed there, and (optionally) the team that owns it."""

    __tablename__ = "chat_channels"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    team: Mapped[str | None] = mapped_column(String(64))
    trading: Mapped[bool] = mapped_column(nullable=False, default=True)
    created_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
