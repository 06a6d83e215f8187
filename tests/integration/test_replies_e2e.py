"""Inbound answers end to end: RSVPs by calendar and by text, STATUS, COUNTER, refusals, bounces.

A meeting is set up through the real stack (organiser's mail → notices to Bob and Carol); each
test then mails the bot like a real client would and checks the DB and everyone's mailbox.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.config.schema import (
    Config,
    Person,
)
from mailflow.dev.devstack import BOT, MailStack
from mailflow.inbound import pipeline as pipeline_module
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import Classification, classify
from mailflow.tracker.models import Attendee, InboundMessage, Meeting
from mailflow.tracker.models import Person as TrackedPerson
from tests.conftest import SteppingClock, shanghai_config
from tests.integration.cycle import Cycle

ALICE, BOB, CAROL = "alice@example.test", "bob@example.test", "carol@example.test"
PEOPLE = (
    Person(ALICE, "Alice Wang", locale="en", timezone="Asia/Shanghai"),
    Person(BOB, "张伟", locale="zh_CN", timezone="Asia/Shanghai"),
    Person(CAROL, "Carol Smith", locale="en", timezone="Europe/London"),
)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    return shanghai_config(app_config, PEOPLE, monkeypatch)


@pytest.fixture
def cycle(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> Iterator[Cycle]:
    """A meeting tomorrow, its notices already in Bob's and Carol's mailboxes."""
    run = Cycle(config, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    msg = EmailMessage()
    msg["From"] = f"Alice Wang <{ALICE}>"
    msg["To"] = BOT
    msg["Subject"] = "MEETING: Launch review"
    msg["Message-ID"] = "<launch@example.test>"
    msg.set_content(f"When: 2025-03-11 14:00\nDuration: 1h\nAttendees: {BOB}, {CAROL}\n")
    mailstack.send(msg, ALICE, [BOT])
    run.run()
    assert len(run.inbox(BOB)) == 1 and len(run.inbox(CAROL)) == 1
    yield run


def _reply_to(notice: EmailMessage, sender: str, body: str, quote: str = "") -> EmailMessage:
    """A reply as a mail client writes it: Re: subject, thread headers, to the Reply-To."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = str(notice["Reply-To"])
    msg["Subject"] = f"Re: {notice['Subject']}"
    msg["In-Reply-To"] = str(notice["Message-ID"])
    msg["References"] = f"{notice['References']} {notice['Message-ID']}"
    msg["Message-ID"] = f"<reply-{abs(hash((sender, body)))}@example.test>"
    msg.set_content(body + quote)
    return msg


def _partstats(sessions: sessionmaker[Session]) -> dict[str, tuple[str, str | None]]:
    with sessions() as session:
        rows = session.scalars(select(Attendee).where(Attendee.recurrence_id == ""))
        return {a.email: (str(a.partstat), a.comment) for a in rows}


