"""The outbox and send-log tables' SQL, for :mod:`mailflow.outbound.delivery.outbox` and
:mod:`mailflow.outbound.delivery.rate_limit`, which decide what to write.

Each function works in the caller's transaction; committing is the caller's job. Payloads arrive
here already as JSON (``to_json()`` of the outbound layer's typed payloads).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, and_, bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from mailflow.tracker.models import OutboxRow, OutboxStatus, SendLog
from mailflow.tracker.repo import upsert

# An outbox row's columns as inserted (see :func:`insert_row`).
NewRow = dict[str, object]

# Built once per dialect: the inbound path enqueues an answer per reply, and building the
# statement cost more than running it.
_INSERT: dict[tuple[str, bool], Any] = {}


def _statement(session: Session, *, returning: bool) -> Any:
    key = (session.get_bind().dialect.name, returning)
    statement = _INSERT.get(key)
    if statement is None:
        statement = upsert(session, OutboxRow).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
        if returning:
            statement = statement.returning(OutboxRow.id)
        _INSERT[key] = statement
    return statement


def insert_row(session: Session, row: NewRow) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING`` on the idempotency key; True if the row was new."""
    inserted = session.execute(_statement(session, returning=True), row).scalar_one_or_none()
    return inserted is not None


def insert_rows(session: Session, rows: Sequence[NewRow]) -> None:
    """Several rows in one statement, each skipped if its key exists."""
    if rows:
        session.execute(_statement(session, returning=False), list(rows))


def claim_due(
    session: Session, *, worker: str, now: datetime, until: datetime, limit: int
) -> list[OutboxRow]:
    """Mark up to ``limit`` due rows as sending for ``worker`` until ``until``; the rows.

    Due means pending with ``next_attempt_at <= now``, or sending under a claim that expired.
    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets concurrent workers take disjoint rows.
    """
    due = or_(
        and_(OutboxRow.status == OutboxStatus.PENDING, OutboxRow.next_attempt_at <= now),
        and_(OutboxRow.status == OutboxStatus.SENDING, OutboxRow.claimed_until < now),
    )
    statement = (
        select(OutboxRow)
        .where(due)
        .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        # Another claim may have changed these rows since this session last loaded them.
        .execution_options(populate_existing=True)
    )
    rows = list(session.scalars(statement))
    for row in rows:
        row.status = OutboxStatus.SENDING
        row.claimed_by = worker
        row.claimed_until = until
        row.updated_at = now
    session.flush()
    return rows


def renew_claims(
    session: Session, row_ids: Sequence[int], *, worker: str, until: datetime, now: datetime
) -> set[int]:
    """Extend ``worker``'s claims on ``row_ids`` to ``until``; the ids that were still its own."""
    statement = (
        update(OutboxRow)
        .where(
            OutboxRow.id.in_(row_ids),
            OutboxRow.status == OutboxStatus.SENDING,
            OutboxRow.claimed_by == worker,
        )
        .values(claimed_until=until, updated_at=now)
        .returning(OutboxRow.id)
        .execution_options(synchronize_session=False)
    )
    return set(session.scalars(statement))


def record_message_ids(session: Session, message_ids: Mapping[int, str]) -> None:
    """Store Message-IDs for the rows that have none; a row that has one keeps it."""
    table = cast("Table", OutboxRow.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.message_id.is_(None))
        .values(message_id=bindparam("chosen"))
    )
    session.execute(statement, [{"row_id": k, "chosen": v} for k, v in message_ids.items()])


def set_sent(
    session: Session, row_id: int, *, now: datetime, partial_error: str | None = None
) -> None:
    """One UPDATE, without loading the row (and its payload) first."""
    values: dict[str, object] = {
        "status": OutboxStatus.SENT,
        "sent_at": now,
        "claimed_by": None,
        "claimed_until": None,
        "updated_at": now,
    }
    if partial_error:
        values["last_error"] = partial_error
    statement = update(OutboxRow).where(OutboxRow.id == row_id).values(**values)
    result = cast("CursorResult[Any]", session.execute(statement))
    if result.rowcount != 1:
        raise LookupError(f"no outbox row {row_id}")


def get_row(session: Session, row_id: int) -> OutboxRow:
    """The row as the database holds it now (not as this session last loaded it)."""
    row = session.get(OutboxRow, row_id, populate_existing=True)
    if row is None:
        raise LookupError(f"no outbox row {row_id}")
    return row


def save_row(row: OutboxRow) -> None:
    """Write a changed row now, so later statements in the transaction see it."""
    session = Session.object_session(row)
    if session is not None:
        session.flush()


def recent_sends(
    session: Session, recipients: Iterable[str], *, since: datetime
) -> list[tuple[str, datetime]]:
    """``(recipient, sent_at)`` of the send log after ``since`` for ``recipients``."""
    rows = session.execute(
        select(SendLog.recipient, SendLog.sent_at).where(
            SendLog.recipient.in_(list(recipients)), SendLog.sent_at > since
        )
    )
    return [(recipient, sent_at) for recipient, sent_at in rows]


def log_sends(session: Session, recipients: Iterable[str], *, now: datetime) -> None:
    for recipient in recipients:
        session.add(SendLog(recipient=recipient, sent_at=now))


def prune_sends(session: Session, *, before: datetime) -> None:
    session.execute(delete(SendLog).where(SendLog.sent_at < before))
