"""Send log: one row per delivered recipient, for the per-recipient hourly limit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 01:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_log")),
    )
    op.create_index(
        op.f("ix_send_log_recipient_sent_at"), "send_log", ["recipient", "sent_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_send_log_recipient_sent_at"), table_name="send_log")
    op.drop_table("send_log")
