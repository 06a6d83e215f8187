"""Abuse resisted, on the real stack: oversized mail, MIME bombs, deep nesting, hostile calendars,
header injection, mail loops and borrowed reply tokens. Each is refused or quarantined within
bounded time, and nothing is answered that should not be.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import icalendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.config.schema import Config
from mailflow.dev.devstack import BOT, MailStack
from mailflow.inbound.pipeline import InboundPipeline, PollResult
from mailflow.tracker.models import InboundMessage, Meeting, OutboxRow
from tests.conftest import SteppingClock

ALICE = "alice@example.test"


def _poll(
    config: Config, stack: MailStack, sessions: sessionmaker[Session], clock: SteppingClock
) -> PollResult:
    pipeline = InboundPipeline(config, sessions, clock)
    with ImapMailbox(
        config.imap, stack.password, max_message_bytes=config.mail.max_message_bytes
    ) as mailbox:
        mailbox.ensure_folders()
        return pipeline.poll(mailbox)


def _errors(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return [
            e or ""
            for e in session.scalars(
                select(InboundMessage.error).where(InboundMessage.outcome == "quarantined")
            )
        ]


def _outbox_rows(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxRow)) or 0


def _mail(subject: str, body: str = "hello", **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = ALICE
    msg["To"] = BOT
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{abs(hash(subject))}@example.test>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def test_oversized_message_is_never_downloaded_and_is_quarantined_whole(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    config = dataclasses.replace(
        app_config, mail=dataclasses.replace(app_config.mail, max_message_bytes=100_000)
    )
    big = _mail("huge attachment", "x" * 1_000_000).as_bytes()
    mailstack.append(BOT, big)
    with ImapMailbox(config.imap, mailstack.password, max_message_bytes=100_000) as mailbox:
        mailbox.select("INBOX")
        [fetched] = list(mailbox.fetch(mailbox.uids_after(0)))
    assert fetched.size >= len(big) - 10 and len(fetched.raw) < 2_000, "only the header was read"

    _poll(config, mailstack, session_factory, clock)
    assert any("exceeds mail.max_message_bytes" in e for e in _errors(session_factory))
    [kept] = mailstack.messages(BOT, config.imap.folders.quarantine)
    assert len(kept) >= len(big) - 10, "the message is kept intact for a person"


def test_mime_bomb_and_deep_nesting_are_quarantined_quickly(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    parts = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(10_000))
    bomb = (
        b"From: alice@example.test\r\nSubject: bomb\r\nMessage-ID: <bomb@example.test>\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + parts + b"--b--\r\n"
    )
    nested = (
        b"From: alice@example.test\r\nSubject: nested\r\nMessage-ID: <nest@example.test>\r\n"
        + b"Content-Type: message/rfc822\r\n\r\nFrom: x@example.test\r\n" * 200
        + b"\r\nhi\r\n"
    )
    mailstack.append(BOT, bomb)
    mailstack.append(BOT, nested)
    started = time.monotonic()
    result = _poll(app_config, mailstack, session_factory, clock)
    assert time.monotonic() - started < 10
    assert result.by_outcome == {"quarantined": 2}
    errors = " ".join(_errors(session_factory))
    assert "MIME parts" in errors and "message/rfc822" in errors


def _hostile_invite(attendees: int, rrule: str) -> EmailMessage:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//hostile//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"hostile-{attendees}-{len(rrule)}@example.test")
    event.add("dtstamp", datetime(2025, 3, 1, tzinfo=UTC))
    start = datetime(2025, 3, 20, 2, 0, tzinfo=UTC)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(hours=1))
    event.add("summary", "Hostile")
    event.add("organizer", f"mailto:{ALICE}")
    event.add("rrule", icalendar.vRecur.from_ical(rrule))
    for n in range(attendees):
        event.add("attendee", f"mailto:guest{n}@example.org")
    calendar.add_component(event)
    msg = _mail(f"Invitation {attendees} {rrule}")
    msg.add_alternative(
        calendar.to_ical(), maintype="text", subtype="calendar", params={"method": "REQUEST"}
    )
    return msg


def test_hostile_calendar_is_refused_in_bounded_time(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    mailstack.append(BOT, _hostile_invite(10_000, "FREQ=SECONDLY;COUNT=100000000").as_bytes())
    started = time.monotonic()
    _poll(app_config, mailstack, session_factory, clock)
    assert time.monotonic() - started < 20
    with session_factory() as session:
        assert session.scalars(select(Meeting)).all() == [], "nothing half-created"
        payload = session.scalars(select(OutboxRow.payload)).one()
    assert payload["outcome"] == "rejected"
    assert any(p["field"] == "recurrence" for p in payload["problems"])


def test_header_injection_through_a_title_goes_nowhere(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    from mailflow.adapters.smtp import SmtpSender
    from mailflow.outbound.delivery.flush import OutboxFlusher

    # An encoded-word subject that decodes to a line break and a Bcc header.
    msg = _mail("placeholder", "When: 2025-03-20 10:00\nAttendees: bob@example.test\n")
    msg.replace_header("Subject", "=?utf-8?b?TUVFVElORzogSGkNCkJjYzogZXZpbEBleGFtcGxlLm9yZw==?=")
    mailstack.send(msg, ALICE, [BOT])
    clock.current = datetime(2025, 3, 19, 1, 0, tzinfo=UTC)
    _poll(app_config, mailstack, session_factory, clock)
    OutboxFlusher(
        app_config, session_factory, clock, lambda: SmtpSender(app_config.smtp, None), worker="t"
    ).flush()
    [receipt] = mailstack.messages(ALICE)
    head = receipt.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in head and b"evil@example.org" not in head.split(b"Subject:")[0]
    # The relay saw the receipt to Alice only: no smuggled recipient.
    assert [list(e.rcpt_tos) for e in mailstack.smtp.received() if e.mail_from == BOT] == [[ALICE]]


def test_auto_responders_and_other_bots_are_never_answered(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    # An out-of-office answering one of our mails, and another mailflow answering us.
    mailstack.append(
        BOT,
        _mail(
            "Automatic reply: Meeting received",
            Auto_Submitted="auto-replied",
            In_Reply_To="<1.2.3.mailflow@example.test>",
        ).as_bytes(),
    )
    mailstack.append(
        BOT,
        _mail(
            "Re: your notice",
            "Accept",
            Auto_Submitted="auto-replied",
            X_Auto_Response_Suppress="OOF, AutoReply",
            In_Reply_To="<4.5.6.mailflow@example.test>",
        ).as_bytes(),
    )
    result = _poll(app_config, mailstack, session_factory, clock)
    assert result.by_outcome == {"ignored": 2}
    assert _outbox_rows(session_factory) == 0, "no answer, so no loop"
