"""The outbox: planned mail waits here until the send job claims it, sends it and marks it.

Planning code calls :func:`enqueue` with an idempotency key, so planning twice (or on two replicas)
yields one row. The send job calls :func:`claim` and :func:`record_message_ids` before talking
SMTP, then one of the ``mark_*`` functions per row; :func:`renew_claims` keeps the claims fresh
during a long batch. A worker that dies mid-send loses nothing: its claim
expires after ``lease_seconds`` and the row is claimed again, with the Message-ID it already had.
Every function works in the caller's transaction and takes ``now``; committing is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from mailflow.retry import backoff
from mailflow.tracker.models import OutboxRow, OutboxStatus
from mailflow.tracker.repo import upsert

# Retry delays for transient SMTP failures: 30 s doubling up to an hour, with jitter.
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0


def enqueue(
    session: Session,
    *,
    key: str,
    kind: str,
    recipients: Sequence[str],
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
    meeting_id: int | None = None,
    item_id: int | None = None,
) -> bool:
    """Plan one mail; True if it was new, False if a row with ``key`` already existed.

    ``INSERT ... ON CONFLICT DO NOTHING`` rather than check-then-insert, so two planners racing on
    the same key cannot both insert, and neither fails.
    """
    row = _row(key, kind, recipients, payload, now, not_before, meeting_id, item_id)
    return session.execute(_enqueue_statement(session), row).scalar_one_or_none() is not None


def enqueue_soon(
    session: Session,
    *,
    key: str,
    kind: str,
    recipients: Sequence[str],
    payload: dict[str, Any],
    now: datetime,
    meeting_id: int | None = None,
) -> None:
    """:func:`enqueue` for a caller that does not need to know whether the row was new.

    Inside :func:`deferring` the row waits and is inserted with the others in one statement when
    the block ends (the inbound pipeline's batch: an answer per reply); elsewhere it is inserted
    now.
    """
    row = _row(key, kind, recipients, payload, now, None, meeting_id, None)
    waiting: list[dict[str, Any]] | None = session.info.get(_DEFERRED)
    if waiting is None:
        session.execute(_enqueue_statement(session), row)
    else:
        waiting.append(row)


@contextmanager
def deferring(session: Session) -> Iterator[None]:
    """Collect :func:`enqueue_soon`'s rows during the block; insert them all when it ends.

    If the block raises, the collected rows are dropped with it (the caller's transaction is
    rolled back).
    """
    waiting: list[dict[str, Any]] = []
    session.info[_DEFERRED] = waiting
    try:
        yield
    finally:
        del session.info[_DEFERRED]
    if waiting:
        session.execute(_insert_many_statement(session), waiting)


_DEFERRED = "mailflow.outbox_deferred"


def _row(
    key: str,
    kind: str,
    recipients: Sequence[str],
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None,
    meeting_id: int | None,
    item_id: int | None,
) -> dict[str, Any]:
    if not recipients:
        raise ValueError(f"outbox row {key!r} has no recipients")
    return {
        "idempotency_key": key,
        "kind": kind,
        "recipients": list(recipients),
        "payload": payload,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "created_at": now,
        "updated_at": now,
        "meeting_id": meeting_id,
        "item_id": item_id,
    }


# Built once per dialect: the inbound path enqueues an answer per reply, and building the
# statement cost more than running it.
_ENQUEUE: dict[tuple[str, bool], Any] = {}


def _enqueue_statement(session: Session) -> Any:
    return _statement(session, returning=True)


def _insert_many_statement(session: Session) -> Any:
    return _statement(session, returning=False)


def _statement(session: Session, *, returning: bool) -> Any:
    key = (session.get_bind().dialect.name, returning)
    statement = _ENQUEUE.get(key)
    if statement is None:
        statement = upsert(session, OutboxRow).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
        if returning:
            statement = statement.returning(OutboxRow.id)
        _ENQUEUE[key] = statement
    return statement


def claim(
    session: Session, *, worker: str, now: datetime, limit: int, lease_seconds: float
) -> list[OutboxRow]:
    """Claim up to ``limit`` rows that are due, for ``worker``, until ``now + lease_seconds``.

    Due means pending with ``next_attempt_at <= now``, or sending under a claim that expired (its
    worker died or hung). On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets concurrent workers take
    disjoint rows without waiting on each other; SQLite has a single writer and ignores it.
    """
    if limit <= 0:
        return []
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
    until = now + timedelta(seconds=lease_seconds)
    for row in rows:
        row.status = OutboxStatus.SENDING
        row.claimed_by = worker
        row.claimed_until = until
        row.updated_at = now
    session.flush()
    return rows


def renew_claims(
    session: Session, row_ids: Sequence[int], *, worker: str, now: datetime, lease_seconds: float
) -> set[int]:
    """Extend ``worker``'s claim on rows to ``now + lease_seconds``; the ids still its own.

    A row missing from the result is no longer ``worker``'s to send: its claim ran out while
    earlier rows were sent and another worker claimed it (or finished it) meanwhile. The sender
    then skips it, so two workers send one row twice only when one dies between send and mark.
    """
    if not row_ids:
        return set()
    statement = (
        update(OutboxRow)
        .where(
            OutboxRow.id.in_(row_ids),
            OutboxRow.status == OutboxStatus.SENDING,
            OutboxRow.claimed_by == worker,
        )
        .values(claimed_until=now + timedelta(seconds=lease_seconds), updated_at=now)
        .returning(OutboxRow.id)
        .execution_options(synchronize_session=False)
    )
    return set(session.scalars(statement))


def record_message_ids(session: Session, message_ids: dict[int, str]) -> None:
    """Store the Message-IDs chosen for claimed rows that had none, before any is sent.

    A row that already has one keeps it, so a resend after a crash is recognisably the same mail.
    """
    if not message_ids:
        return
    table = cast("Table", OutboxRow.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.message_id.is_(None))
        .values(message_id=bindparam("chosen"))
    )
    session.execute(statement, [{"row_id": k, "chosen": v} for k, v in message_ids.items()])


def mark_sent(
    session: Session, row_id: int, *, now: datetime, partial_error: str | None = None
) -> None:
    """The server accepted the mail; ``partial_error`` lists recipients it refused, if any.

    One UPDATE, without loading the row (and its payload) first: the sender marks every row.
    """
    values: dict[str, Any] = {
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


def mark_temporary_failure(
    session: Session,
    row_id: int,
    *,
    now: datetime,
    error: str,
    max_attempts: int,
    base_seconds: float = BACKOFF_BASE_SECONDS,
    outage: bool = False,
) -> bool:
    """Count a failed attempt and retry after a backoff that starts at ``base_seconds``
    (``smtp.retry_base_seconds``) and doubles per attempt.

    Delivery never gives up silently on a temporary failure: when the server was unreachable
    (``outage``) the row waits for it however long it takes, tried at least every
    :data:`OUTAGE_RETRY`; a temporary refusal of this one mail is tried past ``max_attempts``
    every :data:`PARKED_RETRY` ("parked") until it is :data:`GIVE_UP_AFTER` old — as long as an
    MTA keeps a message queued — and only then fails (and the organiser hears of it). True when
    the row failed for good.
    """
    row = _get(session, row_id)
    row.attempts += 1
    row.last_error = error
    row.status = OutboxStatus.PENDING
    wait = backoff(row.attempts, base=base_seconds, cap=BACKOFF_CAP_SECONDS)
    if outage:
        wait = min(wait, OUTAGE_RETRY)
    elif row.attempts >= max_attempts:
        if now - _aware(row.created_at, now) >= GIVE_UP_AFTER:
            row.status = OutboxStatus.FAILED
        wait = PARKED_RETRY
    row.next_attempt_at = now + wait
    _release(row, now)
    return row.status is OutboxStatus.FAILED


# An unreachable server is waited for; one mail refused again and again is tried for three days.
OUTAGE_RETRY = timedelta(minutes=10)
PARKED_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=3)


def _aware(at: datetime, like: datetime) -> datetime:
    return at if at.tzinfo is not None or like.tzinfo is None else at.replace(tzinfo=UTC)


def defer(session: Session, row_id: int, *, until: datetime, now: datetime, reason: str) -> None:
    """Put a claimed row back until ``until`` without counting an attempt (e.g. a rate limit)."""
    row = _get(session, row_id)
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = until
    row.last_error = reason
    _release(row, now)


def mark_permanent_failure(session: Session, row_id: int, *, now: datetime, error: str) -> None:
    """Fail a row for good (a 5xx reply): retrying would not help, a person has to act."""
    row = _get(session, row_id)
    row.attempts += 1
    row.status = OutboxStatus.FAILED
    row.last_error = error
    _release(row, now)


def _get(session: Session, row_id: int) -> OutboxRow:
    row = session.get(OutboxRow, row_id, populate_existing=True)
    if row is None:
        raise LookupError(f"no outbox row {row_id}")
    return row


def _release(row: OutboxRow, now: datetime) -> None:
    row.claimed_by = None
    row.claimed_until = None
    row.updated_at = now
    session = Session.object_session(row)
    if session is not None:
        session.flush()
