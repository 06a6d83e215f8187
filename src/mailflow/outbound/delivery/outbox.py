"""The outbox: planned mail waits here until the send job claims it, sends it and marks it.

Planning code calls :func:`enqueue` with an idempotency key, so planning twice (or on two replicas)
yields one row. The send job calls :func:`claim` and :func:`record_message_ids` before talking
SMTP, then one of the ``mark_*`` functions per row; :func:`renew_claims` keeps the claims fresh
during a long batch. A worker that dies mid-send loses nothing: its claim
expires after ``lease_seconds`` and the row is claimed again, with the Message-ID it already had.
Every function works in the caller's transaction and takes ``now``; committing is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from mailflow.outbound.rendering.payload_fields import OutboxPayload
from mailflow.retry import backoff
from mailflow.tracker import outbox_repo
from mailflow.tracker.models import OutboxRow, OutboxStatus
from mailflow.tracker.outbox_repo import NewRow

# Retry delays for transient SMTP failures: 30 s doubling up to an hour, with jitter.
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0


def enqueue(
    session: Session,
    *,
    key: str,
    recipients: Sequence[str],
    payload: OutboxPayload,
    now: datetime,
    not_before: datetime | None = None,
    meeting_id: int | None = None,
    item_id: int | None = None,
) -> bool:
    """Plan one mail of ``payload.KIND``; True if it was new, False if a row with ``key``
    already existed.

    ``INSERT ... ON CONFLICT DO NOTHING`` rather than check-then-insert, so two planners racing on
    the same key cannot both insert, and neither fails.
    """
    row = _row(key, recipients, payload, now, not_before, meeting_id, item_id)
    return outbox_repo.insert_row(session, row)


def enqueue_soon(
    session: Session,
    *,
    key: str,
    recipients: Sequence[str],
    payload: OutboxPayload,
    now: datetime,
    meeting_id: int | None = None,
) -> None:
    """:func:`enqueue` for a caller that does not need to know whether the row was new.

    Inside :func:`deferring` the row waits and is inserted with the others in one statement when
    the block ends (the inbound pipeline's batch: an answer per reply); elsewhere it is inserted
    now.
    """
    row = _row(key, recipients, payload, now, None, meeting_id, None)
    waiting: list[NewRow] | None = session.info.get(_DEFERRED)
    if waiting is None:
        outbox_repo.insert_row(session, row)
    else:
        waiting.append(row)


@contextmanager
def deferring(session: Session) -> Iterator[None]:
    """Collect :func:`enqueue_soon`'s rows during the block; insert them all when it ends.

    If the block raises, the collected rows are dropped with it (the caller's transaction is
    rolled back).
    """
    waiting: list[NewRow] = []
    session.info[_DEFERRED] = waiting
    try:
        yield
    finally:
        del session.info[_DEFERRED]
    outbox_repo.insert_rows(session, waiting)


_DEFERRED = "mailflow.outbox_deferred"


def _row(
    key: str,
    recipients: Sequence[str],
    payload: OutboxPayload,
    now: datetime,
    not_before: datetime | None,
    meeting_id: int | None,
    item_id: int | None,
) -> NewRow:
    if not recipients:
        raise ValueError(f"outbox row {key!r} has no recipients")
    return {
        "idempotency_key": key,
        "kind": payload.KIND,
        "recipients": list(recipients),
        "payload": payload.to_json(),
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "created_at": now,
        "updated_at": now,
        "meeting_id": meeting_id,
        "item_id": item_id,
    }


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
    until = now + timedelta(seconds=lease_seconds)
    return outbox_repo.claim_due(session, worker=worker, now=now, until=until, limit=limit)


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
    until = now + timedelta(seconds=lease_seconds)
    return outbox_repo.renew_claims(session, row_ids, worker=worker, until=until, now=now)


def record_message_ids(session: Session, message_ids: Mapping[int, str]) -> None:
    """Store the Message-IDs chosen for claimed rows that had none, before any is sent.

    A row that already has one keeps it, so a resend after a crash is recognisably the same mail.
    """
    if message_ids:
        outbox_repo.record_message_ids(session, message_ids)


def mark_sent(
    session: Session, row_id: int, *, now: datetime, partial_error: str | None = None
) -> None:
    """The server accepted the mail; ``partial_error`` lists recipients it refused, if any.

    One UPDATE, without loading the row (and its payload) first: the sender marks every row.
    """
    outbox_repo.set_sent(session, row_id, now=now, partial_error=partial_error)


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
    return outbox_repo.get_row(session, row_id)


def _release(row: OutboxRow, now: datetime) -> None:
    row.claimed_by = None
    row.claimed_until = None
    row.updated_at = now
    outbox_repo.save_row(row)
