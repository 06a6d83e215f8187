"""The outbox sender against the real SMTP relay and Dovecot, on SQLite and PostgreSQL.

Each test enqueues rows, flushes with a stepping clock, and reads the recipients' mailboxes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.smtp import SmtpSender
from mailflow.config.schema import Config
from mailflow.dev.devstack import MailStack
from mailflow.outbound.delivery import outbox, render_ahead
from mailflow.outbound.delivery.flush import OutboxFlusher
from mailflow.outbound.delivery.registry import render
from mailflow.outbound.rendering.compose import PlainMessage, RenderContext
from mailflow.tracker.models import OutboxRow
from tests.conftest import SteppingClock

ALICE = "alice@example.test"
BOB = "bob@example.test"


def _flusher(
    config: Config, sessions: sessionmaker[Session], clock: SteppingClock
) -> OutboxFlusher:
    return OutboxFlusher(
        config, sessions, clock, lambda: SmtpSender(config.smtp, None), worker="test:1"
    )


def _enqueue(
    sessions: sessionmaker[Session], clock: SteppingClock, key: str, to: list[str]
) -> bool:
    with sessions() as session, session.begin():
        return outbox.enqueue(
            session,
            key=key,
            recipients=to,
            payload=PlainMessage(f"About {key}", "Hello 你好"),
            now=clock.now(),
        )


def _row(sessions: sessionmaker[Session], key: str) -> OutboxRow:
    with sessions() as session:
        row = session.query(OutboxRow).filter_by(idempotency_key=key).one()
        session.expunge(row)
        return row


def test_rows_sent_once_with_recorded_message_id(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    assert _enqueue(session_factory, clock, "greet:1", [ALICE, BOB])
    assert not _enqueue(session_factory, clock, "greet:1", [ALICE, BOB]), "same key, no new row"
    flusher = _flusher(app_config, session_factory, clock)

    first = flusher.flush()
    second = flusher.flush()

    assert (first.sent, second.sent) == (1, 0)
    row = _row(session_factory, "greet:1")
    assert str(row.status) == "sent" and row.sent_at == clock.now()
    for user in (ALICE, BOB):
        [raw] = mailstack.messages(user)
        received = message_from_bytes(raw)
        assert received["Message-ID"] == row.message_id
        assert received["Auto-Submitted"] == "auto-generated"
        assert received["Subject"] == "About greet:1"


def test_451_then_250_is_retried_with_backoff_and_delivered_once(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    mailstack.smtp.fail_next(451, "4.3.0 try again later")
    _enqueue(session_factory, clock, "retry:1", [ALICE])
    flusher = _flusher(app_config, session_factory, clock)

    deferred = flusher.flush()
    row = _row(session_factory, "retry:1")
    assert deferred.retried == 1 and deferred.sent == 0
    assert str(row.status) == "pending" and row.attempts == 1
    assert row.last_error is not None and "451" in row.last_error
    assert row.next_attempt_at > clock.now()
    assert flusher.flush().sent == 0, "not due before its backoff has passed"

    clock.current = row.next_attempt_at
    assert flusher.flush().sent == 1
    delivered = mailstack.messages(ALICE)
    assert len(delivered) == 1
    assert message_from_bytes(delivered[0])["Message-ID"] == row.message_id, (
        "the retry carries the Message-ID chosen before the first attempt"
    )


def test_5xx_fails_the_row_for_good(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    mailstack.smtp.reject_recipient(ALICE, 550)
    _enqueue(session_factory, clock, "nope:1", [ALICE])
    result = _flusher(app_config, session_factory, clock).flush()
    row = _row(session_factory, "nope:1")
    assert result.failed == 1
    assert str(row.status) == "failed" and row.last_error is not None and "550" in row.last_error


def test_one_refused_recipient_does_not_stop_the_others(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    mailstack.smtp.reject_recipient(BOB, 550)
    _enqueue(session_factory, clock, "partial:1", [ALICE, BOB])
    _flusher(app_config, session_factory, clock).flush()
    row = _row(session_factory, "partial:1")
    assert str(row.status) == "sent"
    assert row.last_error is not None and BOB in row.last_error
    assert len(mailstack.messages(ALICE)) == 1 and mailstack.messages(BOB) == []


def test_smtp_down_keeps_rows_for_later(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    _enqueue(session_factory, clock, "down:1", [ALICE])
    mailstack.smtp.stop()
    result = _flusher(app_config, session_factory, clock).flush()
    row = _row(session_factory, "down:1")
    assert result.retried == 1
    assert str(row.status) == "pending" and row.attempts == 1
    mailstack.smtp.start()
    clock.current = row.next_attempt_at
    assert _flusher(app_config, session_factory, clock).flush().sent == 1


def test_hourly_limit_per_recipient_defers_and_never_drops(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    config = dataclasses.replace(
        app_config, smtp=dataclasses.replace(app_config.smtp, max_per_recipient_per_hour=2)
    )
    for n in range(3):
        _enqueue(session_factory, clock, f"limit:{n}", [ALICE])
    flusher = _flusher(config, session_factory, clock)

    first = flusher.flush()
    assert (first.sent, first.deferred) == (2, 1)
    assert len(mailstack.messages(ALICE)) == 2
    held = _row(session_factory, "limit:2")
    assert str(held.status) == "pending" and held.attempts == 0, "deferred, not failed"
    assert held.next_attempt_at == clock.now() + timedelta(hours=1)

    clock.advance(minutes=59)
    assert flusher.flush().sent == 0
    clock.advance(minutes=1)
    assert flusher.flush().sent == 1
    assert len(mailstack.messages(ALICE)) == 3


def test_full_batches_are_rendered_ahead_by_a_worker_and_each_row_sent_once(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Batches of two: the two full ones are rendered by a worker, the last one in the daemon."""
    for n in range(5):
        _enqueue(session_factory, clock, f"ahead:{n}", [ALICE])
    in_daemon: list[str] = []

    def render_in_daemon(
        ctx: RenderContext, kind: str, to: Sequence[str], payload: Mapping[str, Any]
    ) -> EmailMessage:
        in_daemon.append(kind)
        return render(ctx, kind, to, payload)

    monkeypatch.setattr(render_ahead, "render", render_in_daemon)
    config = dataclasses.replace(
        app_config, smtp=dataclasses.replace(app_config.smtp, batch_size=2)
    )
    flusher = OutboxFlusher(
        config,
        session_factory,
        clock,
        lambda: SmtpSender(config.smtp, None),
        worker="test:1",
        render_workers=1,
    )
    try:
        result = flusher.flush()
    finally:
        flusher.close()

    assert result.sent == 5 and in_daemon == ["message"], "only the last, short batch"
    assert "workers failed" not in caplog.text
    received = [message_from_bytes(raw) for raw in mailstack.messages(ALICE)]
    assert sorted(str(m["Subject"]) for m in received) == [f"About ahead:{n}" for n in range(5)]
    assert {m["Message-ID"] for m in received} == {
        _row(session_factory, f"ahead:{n}").message_id for n in range(5)
    }


def test_a_slow_batch_renews_its_claim_and_skips_rows_another_replica_took(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    for n in range(2):
        _enqueue(session_factory, clock, f"slow:{n}", [BOB])

    def connect_slowly() -> SmtpSender:
        # The connection took longer than the claim: it ran out and another replica claimed
        # the rows (and will send them) before this one sends anything.
        clock.advance(seconds=301)
        with session_factory() as session, session.begin():
            taken = outbox.claim(
                session, worker="other:2", now=clock.now(), limit=10, lease_seconds=300
            )
            assert len(taken) == 2
        return SmtpSender(app_config.smtp, None)

    flusher = OutboxFlusher(
        app_config, session_factory, clock, connect_slowly, worker="test:1", lease_seconds=300
    )
    result = flusher.flush(max_batches=1)

    assert result.sent == 0 and mailstack.messages(BOB) == []
    for n in range(2):
        row = _row(session_factory, f"slow:{n}")
        assert (str(row.status), row.claimed_by) == ("sending", "other:2")
        assert row.message_id is not None, "recorded before the send, kept for the other replica"
