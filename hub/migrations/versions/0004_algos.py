"""execution algorithm parents and their child orders

Revision ID: algos_0001
Revises: 7c7b0be676f5
Create Date: 2026-11-26 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.storage.db import Money

revision = "algos_0001"
down_revision = "7c7b0be676f5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "algo_parents",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("venue", sa.String(length=32), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("quantity", Money(), nullable=False),
        sa.Column("price", Money(), nullable=True),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_algo_parents_user_key"),
    )
    op.create_index("ix_algo_parents_user_id", "algo_parents", ["user_id"])
    op.create_index("ix_algo_parents_status", "algo_parents", ["status"])
    op.create_table(
        "algo_children",
        sa.Column("parent_id", sa.String(length=32), nullable=False),
        sa.Column("slice_index", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("parent_id", "slice_index", name="pk_algo_children"),
    )
    op.create_index("ix_algo_children_order_id", "algo_children", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_algo_children_order_id", table_name="algo_children")
    op.drop_table("algo_children")
    op.drop_index("ix_algo_parents_status", table_name="algo_parents")
    op.drop_index("ix_algo_parents_user_id", table_name="algo_parents")
    op.drop_table("algo_parents")
