"""Indexes that keep a planning tick's cost with the work due, not with history.

Notice planning reads only meetings not yet over (``meetings.ends_at``) and series
(``meetings.rrule``, NULL for single meetings, so the index holds series only in practice). The
at-risk pass reads the flagged items by ``action_items.at_risk_since``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_meetings_ends_at"), "meetings", ["ends_at"])
    op.create_index(op.f("ix_meetings_rrule"), "meetings", ["rrule"])
    op.create_index(op.f("ix_action_items_at_risk_since"), "action_items", ["at_risk_since"])


def downgrade() -> None:
    op.drop_index(op.f("ix_action_items_at_risk_since"), table_name="action_items")
    op.drop_index(op.f("ix_meetings_rrule"), table_name="meetings")
    op.drop_index(op.f("ix_meetings_ends_at"), table_name="meetings")
