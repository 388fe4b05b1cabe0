"""copy trading: leaders, follows, mirrors, finished leader fills

Revision ID: copytrade_0001
Revises: 7c7b0be676f5
Create Date: 2026-11-26 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.storage.db import Money

revision = "copytrade_0001"
down_revision = "7c7b0be676f5"
branch_labels = ("copytrade",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "copytrade_leaders",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("discord_sealed", sa.Text(), nullable=True),
        sa.Column("since_ms", sa.BigInteger(), nullable=False),
        sa.Column("start_equity", Money(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "copytrade_follows",
        sa.Column("follower_id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("ratio", Money(), nullable=True),
        sa.Column("fixed", Money(), nullable=True),
        sa.Column("max_allocation", Money(), nullable=True),
        sa.Column("allocated", Money(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("follower_id", "leader_id"),
    )
    op.create_index("ix_copytrade_follows_leader_id", "copytrade_follows", ["leader_id"])
    op.create_table(
        "copytrade_mirrors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("leader_fill_id", sa.String(length=32), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("follower_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=True),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("quantity", Money(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("leader_fill_id", "follower_id", name="uq_copytrade_mirrors_fill_follower"),
    )
    op.create_index("ix_copytrade_mirrors_follower_id", "copytrade_mirrors", ["follower_id"])
    op.create_table(
        "copytrade_sources",
        sa.Column("fill_id", sa.String(length=32), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("mirrored", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("posted", sa.String(length=16), nullable=True),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("fill_id"),
    )


def downgrade() -> None:
    op.drop_table("copytrade_sources")
    op.drop_index("ix_copytrade_mirrors_follower_id", table_name="copytrade_mirrors")
    op.drop_table("copytrade_mirrors")
    op.drop_index("ix_copytrade_follows_leader_id", table_name="copytrade_follows")
    op.drop_table("copytrade_follows")
    op.drop_table("copytrade_leaders")
