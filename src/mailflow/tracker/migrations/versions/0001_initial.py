"""Initial schema: people, meetings, minutes, action items, the mail log and the outbox.

Written out in full rather than imported from the models, so that later model changes do not
rewrite history. Enumerated columns are VARCHAR(32) with a CHECK constraint listing the values,
the same on SQLite and PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Timestamps are instants: timestamptz on PostgreSQL, naive UTC text on SQLite (see coltypes).
TIMESTAMP = sa.DateTime(timezone=True)


def _one_of(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    """The CHECK constraint SQLAlchemy's non-native Enum would create, named by the convention."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(f"ck_{table}_{column}"))


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "daemon_status",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_daemon_status")),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=998), nullable=False),
        sa.Column("mailbox", sa.String(length=255), nullable=True),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("processed_at", TIMESTAMP, nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        _one_of(
            "inbound_messages",
            "outcome",
            ("applied", "ignored", "left_for_person", "refused", "quarantined"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("message_key", name=op.f("uq_inbound_messages_message_key")),
    )
    op.create_index(
        op.f("ix_inbound_messages_processed_at"), "inbound_messages", ["processed_at"], unique=False
    )
    op.create_table(
        "leases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("acquired_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leases")),
        sa.UniqueConstraint("name", name=op.f("uq_leases_name")),
    )
    op.create_table(
        "mailbox_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox", sa.String(length=255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox_checkpoints")),
        sa.UniqueConstraint("mailbox", name=op.f("uq_mailbox_checkpoints_mailbox")),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("organiser_email", sa.String(length=320), nullable=False),
        sa.Column("scribe_email", sa.String(length=320), nullable=True),
        sa.Column("starts_at", TIMESTAMP, nullable=False),
        sa.Column("ends_at", TIMESTAMP, nullable=False),
        sa.Column("tzid", sa.String(length=64), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("online_url", sa.String(length=2000), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("rrule", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("ends_at >= starts_at", name=op.f("ck_meetings_ends_after_start")),
        _one_of("meetings", "status", ("draft", "scheduled", "cancelled", "done")),
        _one_of("meetings", "source", ("itip", "mail", "cli")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("uid", name=op.f("uq_meetings_uid")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("manager_email", sa.String(length=320), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("reminders_opt_out", sa.Boolean(), nullable=False),
        sa.Column("failing_since", TIMESTAMP, nullable=True),
        sa.Column("bounce_count", sa.Integer(), nullable=False),
        sa.Column("last_bounce_at", TIMESTAMP, nullable=True),
        sa.Column("last_bounce_reason", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("email", name=op.f("uq_people_email")),
    )
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("owner_email", sa.String(length=320), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("expected_conclusion", sa.Text(), nullable=True),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_agenda_items_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
        sa.UniqueConstraint(
            "meeting_id", "position", name=op.f("uq_agenda_items_meeting_id_position")
        ),
    )
    op.create_table(
        "attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("partstat", sa.String(length=32), nullable=False),
        sa.Column("recurrence_id", sa.String(length=32), nullable=False),
        sa.Column("delegated_to", sa.String(length=320), nullable=True),
        sa.Column("responded_at", TIMESTAMP, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_attendees_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        _one_of(
            "attendees", "role", ("CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT", "NON-PARTICIPANT")
        ),
        _one_of(
            "attendees",
            "partstat",
            ("NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendees")),
        sa.UniqueConstraint(
            "meeting_id",
            "email",
            "recurrence_id",
            name=op.f("uq_attendees_meeting_id_email_recurrence_id"),
        ),
    )
    op.create_table(
        "meeting_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("recurrence_id", TIMESTAMP, nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("starts_at", TIMESTAMP, nullable=True),
        sa.Column("ends_at", TIMESTAMP, nullable=True),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_occurrences_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        _one_of("meeting_occurrences", "status", ("scheduled", "cancelled")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_occurrences")),
        sa.UniqueConstraint(
            "meeting_id",
            "recurrence_id",
            name=op.f("uq_meeting_occurrences_meeting_id_recurrence_id"),
        ),
    )
    op.create_table(
        "minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.String(length=320), nullable=False),
        sa.Column("source_message_id", sa.String(length=998), nullable=True),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("official_sent_at", TIMESTAMP, nullable=True),
        sa.Column("is_correction", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_minutes_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes")),
        sa.UniqueConstraint("meeting_id", "version", name=op.f("uq_minutes_meeting_id_version")),
    )
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("minutes_id", sa.Integer(), nullable=True),
        sa.Column("owner_email", sa.String(length=320), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("deliverable", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_time", sa.Time(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("delay_reason", sa.Text(), nullable=True),
        sa.Column("confirmed_at", TIMESTAMP, nullable=True),
        sa.Column("last_update_at", TIMESTAMP, nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "escalation_level >= 0", name=op.f("ck_action_items_escalation_level_nonnegative")
        ),
        sa.CheckConstraint(
            "progress >= 0 AND progress <= 100", name=op.f("ck_action_items_progress_range")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_action_items_meeting_id_meetings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["minutes_id"],
            ["minutes.id"],
            name=op.f("fk_action_items_minutes_id_minutes"),
            ondelete="SET NULL",
        ),
        _one_of(
            "action_items", "status", ("not_started", "in_progress", "done", "delayed", "cancelled")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_items")),
        sa.UniqueConstraint("ref", name=op.f("uq_action_items_ref")),
    )
    op.create_index(
        op.f("ix_action_items_meeting_id"), "action_items", ["meeting_id"], unique=False
    )
    op.create_index(
        op.f("ix_action_items_owner_email"), "action_items", ["owner_email"], unique=False
    )
    op.create_index(
        op.f("ix_action_items_status_due_date"),
        "action_items",
        ["status", "due_date"],
        unique=False,
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_decisions_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["minutes_id"],
            ["minutes.id"],
            name=op.f("fk_decisions_minutes_id_minutes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_email", sa.String(length=320), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_disputes_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["minutes_id"],
            ["minutes.id"],
            name=op.f("fk_disputes_minutes_id_minutes"),
            ondelete="SET NULL",
        ),
        _one_of("disputes", "status", ("open", "resolved", "dropped")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    op.create_table(
        "item_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("source_message_id", sa.String(length=998), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["action_items.id"],
            name=op.f("fk_item_history_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_history")),
    )
    op.create_index(op.f("ix_item_history_item_id"), "item_history", ["item_id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=512), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("claimed_by", sa.String(length=255), nullable=True),
        sa.Column("claimed_until", TIMESTAMP, nullable=True),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["action_items.id"],
            name=op.f("fk_outbox_item_id_action_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_outbox_meeting_id_meetings"),
            ondelete="SET NULL",
        ),
        _one_of("outbox", "status", ("pending", "sending", "sent", "failed")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    op.create_index(
        op.f("ix_outbox_status_next_attempt_at"),
        "outbox",
        ["status", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_status_next_attempt_at"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_item_history_item_id"), table_name="item_history")
    op.drop_table("item_history")
    op.drop_table("disputes")
    op.drop_table("decisions")
    op.drop_index(op.f("ix_action_items_status_due_date"), table_name="action_items")
    op.drop_index(op.f("ix_action_items_owner_email"), table_name="action_items")
    op.drop_index(op.f("ix_action_items_meeting_id"), table_name="action_items")
    op.drop_table("action_items")
    op.drop_table("minutes")
    op.drop_table("meeting_occurrences")
    op.drop_table("attendees")
    op.drop_table("agenda_items")
    op.drop_table("people")
    op.drop_table("meetings")
    op.drop_table("mailbox_checkpoints")
    op.drop_table("leases")
    op.drop_index(op.f("ix_inbound_messages_processed_at"), table_name="inbound_messages")
    op.drop_table("inbound_messages")
    op.drop_table("daemon_status")
    op.drop_table("counters")
