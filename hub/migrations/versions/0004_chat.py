"""chat link codes and allow-listed channels

Revision ID: chat_0001
Revises: 7c7b0be676f5
Create Date: 2026-11-26 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "chat_0001"
down_revision = "7c7b0be676f5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_link_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.Column("redeemed_by", sa.Integer(), nullable=True),
        sa.Column("redeemed_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_index(op.f("ix_chat_link_codes_external_id"), "chat_link_codes", ["external_id"], unique=False)
    op.create_table(
        "chat_channels",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.String(length=128), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=True),
        sa.Column("trading", sa.Boolean(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "channel_id"),
    )


def downgrade() -> None:
    op.drop_table("chat_channels")
    op.drop_index(op.f("ix_chat_link_codes_external_id"), table_name="chat_link_codes")
    op.drop_table("chat_link_codes")