def _outcomes(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        rows = session.execute(
            select(InboundMessage.kind, InboundMessage.outcome).order_by(InboundMessage.id)
        )
        return [(kind, str(outcome)) for kind, outcome in rows]


def _text(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_text_rsvps_are_recorded_answered_and_quotes_ignored(
    cycle: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    [notice_bob] = cycle.inbox(BOB)
    [notice_carol] = cycle.inbox(CAROL)
    mailstack.send(_reply_to(notice_bob, BOB, "不参加，出差"), BOB, [BOT])
    # Carol only says thanks; the "Accept" sits in the quoted notice and must not count.
    quote = f"\n\nOn Mon, 10 Mar 2025, mailflow <{BOT}> wrote:\n> Accept\n> Please answer\n"
    mailstack.send(_reply_to(notice_carol, CAROL, "Thanks, I will check.", quote), CAROL, [BOT])
    cycle.run()

    assert _partstats(session_factory) == {
        ALICE: ("ACCEPTED", None),  # the organiser, chair of mailflow's invitation
        BOB: ("DECLINED", "出差"),
        CAROL: ("NEEDS-ACTION", None),
    }
    answer_bob = cycle.inbox(BOB)[-1]
    assert "不参加" in _text(answer_bob) and answer_bob["In-Reply-To"]
    assert answer_bob["Auto-Submitted"] == "auto-replied"
    assert "Accept / Decline / Tentative" in _text(cycle.inbox(CAROL)[-1]), "help, not an RSVP"

    status = _reply_to(cycle.inbox(ALICE)[0], ALICE, "STATUS")
    status.replace_header("To", str(notice_bob["Reply-To"]))
    mailstack.send(status, ALICE, [BOT])
    cycle.run()
    summary = _text(cycle.inbox(ALICE)[-1])
    assert "declined 1" in summary and "no answer 1" in summary and "出差" in summary


def _calendar_reply(uid: str, attendee: str, partstat: str, sender: str) -> EmailMessage:
    """Outlook's REPLY: METHOD:REPLY, no ORGANIZER, one ATTENDEE with the answer."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REPLY")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime(2025, 3, 10, 3, 0, tzinfo=UTC))
    event.add("sequence", 0)
    event.add("attendee", f"mailto:{attendee}", parameters={"PARTSTAT": partstat, "CN": "Carol"})
    event.add("comment", "See you there")
    calendar.add_component(event)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = "Accepted: Launch review"
    msg["Message-ID"] = f"<cal-{sender}-{partstat}@example.test>"
    msg.set_content("")
    msg.add_alternative(
        calendar.to_ical(), maintype="text", subtype="calendar", params={"method": "REPLY"}
    )
    return msg


def _invite_uid(notice: EmailMessage) -> str:
    for part in notice.walk():
        if part.get_content_type() == "text/calendar":
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            return str(next(iter(icalendar.Calendar.from_ical(data).walk("VEVENT")))["UID"])
    raise AssertionError("no invite")


def test_calendar_reply_recorded_and_a_forged_one_refused(
    cycle: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    uid = _invite_uid(cycle.inbox(CAROL)[0])
    mailstack.send(_calendar_reply(uid, CAROL, "ACCEPTED", CAROL), CAROL, [BOT])
    # Bob answers for Carol: an RSVP only counts for the sender's own attendance.
    mailstack.send(_calendar_reply(uid, CAROL, "DECLINED", BOB), BOB, [BOT])
    cycle.run()

    assert _partstats(session_factory)[CAROL] == ("ACCEPTED", "See you there")
    assert len(cycle.inbox(CAROL)) == 1, "a calendar answer is not answered by mail"
    assert ("itip_reply", "refused") in _outcomes(session_factory)
    assert "must come from that address" in _text(cycle.inbox(BOB)[-1])
    quarantined = mailstack.messages(BOT, "mailflow/quarantine")
    assert len(quarantined) == 1


def test_forged_reply_token_is_refused(
    cycle: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    notice = cycle.inbox(BOB)[0]
    forged = _reply_to(notice, BOB, "参加")
    forged.replace_header("To", "bot+m1.aaaaaaaaaa@example.test")
    mailstack.send(forged, BOB, ["bot@example.test"])
    cycle.run()
    assert _outcomes(session_factory)[-1] == ("reply", "refused")
    assert _partstats(session_factory)[BOB][0] == "NEEDS-ACTION"


def test_counter_goes_to_the_organiser(cycle: Cycle, mailstack: MailStack) -> None:
    uid = _invite_uid(cycle.inbox(CAROL)[0])
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Test//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "COUNTER")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime(2025, 3, 10, 3, 0, tzinfo=UTC))
    event.add("dtstart", datetime(2025, 3, 11, 8, 0, tzinfo=UTC))
    event.add("dtend", datetime(2025, 3, 11, 9, 0, tzinfo=UTC))
    event.add("attendee", f"mailto:{CAROL}", parameters={"PARTSTAT": "TENTATIVE"})
    event.add("comment", "Could we start later?")
    calendar.add_component(event)
    msg = EmailMessage()
    msg["From"] = CAROL
    msg["To"] = BOT
    msg["Subject"] = "New time proposed: Launch review"
    msg["Message-ID"] = "<counter@example.test>"
    msg.set_content("")
    msg.add_alternative(
        calendar.to_ical(), maintype="text", subtype="calendar", params={"method": "COUNTER"}
    )
    mailstack.send(msg, CAROL, [BOT])
    cycle.run()
    forwarded = cycle.inbox(ALICE)[-1]
    assert str(forwarded["Subject"]) == "COUNTER: Launch review"
    assert CAROL in _text(forwarded) and "Could we start later?" in _text(forwarded)


def _dsn(failed: str, status: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example.test\r\n"
        f"To: {BOT}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn-{status}@mx.example.test>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.test\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--B--\r\n"
    ).encode()


def test_hard_bounce_marks_the_address_and_tells_the_organiser_once(
    cycle: Cycle, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    before = len(cycle.inbox(ALICE))
    mailstack.append(BOT, _dsn(CAROL, "5.1.1"))
    mailstack.append(BOT, _dsn(CAROL, "5.1.10"))
    cycle.run()
    with session_factory() as session:
        person = session.scalars(select(TrackedPerson).where(TrackedPerson.email == CAROL)).one()
        assert person.failing_since is not None and person.bounce_count == 2
    told = cycle.inbox(ALICE)[before:]
    assert len(told) == 1 and CAROL in _text(told[0]) and "Launch review" in _text(told[0])
    assert all(m["Auto-Submitted"] for m in told)
    assert len(cycle.inbox(CAROL)) == 1, "a bounce is never answered"


def test_unauthenticated_sender_refused_when_required(
    cycle: Cycle,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    config: Config,
) -> None:
    strict = dataclasses.replace(
        config,
        mail=dataclasses.replace(
            config.mail, require_authenticated_senders=True, authserv_ids=("mx.example.test",)
        ),
    )
    strict_cycle = Cycle(strict, mailstack, session_factory, cycle.clock)
    notice = cycle.inbox(BOB)[0]
    forged = _reply_to(notice, BOB, "参加")
    raw = (
        b"Authentication-Results: mx.example.test; dkim=fail header.d=example.test; spf=fail\r\n"
        + forged.as_bytes()
    )
    mailstack.append(BOT, raw)
    strict_cycle.run()
    assert _outcomes(session_factory)[-1] == ("reply", "refused")
    assert _partstats(session_factory)[BOB][0] == "NEEDS-ACTION"

    honest = _reply_to(notice, BOB, "参加 好的")
    raw = (
        b"Authentication-Results: mx.example.test; dkim=pass header.d=example.test\r\n"
        + honest.as_bytes()
    )
    mailstack.append(BOT, raw)
    strict_cycle.run()
    assert _partstats(session_factory)[BOB] == ("ACCEPTED", "好的")
    with session_factory() as session:
        assert session.scalars(select(Meeting)).one().title == "Launch review"


def test_a_backlog_is_parsed_ahead_by_workers_with_the_same_result(
    cycle: Cycle,
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Three batches of two: the workers classify and parse each batch while one is applied."""
    uid = _invite_uid(cycle.inbox(CAROL)[0])
    [notice_bob] = cycle.inbox(BOB)
    backlog = [
        (_reply_to(notice_bob, BOB, "Accept"), BOB),
        (_calendar_reply(uid, CAROL, "TENTATIVE", CAROL), CAROL),
        (_reply_to(notice_bob, BOB, "不参加，出差"), BOB),
        (_calendar_reply(uid, CAROL, "DECLINED", BOB), BOB),  # refused: not Bob's answer
        (_reply_to(notice_bob, BOB, "Thanks, noted."), BOB),
    ]
    for msg, sender in backlog:
        mailstack.send(msg, sender, [BOT])
    # Classified in this process only if a worker did not prepare the message.
    in_daemon: list[str] = []

    def classify_in_daemon(mail: InboundMail) -> Classification:
        in_daemon.append(mail.subject)
        return classify(mail)

    monkeypatch.setattr(pipeline_module, "classify", classify_in_daemon)
    small = dataclasses.replace(config, imap=dataclasses.replace(config.imap, batch_size=2))
    pipeline = InboundPipeline(small, session_factory, clock, parse_workers=1)
    try:
        with ImapMailbox(small.imap, mailstack.password) as mailbox:
            result = pipeline.poll(mailbox)
    finally:
        pipeline.close()
    cycle.flusher.flush()

    assert in_daemon == [], "every message of the backlog was prepared by a worker"
    assert "parse workers failed" not in caplog.text
    assert result.by_outcome == {"applied": 3, "refused": 1, "ignored": 1}
    assert _partstats(session_factory) == {
        ALICE: ("ACCEPTED", None),
        BOB: ("DECLINED", "出差"),
        CAROL: ("TENTATIVE", "See you there"),
    }
    # One answer per text reply plus the refusal, each once: 1 notice + 3 answers + 1 refusal.
    assert len(cycle.inbox(BOB)) == 5
    assert sum("must come from that address" in _text(m) for m in cycle.inbox(BOB)[1:]) == 1
    assert len(cycle.inbox(CAROL)) == 1, "calendar answers are not answered"
