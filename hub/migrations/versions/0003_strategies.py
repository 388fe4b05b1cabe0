"""live strategy instances

Revision ID: strategies_0001
Revises: 7c7b0be676f5
Create Date: 2026-11-26 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.storage.db import Money

revision = "strategies_0001"
down_revision = "7c7b0be676f5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "strategy_instances",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("symbols", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_bar_ms", sa.BigInteger(), nullable=True),
        sa.Column("fill_cursor", sa.JSON(), nullable=False),
        sa.Column("initial_equity", Money(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_strategy_instances_user_id", "strategy_instances", ["user_id"])
    op.create_index("ix_strategy_instances_status", "strategy_instances", ["status"])


def downgrade() -> None:
    op.drop_index("ix_strategy_instances_status", table_name="strategy_instances")
    op.drop_index("ix_strategy_instances_user_id", table_name="strategy_instances")
    op.drop_table("strategy_instances")
