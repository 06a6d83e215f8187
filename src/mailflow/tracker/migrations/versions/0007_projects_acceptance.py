"""Projects, and acceptance of action items.

A project groups meetings and items (``projects``; ``meetings.project_id``,
``action_items.project_id``). An item with an acceptor (``acceptor_email``) waits, after its owner's
DONE, in the new status ``awaiting_acceptance`` until the acceptor accepts it or sends it back
(``rework_count``). A delay carries a category (``delay_category``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("not_started", "in_progress", "done", "delayed", "cancelled")
NEW_STATUSES = ("not_started", "in_progress", "awaiting_acceptance", "done", "delayed", "cancelled")


def _status_check(values: tuple[str, ...]) -> str:
    return "status IN ({})".format(", ".join(f"'{v}'" for v in values))


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("coordinator_email", sa.String(length=320), nullable=False),
        sa.Column("acceptor_email", sa.String(length=320), nullable=True),
        sa.Column("lead_department", sa.String(length=200), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("name", name=op.f("uq_projects_name")),
    )
    with op.batch_alter_table("minutes") as batch:
        batch.add_column(sa.Column("responses", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_meetings_project_id_projects"),
            "projects",
            ["project_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_meetings_project_id"), ["project_id"])
    with op.batch_alter_table("action_items") as batch:
        batch.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("acceptor_email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("delay_category", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("rework_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_foreign_key(
            op.f("fk_action_items_project_id_projects"),
            "projects",
            ["project_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_action_items_project_id"), ["project_id"])
        batch.drop_constraint(op.f("ck_action_items_status"), type_="check")
        batch.create_check_constraint(op.f("ck_action_items_status"), _status_check(NEW_STATUSES))


def downgrade() -> None:
    with op.batch_alter_table("action_items") as batch:
        batch.drop_constraint(op.f("ck_action_items_status"), type_="check")
        batch.create_check_constraint(op.f("ck_action_items_status"), _status_check(OLD_STATUSES))
        batch.drop_index(op.f("ix_action_items_project_id"))
        batch.drop_constraint(op.f("fk_action_items_project_id_projects"), type_="foreignkey")
        batch.drop_column("rework_count")
        batch.drop_column("delay_category")
        batch.drop_column("acceptor_email")
        batch.drop_column("project_id")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_index(op.f("ix_meetings_project_id"))
        batch.drop_constraint(op.f("fk_meetings_project_id_projects"), type_="foreignkey")
        batch.drop_column("project_id")
    with op.batch_alter_table("minutes") as batch:
        batch.drop_column("responses")
    op.drop_table("projects")
