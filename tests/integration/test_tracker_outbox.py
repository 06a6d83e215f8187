"""The outbox: idempotent enqueue, claims that expire, SKIP LOCKED, retries with backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from mailflow.outbound.delivery import outbox
from mailflow.tracker.models import OutboxRow, OutboxStatus
from tests.stored_payload import stored

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def enqueue(
    session: Session, key: str, *, now: datetime = NOW, not_before: datetime | None = None
) -> bool:
    return outbox.enqueue(
        session,
        key=key,
        recipients=["a@example.com", "b@example.com"],
        payload=stored("notice", {"meeting_uid": "m1@example.com", "sequence": 0}),
        now=now,
        not_before=not_before,
    )


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxRow)) or 0


def test_enqueue_is_idempotent_by_key(session: Session) -> None:
    assert enqueue(session, "notice:m1:0:a@example.com") is True
    assert enqueue(session, "notice:m1:0:a@example.com", now=NOW + timedelta(hours=1)) is False
    session.commit()
    assert count(session) == 1
    row = session.scalars(select(OutboxRow)).one()
    assert row.status is OutboxStatus.PENDING
    assert row.recipients == ["a@example.com", "b@example.com"]
    assert row.payload == {"meeting_uid": "m1@example.com", "sequence": 0}
    assert row.created_at == row.next_attempt_at == NOW


def test_enqueue_is_idempotent_across_sessions(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as first, session_factory() as second:
        assert enqueue(first, "digest:2025-W11") is True
        first.commit()
        assert enqueue(second, "digest:2025-W11") is False
        second.commit()
        assert count(second) == 1


def test_enqueue_refuses_an_empty_recipient_list(session: Session) -> None:
    with pytest.raises(ValueError, match="no recipients"):
        outbox.enqueue(session, key="k", recipients=[], payload=stored("notice"), now=NOW)


def test_claim_takes_due_rows_in_order_up_to_the_limit(session: Session) -> None:
    enqueue(session, "late", not_before=NOW + timedelta(minutes=5))
    enqueue(session, "second", now=NOW - timedelta(minutes=1))
    enqueue(session, "first", now=NOW - timedelta(minutes=2))
    enqueue(session, "third", now=NOW)
    session.commit()

    rows = outbox.claim(session, worker="w1", now=NOW, limit=2, lease_seconds=300)
    assert [row.idempotency_key for row in rows] == ["first", "second"]
    assert all(row.status is OutboxStatus.SENDING for row in rows)
    assert all(row.claimed_by == "w1" for row in rows)
    assert all(row.claimed_until == NOW + timedelta(seconds=300) for row in rows)
    session.commit()

    rows = outbox.claim(session, worker="w2", now=NOW, limit=10, lease_seconds=300)
    assert [row.idempotency_key for row in rows] == ["third"]
    assert outbox.claim(session, worker="w2", now=NOW, limit=10, lease_seconds=300) == []
    rows = outbox.claim(
        session, worker="w2", now=NOW + timedelta(minutes=5), limit=10, lease_seconds=300
    )
    assert [row.idempotency_key for row in rows] == ["late"]


def test_an_expired_claim_is_released_to_another_worker(session: Session) -> None:
    enqueue(session, "k")
    [row] = outbox.claim(session, worker="dead", now=NOW, limit=10, lease_seconds=60)
    outbox.record_message_ids(session, {row.id: "<first@mailflow.example>"})
    session.commit()

    # Still claimed at the very end of the lease; free a moment after.
    lease_end = NOW + timedelta(seconds=60)
    assert outbox.claim(session, worker="w2", now=lease_end, limit=10, lease_seconds=60) == []
    [again] = outbox.claim(
        session, worker="w2", now=lease_end + timedelta(seconds=1), limit=10, lease_seconds=60
    )
    assert (again.id, again.claimed_by) == (row.id, "w2")
    # The resend keeps the Message-ID chosen before the crash.
    outbox.record_message_ids(session, {again.id: "<second@mailflow.example>"})
    session.expire_all()
    resent = session.get(OutboxRow, again.id)
    assert resent is not None and resent.message_id == "<first@mailflow.example>"


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
def test_concurrent_claims_take_disjoint_rows_on_postgresql(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        for n in range(5):
            enqueue(session, f"k{n}")
        session.commit()

    with session_factory() as first, session_factory() as second:
        claimed_first = outbox.claim(first, worker="w1", now=NOW, limit=3, lease_seconds=60)
        # ``first`` has not committed: without SKIP LOCKED ``second`` would block on its rows,
        # so a lock timeout turns that mistake into a failure rather than a hung test.
        second.execute(text("SET LOCAL lock_timeout = '5s'"))
        claimed_second = outbox.claim(second, worker="w2", now=NOW, limit=3, lease_seconds=60)
        first_ids = {row.id for row in claimed_first}
        second_ids = {row.id for row in claimed_second}
        assert len(first_ids) == 3
        assert len(second_ids) == 2
        assert not first_ids & second_ids
        first.commit()
        second.commit()

    with session_factory() as session:
        statement = select(OutboxRow.claimed_by, func.count()).group_by(OutboxRow.claimed_by)
        owners = {worker: n for worker, n in session.execute(statement)}
        assert owners == {"w1": 3, "w2": 2}


def test_sent_rows_are_done(session: Session) -> None:
    enqueue(session, "k")
    [row] = outbox.claim(session, worker="w", now=NOW, limit=1, lease_seconds=60)
    outbox.mark_sent(session, row.id, now=NOW + timedelta(seconds=2))
    session.commit()
    session.expire_all()
    row = session.get_one(OutboxRow, row.id)
    assert row.status is OutboxStatus.SENT
    assert row.sent_at == NOW + timedelta(seconds=2)
    assert (row.claimed_by, row.claimed_until, row.last_error) == (None, None, None)
    later = NOW + timedelta(days=1)
    assert outbox.claim(session, worker="w", now=later, limit=1, lease_seconds=60) == []


def test_partial_refusal_is_kept_with_the_sent_row(session: Session) -> None:
    enqueue(session, "k")
    [row] = outbox.claim(session, worker="w", now=NOW, limit=1, lease_seconds=60)
    outbox.mark_sent(session, row.id, now=NOW, partial_error="b@example.com: 550 no such user")
    assert (row.status, row.last_error) == (OutboxStatus.SENT, "b@example.com: 550 no such user")


def test_temporary_failures_back_off_then_park_then_fail(session: Session) -> None:
    enqueue(session, "k")
    now = NOW
    for attempt in range(1, 4):
        [row] = outbox.claim(session, worker="w", now=now, limit=1, lease_seconds=60)
        outbox.mark_temporary_failure(
            session, row.id, now=now, error=f"421 try later ({attempt})", max_attempts=4
        )
        session.commit()
        assert (row.status, row.attempts, row.claimed_by) == (OutboxStatus.PENDING, attempt, None)
        # Full jitter: the delay lies in [d/2, d] with d = 30 s * 2**(attempt-1).
        ceiling = timedelta(seconds=30 * 2 ** (attempt - 1))
        assert now + ceiling / 2 <= row.next_attempt_at <= now + ceiling
        # Not due before its time.
        early = row.next_attempt_at - timedelta(microseconds=1)
        assert outbox.claim(session, worker="w", now=early, limit=1, lease_seconds=60) == []
        now = row.next_attempt_at

    # Past max_attempts the row is parked, tried hourly, not failed: the mail is never lost.
    [row] = outbox.claim(session, worker="w", now=now, limit=1, lease_seconds=60)
    outbox.mark_temporary_failure(session, row.id, now=now, error="421 still", max_attempts=4)
    session.commit()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 4, "421 still")
    assert row.next_attempt_at == now + outbox.PARKED_RETRY
    # Three days after it was planned, a mail refused each hour fails for good.
    late = NOW + outbox.GIVE_UP_AFTER
    [row] = outbox.claim(session, worker="w", now=late, limit=1, lease_seconds=60)
    outbox.mark_temporary_failure(session, row.id, now=late, error="421 still", max_attempts=4)
    session.commit()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 5)
    far = late + timedelta(days=30)
    assert outbox.claim(session, worker="w", now=far, limit=1, lease_seconds=60) == []


def test_an_outage_longer_than_the_schedule_is_waited_out(session: Session) -> None:
    enqueue(session, "k")
    now = NOW
    for _ in range(30):  # five days of an unreachable server
        [row] = outbox.claim(session, worker="w", now=now, limit=1, lease_seconds=60)
        outbox.mark_temporary_failure(
            session, row.id, now=now, error="connection refused", max_attempts=4, outage=True
        )
        session.commit()
        assert row.status == OutboxStatus.PENDING
        assert row.next_attempt_at <= now + outbox.OUTAGE_RETRY
        now = row.next_attempt_at + timedelta(hours=4)
    [row] = outbox.claim(session, worker="w", now=now, limit=1, lease_seconds=60)
    outbox.mark_sent(session, row.id, now=now)
    session.commit()
    assert row.status == OutboxStatus.SENT


def test_permanent_failure_fails_at_once(session: Session) -> None:
    enqueue(session, "k")
    [row] = outbox.claim(session, worker="w", now=NOW, limit=1, lease_seconds=60)
    outbox.mark_permanent_failure(session, row.id, now=NOW, error="550 mailbox unavailable")
    session.commit()
    assert (row.status, row.attempts, row.last_error) == (
        OutboxStatus.FAILED,
        1,
        "550 mailbox unavailable",
    )


def test_marking_an_unknown_row_is_an_error(session: Session) -> None:
    with pytest.raises(LookupError):
        outbox.mark_sent(session, 12345, now=NOW)
