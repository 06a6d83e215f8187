"""Indexes for routing replies: outbox rows and meetings looked up by Message-ID.

Every inbound reply is matched to the mail it answers by its In-Reply-To/References ids
(``outbox.message_id``) or to a meeting's thread (``meetings.thread_root``). Without these
indexes each reply scanned the whole outbox, payloads included, so a 10,000-message backlog slowed
down as the answers it queued piled up (measured by ``benchmarks/inbound_throughput.py``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_outbox_message_id"), "outbox", ["message_id"], unique=False)
    op.create_index(op.f("ix_meetings_thread_root"), "meetings", ["thread_root"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_meetings_thread_root"), table_name="meetings")
    op.drop_index(op.f("ix_outbox_message_id"), table_name="outbox")
