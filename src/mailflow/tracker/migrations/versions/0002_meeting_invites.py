"""Meeting invites: stored spec, invite UID and SEQUENCE, thread root, revisions, notified state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("spec", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("invite_uid", sa.String(length=255), nullable=True))
        batch.add_column(
            sa.Column("invite_sequence", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("thread_root", sa.String(length=255), nullable=True))
    # Meetings stored before this revision keep their UID for the invite and get a thread root.
    op.execute(
        "UPDATE meetings SET spec = '{}', invite_uid = uid, "
        "thread_root = '<meeting-' || id || '@mailflow.invalid>'"
    )
    with op.batch_alter_table("meetings") as batch:
        batch.alter_column("spec", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("invite_uid", existing_type=sa.String(length=255), nullable=False)
        batch.alter_column("thread_root", existing_type=sa.String(length=255), nullable=False)
        batch.alter_column("invite_sequence", server_default=None)
        batch.create_unique_constraint(op.f("uq_meetings_invite_uid"), ["invite_uid"])
    with op.batch_alter_table("attendees") as batch:
        batch.add_column(sa.Column("notified_sequence", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("removed_at", TIMESTAMP, nullable=True))
    op.create_table(
        "meeting_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("invite_sequence", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_revisions_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_revisions")),
        sa.UniqueConstraint(
            "meeting_id",
            "invite_sequence",
            name=op.f("uq_meeting_revisions_meeting_id_invite_sequence"),
        ),
    )


def downgrade() -> None:
    op.drop_table("meeting_revisions")
    with op.batch_alter_table("attendees") as batch:
        batch.drop_column("removed_at")
        batch.drop_column("notified_sequence")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_constraint(op.f("uq_meetings_invite_uid"), type_="unique")
        batch.drop_column("thread_root")
        batch.drop_column("invite_sequence")
        batch.drop_column("invite_uid")
        batch.drop_column("spec")
