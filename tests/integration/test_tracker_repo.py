"""Tracker repositories: checkpoints, the inbound log, daemon status, item refs, status report."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from mailflow.outbound.delivery import outbox
from mailflow.tracker import repo
from mailflow.tracker.models import InboundMessage, InboundOutcome
from mailflow.tracker.report import status_report
from tests.stored_payload import stored

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("<abc@example.com>", "<abc@example.com>"),
        ("  <ABC.1@Example.COM>\r\n ", "<ABC.1@Example.COM>"),
        ("abc@example.com", "<abc@example.com>"),
        ("<abc@example.com> (sent by a gateway)", "<abc@example.com>"),
        ("(comment) <abc@example.com>", "<abc@example.com>"),
    ],
)
def test_message_key_normalises_message_ids(header: str, expected: str) -> None:
    assert repo.message_key(header, b"ignored") == expected


@pytest.mark.parametrize("header", [None, "", "   ", "<>", "<" + "x" * 1000 + "@example.com>"])
def test_message_key_falls_back_to_a_hash_of_the_raw_bytes(header: str | None) -> None:
    raw = b"From: a@example.com\r\n\r\nhello\r\n"
    assert repo.message_key(header, raw) == "sha256:" + hashlib.sha256(raw).hexdigest()


def test_checkpoints_are_saved_and_overwritten(session: Session) -> None:
    assert repo.get_checkpoint(session, "INBOX") is None
    repo.save_checkpoint(session, "INBOX", 1700000000, 41, NOW)
    repo.save_checkpoint(session, "INBOX", 1700000000, 42, NOW + timedelta(minutes=1))
    repo.save_checkpoint(session, "Archive", 7, 3, NOW)
    session.commit()
    checkpoint = repo.get_checkpoint(session, "INBOX")
    assert checkpoint == repo.Checkpoint("INBOX", 1700000000, 42, NOW + timedelta(minutes=1))
    assert checkpoint.updated_at.tzinfo is UTC
    assert [c.mailbox for c in repo.list_checkpoints(session)] == ["Archive", "INBOX"]


def test_inbound_messages_are_recorded_once(session: Session) -> None:
    key = repo.message_key("<m1@example.com>", b"")
    assert repo.find_inbound(session, key) is None
    repo.record_inbound(
        session,
        message_key=key,
        kind="reply",
        outcome=InboundOutcome.APPLIED,
        now=NOW,
        mailbox="INBOX",
        uidvalidity=5,
        uid=17,
        sender="a@example.com",
        subject="Re: MF-0001",
        details={"item": "MF-0001", "command": "DONE"},
    )
    session.commit()
    found = repo.find_inbound(session, key)
    assert found is not None
    assert (found.kind, found.outcome, found.uid) == ("reply", InboundOutcome.APPLIED, 17)
    assert found.details == {"item": "MF-0001", "command": "DONE"}
    assert found.received_at == found.processed_at == NOW
    with pytest.raises(IntegrityError):
        repo.record_inbound(session, message_key=key, kind="reply", outcome="ignored", now=NOW)


def test_an_unknown_inbound_outcome_is_refused_early(session: Session) -> None:
    with pytest.raises(ValueError, match="'lost'"):
        repo.record_inbound(session, message_key="<x@y>", kind="reply", outcome="lost", now=NOW)


def test_status_values_are_upserted(session: Session) -> None:
    repo.set_status(session, "last_poll_ok", "2025-03-10T09:00:00+00:00", NOW)
    repo.set_status(
        session, "last_poll_ok", "2025-03-10T09:05:00+00:00", NOW + timedelta(minutes=5)
    )
    repo.set_status(session, "last_error", "IMAP timeout", NOW)
    session.commit()
    status = repo.get_status(session)
    assert status == {
        "last_error": repo.StatusEntry("IMAP timeout", NOW),
        "last_poll_ok": repo.StatusEntry("2025-03-10T09:05:00+00:00", NOW + timedelta(minutes=5)),
    }


def test_item_refs_are_allocated_in_order(session: Session) -> None:
    refs = [repo.allocate_item_ref(session) for _ in range(3)]
    assert refs == ["MF-0001", "MF-0002", "MF-0003"]
    assert repo.next_counter(session, "other") == 1


def test_item_refs_are_unique_across_concurrent_sessions(
    session_factory: sessionmaker[Session],
) -> None:
    # Thread B starts while A's allocation is uncommitted: a read-then-insert counter would hand
    # B the same number, the upsert makes B wait for A instead.
    with session_factory() as first:
        ref_a = repo.allocate_item_ref(first)
        refs_b: list[str] = []
        other = threading.Thread(target=_allocate, args=(session_factory, 1, refs_b))
        other.start()
        first.commit()
    other.join(timeout=30)
    assert not other.is_alive()
    assert (ref_a, refs_b) == ("MF-0001", ["MF-0002"])

    # Then two threads allocating as fast as they can.
    results: list[list[str]] = [[], []]
    barrier = threading.Barrier(2, timeout=30)
    threads = [
        threading.Thread(target=_allocate, args=(session_factory, 25, out, barrier))
        for out in results
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    allocated = results[0] + results[1]
    assert len(allocated) == 50
    assert sorted(allocated) == [f"MF-{n:04d}" for n in range(3, 53)]


def _allocate(
    factory: sessionmaker[Session],
    count: int,
    out: list[str],
    barrier: threading.Barrier | None = None,
) -> None:
    if barrier is not None:
        barrier.wait()
    for _ in range(count):
        with factory() as session:
            out.append(repo.allocate_item_ref(session))
            session.commit()


def test_status_report_counts_and_errors(session: Session) -> None:
    for n, (kind, outcome) in enumerate(
        [
            ("reply", InboundOutcome.APPLIED),
            ("reply", InboundOutcome.APPLIED),
            ("bounce", InboundOutcome.IGNORED),
            ("unknown", InboundOutcome.QUARANTINED),
        ]
    ):
        error = "no parser matched" if outcome is InboundOutcome.QUARANTINED else None
        repo.record_inbound(
            session,
            message_key=f"<m{n}@example.com>",
            kind=kind,
            outcome=outcome,
            now=NOW + timedelta(minutes=n),
            error=error,
        )
    for n in range(3):
        outbox.enqueue(session, key=f"k{n}", recipients=["a@x"], payload=stored("notice"), now=NOW)
    [first, second, _] = outbox.claim(session, worker="w", now=NOW, limit=3, lease_seconds=60)
    outbox.mark_sent(session, first.id, now=NOW)
    outbox.mark_permanent_failure(session, second.id, now=NOW + timedelta(hours=1), error="550")
    repo.save_checkpoint(session, "INBOX", 1, 9, NOW)
    repo.set_status(session, "last_send_ok", "yes", NOW)
    session.commit()

    report = status_report(session, errors_limit=5)
    assert report.inbound == {
        ("reply", "applied"): 2,
        ("bounce", "ignored"): 1,
        ("unknown", "quarantined"): 1,
    }
    assert report.outbox == {"pending": 0, "sending": 1, "sent": 1, "failed": 1}
    assert [(e.source, e.ref, e.error) for e in report.errors] == [
        ("outbox", "k1", "550"),
        ("inbound", "<m3@example.com>", "no parser matched"),
    ]
    assert [c.last_uid for c in report.checkpoints] == [9]
    assert set(report.status) == {"last_send_ok"}
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 4


def test_inbound_outcomes_of_a_batch_in_one_query(session: Session) -> None:
    repo.record_inbound(session, message_key="<a@x>", kind="reply", outcome="applied", now=NOW)
    repo.record_inbound(
        session, message_key="<b@x>", kind="bounce", outcome=InboundOutcome.QUARANTINED, now=NOW
    )
    found = repo.inbound_outcomes(session, ["<a@x>", "<b@x>", "<c@x>", "<a@x>"])
    assert found == {"<a@x>": "applied", "<b@x>": "quarantined"}
    assert repo.inbound_outcomes(session, []) == {}
