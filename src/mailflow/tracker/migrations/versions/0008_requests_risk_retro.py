"""Collaboration requests, issues, at-risk items, project close, retrospective and archive.

``action_items.kind`` tells an action item from the minutes (``action``) from a collaboration
request between departments (``request``, 协作需求单: ``requester_email``,
``requester_department``, ``urgency``) and a tracked issue from a DISPUTE line (``issue``, status
进行中 → 已解决 or 需升级). ``at_risk_since`` is set while an item's progress lags its elapsed time
(cleared when it catches up); ``talked_at`` records the coordinator's talk with its owner (约谈).
A project records when the retrospective was asked for (``retro_requested_at``), the retro meeting
(``retro_meeting_id``), when its archive was written (``archived_at``), and its optional daily
progress request time (``daily_update_at``, "HH:MM" in the configured zone).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("action_items") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="action")
        )
        batch.add_column(sa.Column("urgency", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("requester_email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("requester_department", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("at_risk_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("talked_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(op.f("ix_action_items_kind"), ["kind"])
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("retro_requested_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("retro_meeting_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("daily_update_at", sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("daily_update_at")
        batch.drop_column("archived_at")
        batch.drop_column("retro_meeting_id")
        batch.drop_column("retro_requested_at")
    with op.batch_alter_table("action_items") as batch:
        batch.drop_index(op.f("ix_action_items_kind"))
        batch.drop_column("talked_at")
        batch.drop_column("at_risk_since")
        batch.drop_column("requester_department")
        batch.drop_column("requester_email")
        batch.drop_column("urgency")
        batch.drop_column("kind")
