"""TradingView tables on their own ``MetaData``: hooks (token and passphrase stored hashed) and alerts.

Every alert that reaches a live hook is a row, whatever became of it: accepted, duplicate, rejected,
rate limited, executed. The raw body and the keys tradehub did not know are kept with it.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

hooks = Table(
    "tradingview_hooks",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("token_hint", String(8), nullable=False),
    Column("passphrase_hash", String(64), nullable=True),
    Column("mode", String(16), nullable=False),
    Column("venue", String(32), nullable=True),
    Column("default_size", String(40), nullable=True),
    Column("symbols", JSON, nullable=True),
    Column("allowed_ips", JSON, nullable=True),
    Column("rate_limit", String(32), nullable=False),
    Column("label", String(64), nullable=False, default=""),
    Column("created_ms", BigInteger, nullable=False),
    Column("rotated_ms", BigInteger, nullable=True),
    Column("revoked_ms", BigInteger, nullable=True),
)

alerts = Table(
    "tradingview_alerts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("hook_id", String(32), nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("received_ms", BigInteger, nullable=False),
    Column("source_ip", String(64), nullable=False, default=""),
    Column("content_type", String(100), nullable=False, default=""),
    Column("body", Text, nullable=False),
    Column("unknown_keys", JSON, nullable=True),
    Column("dedupe_key", String(200), nullable=False),
    Column("duplicate_of", String(32), nullable=True),
    Column("status", String(24), nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("command_text", String(1000), nullable=True),
    Column("intent", JSON, nullable=True),
    Column("reason", String(1000), nullable=True),
    Column("order_id", String(64), nullable=True),
    Column("completed_ms", BigInteger, nullable=True),
    Index("ix_tradingview_alerts_dedupe", "dedupe_key", "hook_id"),
    Index("ix_tradingview_alerts_user_received", "user_id", "received_ms"),
    Index("ix_tradingview_alerts_status", "status"),
)
