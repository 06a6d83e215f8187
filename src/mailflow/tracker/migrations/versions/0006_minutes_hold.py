"""Held minutes: a version that is recorded but not yet applied or sent.

Minutes whose lines look like actions but gave no item, and another system's notes forwarded by
the scribe (an OA system's 会议纪要通知, a Zoom/Teams/腾讯会议 AI summary), are kept with the reason
they wait for the scribe's PUBLISH / 发布 (``held_reason``); nothing is created or sent until then.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("minutes") as batch:
        batch.add_column(sa.Column("held_reason", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("minutes") as batch:
        batch.drop_column("held_reason")
