"""risk monitor tables: team rules, account peaks, breach state, alerts

Revision ID: riskmonitor_0001
Revises: 7c7b0be676f5
Create Date: 2026-11-26 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.storage.db import Money

revision = "riskmonitor_0001"
down_revision = "7c7b0be676f5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_rules",
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("max_drawdown_pct", Money(), nullable=True),
        sa.Column("daily_loss", Money(), nullable=True),
        sa.Column("concentration_pct", Money(), nullable=True),
        sa.Column("exposure", Money(), nullable=True),
        sa.Column("var_budget", Money(), nullable=True),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("cooldown_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("team"),
    )
    op.create_table(
        "risk_accounts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("peak_equity", Money(), nullable=False),
        sa.Column("day_ms", sa.BigInteger(), nullable=False),
        sa.Column("day_open_equity", Money(), nullable=False),
        sa.Column("last_equity", Money(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "risk_breaches",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("breaching", sa.Boolean(), nullable=False),
        sa.Column("alerted", sa.Boolean(), nullable=False),
        sa.Column("last_fired_ms", sa.BigInteger(), nullable=True),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "rule"),
    )
    op.create_table(
        "risk_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("value", Money(), nullable=False),
        sa.Column("limit_value", Money(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=True),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("acked_by", sa.String(length=64), nullable=True),
        sa.Column("acked_ms", sa.BigInteger(), nullable=True),
        sa.Column("slack_channel", sa.String(length=32), nullable=True),
        sa.Column("slack_status", sa.String(length=16), nullable=False),
        sa.Column("slack_attempts", sa.Integer(), nullable=False),
        sa.Column("slack_next_ms", sa.BigInteger(), nullable=True),
        sa.Column("slack_ts", sa.String(length=32), nullable=True),
        sa.Column("slack_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("risk_alerts", schema=None) as batch_op:
        batch_op.create_index("ix_risk_alerts_team_id", ["team", "id"], unique=False)
        batch_op.create_index("ix_risk_alerts_slack_due", ["slack_status", "slack_next_ms"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_alerts_slack_due")
        batch_op.drop_index("ix_risk_alerts_team_id")
    op.drop_table("risk_alerts")
    op.drop_table("risk_breaches")
    op.drop_table("risk_accounts")
    op.drop_table("risk_rules")
