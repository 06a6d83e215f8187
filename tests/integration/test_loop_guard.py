"""An auto-responder without any marker answers every answer: mailflow stops after a few rounds
and tells the organiser; a person's own mails, however many, are always answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from mailflow.inbound.reading.mail import InboundMail
from mailflow.outbound.delivery import outbox
from mailflow.services.replies import LOOP_MAILS, in_a_loop
from mailflow.tracker import repo
from mailflow.tracker.models import OutboxRow
from tests.stored_payload import stored

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
ROBOT = "helpdesk@vendor.example"


def _mail(subject: str, in_reply_to: str | None, n: int) -> InboundMail:
    reply = f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else ""
    return InboundMail(
        f"From: {ROBOT}\r\nSubject: {subject}\r\nMessage-ID: <r{n}@vendor.example>\r\n{reply}\r\n"
        "Thank you for your message. A ticket was opened.\r\n".encode()
    )


def _record(session: Session, mail: InboundMail, at: datetime) -> None:
    repo.record_inbound(
        session,
        message_key=repo.message_key(mail.message_id, mail.raw),
        kind="reply",
        outcome="ignored",
        now=at,
        sender=mail.sender,
        subject=mail.subject,
    )


def test_answers_answered_by_a_robot_stop_after_a_few_rounds(session: Session) -> None:
    outbox.enqueue(session, key="answer:1", recipients=[ROBOT], payload=stored("answer"), now=NOW)
    session.execute(update(OutboxRow).values(message_id="<a1.mailflow@example.test>"))
    subject = "Re: Re: Your mail was not acted on"
    for n in range(LOOP_MAILS - 1):
        mail = _mail(subject, "<a1.mailflow@example.test>", n)
        assert not in_a_loop(session, mail, NOW + timedelta(minutes=n))
        _record(session, mail, NOW + timedelta(minutes=n))
    looping = _mail("RE: " + subject, "<a1.mailflow@example.test>", 99)
    assert in_a_loop(session, looping, NOW + timedelta(minutes=LOOP_MAILS))
    # Half an hour later it has calmed down.
    assert not in_a_loop(session, looping, NOW + timedelta(hours=2))


def test_a_persons_many_new_mails_are_never_a_loop(session: Session) -> None:
    for n in range(LOOP_MAILS * 3):
        mail = _mail("STOP REMINDERS", None, n)
        assert not in_a_loop(session, mail, NOW + timedelta(minutes=n))
        _record(session, mail, NOW + timedelta(minutes=n))
