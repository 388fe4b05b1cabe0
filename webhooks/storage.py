"""Webhook tables on their own ``metadata``, all prefixed ``webhook_``.

- ``webhook_endpoints``: subscriptions (owner user or team, URL, event patterns, encrypted secrets).
- ``webhook_messages``: one per relayed outbox event; ``id`` is the ``webhook-id`` receivers dedupe on.
- ``webhook_deliveries``: one per (message, endpoint): state, attempts, next attempt, lease.
- ``webhook_attempts``: the log of every HTTP attempt (status, latency, response excerpt).
- ``webhook_state``: the relay's low watermark over the outbox.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("team", String(64), nullable=True, index=True),
    Column("kind", String(16), nullable=False, default="http"),
    Column("url", String(2048), nullable=False),
    Column("description", String(500), nullable=False, default=""),
    Column("events", Text, nullable=False),  # JSON list of patterns
    Column("secret", Text, nullable=False),  # Fernet token
    Column("previous_secret", Text, nullable=True),
    Column("previous_until_ms", BigInteger, nullable=True),
    Column("status", String(16), nullable=False, default="active"),  # active | paused | disabled
    Column("disabled_reason", String(500), nullable=True),
    Column("failing_since_ms", BigInteger, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

messages = Table(
    "webhook_messages",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("outbox_id", Integer, nullable=False, unique=True),
    Column("event_type", String(40), nullable=False),
    Column("user_id", Integer, nullable=True),
    Column("body", Text, nullable=False),  # the exact JSON bytes that are signed and sent
    Column("event_ms", BigInteger, nullable=False),
    Column("created_ms", BigInteger, nullable=False, index=True),
)

deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(64), nullable=False),
    Column("endpoint_id", String(40), nullable=False),
    Column("status", String(16), nullable=False),  # pending | paused | delivered | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_ms", BigInteger, nullable=False),
    Column("lease_until_ms", BigInteger, nullable=True),
    Column("queued_until_ms", BigInteger, nullable=True),
    Column("last_status", Integer, nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("first_attempt_ms", BigInteger, nullable=True),
    Column("done_ms", BigInteger, nullable=True),
    UniqueConstraint("message_id", "endpoint_id", name="uq_webhook_deliveries_message_endpoint"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_ms"),
    Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    Index("ix_webhook_deliveries_endpoint_status", "endpoint_id", "status", "id"),
)

attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Integer, nullable=False, index=True),
    Column("endpoint_id", String(40), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("number", Integer, nullable=False),
    Column("started_ms", BigInteger, nullable=False),
    Column("latency_ms", Integer, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", String(500), nullable=True),
    Column("response", Text, nullable=True),
)

state = Table(
    "webhook_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)
