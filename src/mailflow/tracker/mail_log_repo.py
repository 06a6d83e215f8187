"""Looking up the mail that went in and out: outbox rows by Message-ID or kind, inbound records
by sender or key, and the figures a test run audits.

Each function takes the caller's ``Session`` and leaves committing to the caller. Projections come
back as small frozen dataclasses, not rows. The outbox's own operations (enqueue, claim, mark) are
not here; this module only reads what was queued.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from mailflow.tracker.models import InboundMessage, OutboxRow, OutboxStatus
from mailflow.tracker.session_memo import remembered


@dataclass(frozen=True)
class SentMail:
    """An outbox row as a reply sees it: the Message-ID it carried and its kind."""

    message_id: str
    kind: str
    meeting_id: int | None = None
    row_id: int | None = None


# Built once: every reply runs these, and building a statement costs more than running it.
_KIND_BY_MESSAGE_ID = select(OutboxRow.message_id, OutboxRow.kind).where(
    OutboxRow.message_id.in_(bindparam("ids", expanding=True))
)
_MEETING_BY_MESSAGE_ID = select(OutboxRow.message_id, OutboxRow.meeting_id, OutboxRow.kind).where(
    OutboxRow.message_id.in_(bindparam("ids", expanding=True)), OutboxRow.meeting_id.is_not(None)
)


def sent_with_ids(session: Session, message_ids: Sequence[str]) -> list[SentMail]:
    """The outbox rows that carried one of ``message_ids``, in the order of ``message_ids``."""
    ids = list(message_ids)
    rows = session.execute(_KIND_BY_MESSAGE_ID, {"ids": ids}).all()
    found = [SentMail(str(r.message_id), r.kind) for r in rows]
    return sorted(found, key=lambda m: ids.index(m.message_id))


def sent_with_ids_once(session: Session, message_ids: Sequence[str]) -> list[SentMail]:
    """:func:`sent_with_ids`, read once per transaction for the same ``message_ids``."""
    ids = tuple(message_ids)
    return remembered(session, "sent:" + "\x00".join(ids), lambda: sent_with_ids(session, ids))


def sent_about_meetings(session: Session, message_ids: Sequence[str]) -> list[SentMail]:
    """Like :func:`sent_with_ids`, only rows about a meeting (``meeting_id`` set)."""
    ids = list(message_ids)
    rows = session.execute(_MEETING_BY_MESSAGE_ID, {"ids": ids}).all()
    found = [SentMail(str(r.message_id), r.kind, meeting_id=r.meeting_id) for r in rows]
    return sorted(found, key=lambda m: ids.index(m.message_id))


def outbox_rows_by_message_id(session: Session, message_ids: Sequence[str]) -> dict[str, SentMail]:
    """Message-ID → its outbox row (id and kind), for those of ``message_ids`` mailflow sent."""
    rows = session.execute(
        select(OutboxRow.message_id, OutboxRow.id, OutboxRow.kind).where(
            OutboxRow.message_id.in_(message_ids)
        )
    )
    return {
        str(message_id): SentMail(str(message_id), kind, row_id=row_id)
        for message_id, row_id, kind in rows
    }


def queued_keys(session: Session, keys: Collection[str]) -> set[str]:
    """Which of ``keys`` an outbox row already has, in one read (by the unique key's index)."""
    if not keys:
        return set()
    return set(
        session.scalars(
            select(OutboxRow.idempotency_key).where(OutboxRow.idempotency_key.in_(list(keys)))
        )
    )


def recent_subjects(session: Session, sender: str, since: datetime, limit: int) -> list[str | None]:
    """Subjects of at most ``limit`` inbound mails from ``sender`` processed after ``since``."""
    return list(
        session.scalars(
            select(InboundMessage.subject)
            .where(InboundMessage.processed_at > since, InboundMessage.sender == sender)
            .limit(limit)
        ).all()
    )


def recorded_keys(session: Session, message_keys: Collection[str]) -> set[str]:
    """Which of ``message_keys`` have an inbound record."""
    return set(
        session.scalars(
            select(InboundMessage.message_key).where(InboundMessage.message_key.in_(message_keys))
        )
    )


def inbound_total(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(InboundMessage)) or 0


def outbox_by_status(session: Session, *, unsent_only: bool = False) -> dict[str, int]:
    """Outbox rows counted by status; only statuses present (with ``unsent_only``, not sent)."""
    statement = select(OutboxRow.status, func.count())
    if unsent_only:
        statement = statement.where(OutboxRow.status != OutboxStatus.SENT)
    return {
        str(status): count
        for status, count in session.execute(statement.group_by(OutboxRow.status))
    }
