"""tradingview hooks and alerts

Revision ID: tradingview_0001
Revises: 7c7b0be676f5
Create Date: 2026-11-26 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "tradingview_0001"
down_revision = "7c7b0be676f5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tradingview_hooks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_hint", sa.String(length=8), nullable=False),
        sa.Column("passphrase_hash", sa.String(length=64), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("venue", sa.String(length=32), nullable=True),
        sa.Column("default_size", sa.String(length=40), nullable=True),
        sa.Column("symbols", sa.JSON(), nullable=True),
        sa.Column("allowed_ips", sa.JSON(), nullable=True),
        sa.Column("rate_limit", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("rotated_ms", sa.BigInteger(), nullable=True),
        sa.Column("revoked_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_tradingview_hooks_user_id", "tradingview_hooks", ["user_id"])
    op.create_table(
        "tradingview_alerts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("hook_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("received_ms", sa.BigInteger(), nullable=False),
        sa.Column("source_ip", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("unknown_keys", sa.JSON(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("duplicate_of", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("command_text", sa.String(length=1000), nullable=True),
        sa.Column("intent", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("completed_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_tradingview_alerts_dedupe", "tradingview_alerts", ["dedupe_key", "hook_id"])
    op.create_index("ix_tradingview_alerts_user_received", "tradingview_alerts", ["user_id", "received_ms"])
    op.create_index("ix_tradingview_alerts_status", "tradingview_alerts", ["status"])


def downgrade() -> None:
    op.drop_index("ix_tradingview_alerts_status", table_name="tradingview_alerts")
    op.drop_index("ix_tradingview_alerts_user_received", table_name="tradingview_alerts")
    op.drop_index("ix_tradingview_alerts_dedupe", table_name="tradingview_alerts")
    op.drop_table("tradingview_alerts")
    op.drop_index("ix_tradingview_hooks_user_id", table_name="tradingview_hooks")
    op.drop_table("tradingview_hooks")
