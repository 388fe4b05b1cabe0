"""venue accounts (exchange keys and wallets, encrypted)

Revision ID: venues_0001
Revises: 7c7b0be676f5
Create Date: 2026-11-26 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "venues_0001"
down_revision = "7c7b0be676f5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "venue_accounts",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=False),
        sa.Column("hint", sa.String(length=64), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("venue_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_venue_accounts_owner_user_id"), ["owner_user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("venue_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venue_accounts_owner_user_id"))
    op.drop_table("venue_accounts")
