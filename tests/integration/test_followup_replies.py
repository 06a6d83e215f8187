"""Answers to follow-up mails on the real stack: STOP REMINDERS, DETAILS <department>, executives.

A meeting's minutes create two items due Friday 7 March 2025; the follow-up planners and the
sender run at the hours a stepping clock sets, and people answer by mail.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.adapters.smtp import SmtpSender
from mailflow.config.schema import (
    CalendarSettings,
    Config,
    PeopleSettings,
    Person,
    ScheduleSettings,
)
from mailflow.dev.devstack import BOT, MailStack
from mailflow.domain.directory import Directory
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.domain.minutes import ActionSpec, MinutesDoc
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.outbound.delivery.flush import OutboxFlusher
from mailflow.services.digests import plan_digests
from mailflow.services.escalations import plan_escalations
from mailflow.services.followups import plan_reminders, plan_weekly
from mailflow.services.meetings import apply_spec
from mailflow.services.minutes import apply_minutes
from mailflow.tracker.models import ActionItem, ItemStatus, MeetingSource, OutboxRow
from tests.conftest import SteppingClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALICE, BOB, CAROL, EXEC = (f"{n}@example.test" for n in ("alice", "bob", "carol", "exec"))
PEOPLE = (
    Person(ALICE, "Alice", department="Ops"),
    Person(BOB, "Bob", department="Eng", manager=EXEC),
    Person(CAROL, "Carol", department="Sales", manager=EXEC),
    Person(EXEC, "Exec", department="Board", role="head"),
)


class Month:
    def __init__(
        self,
        config: Config,
        stack: MailStack,
        sessions: sessionmaker[Session],
        clock: SteppingClock,
    ) -> None:
        self.config, self.stack, self.sessions, self.clock = config, stack, sessions, clock
        self.pipeline = InboundPipeline(config, sessions, clock)
        self.flusher = OutboxFlusher(
            config, sessions, clock, lambda: SmtpSender(config.smtp, None), worker="t"
        )

    def at(self, day: int, hour: int) -> None:
        self.clock.current = datetime(2025, 3, day, hour, tzinfo=SHANGHAI).astimezone(UTC)
        with ImapMailbox(self.config.imap, self.stack.password) as mailbox:
            mailbox.ensure_folders()
            self.pipeline.poll(mailbox)
        for planner in (plan_reminders, plan_weekly, plan_escalations, plan_digests):
            with self.sessions() as session, session.begin():
                planner(session, self.clock.now(), self.config)
        self.flusher.flush()

    def kinds(self, person: str) -> list[str]:
        with self.sessions() as session:
            rows = session.execute(
                select(OutboxRow.kind, OutboxRow.recipients)
                .where(OutboxRow.status == "sent")
                .order_by(OutboxRow.id)
            )
            return [kind for kind, recipients in rows if person in recipients]


@pytest.fixture
def month(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> Month:
    config = dataclasses.replace(
        app_config,
        schedule=ScheduleSettings(
            timezone="Asia/Shanghai", calendar=CalendarSettings(country="CN")
        ),
        people=PeopleSettings(people=PEOPLE),
    )
    start = datetime(2025, 3, 3, 9, tzinfo=SHANGHAI)
    with session_factory() as session, session.begin():
        meeting = apply_spec(
            session,
            MeetingSpec(
                uid="m@example.test",
                title="Review",
                organiser=AttendeeSpec(ALICE),
                start=start,
                end=start + timedelta(hours=1),
                tzid="Asia/Shanghai",
            ),
            source=MeetingSource.CLI,
            domain="example.test",
            now=start,
        ).meeting
        assert meeting is not None
        apply_minutes(
            session,
            meeting,
            MinutesDoc(
                actions=(
                    ActionSpec(BOB, BOB, "Order laptops", due=date(2025, 3, 7)),
                    ActionSpec(CAROL, CAROL, "Sign the contract", due=date(2025, 3, 7)),
                )
            ),
            raw_text="",
            submitted_by=ALICE,
            source_message_id=None,
            directory=Directory(PEOPLE),
            now=start + timedelta(hours=1),
        )
    return Month(config, mailstack, session_factory, clock)


def _mail(sender: str, subject: str, text: str, n: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = subject
    msg["In-Reply-To"] = f"<{n}.1.1.mailflow@example.test>"
    msg["Message-ID"] = f"<follow-{n}@example.test>"
    msg.set_content(text)
    return msg


def test_stop_reminders_stops_reminders_but_never_escalations(
    month: Month, mailstack: MailStack
) -> None:
    month.at(4, 9)  # before_3 reminders to Bob and Carol
    assert month.kinds(BOB) == ["item_reminder"]
    # Bob uses the List-Unsubscribe mailto: a fresh mail whose subject is the command.
    stop = _mail(BOB, "STOP REMINDERS", "", 1)
    del stop["In-Reply-To"]
    mailstack.send(stop, BOB, [BOT])
    month.at(4, 10)
    for day in (6, 7, 8, 9, 10):
        for hour in (8, 9, 15):
            month.at(day, hour)
    assert month.kinds(BOB) == ["item_reminder", "answer"], "confirmation, then silence"
    assert month.kinds(CAROL).count("item_reminder") == 4, "before_3, before_1, today, overdue"
    assert "weekly_progress" in month.kinds(CAROL)
    # Both items went overdue: escalations still go to the organiser and the executive.
    assert month.kinds(ALICE).count("escalation") == 2
    assert month.kinds(EXEC).count("escalation") == 2


def test_details_for_one_of_the_executives_departments(
    month: Month, mailstack: MailStack, session_factory: sessionmaker[Session]
) -> None:
    month.at(10, 8)  # Monday: the weekly digest
    assert month.kinds(EXEC).count("digest") == 1
    mailstack.send(_mail(EXEC, "Re: Weekly digest", "DETAILS Eng", 2), EXEC, [BOT])
    mailstack.send(_mail(BOB, "Re: Weekly digest", "DETAILS Sales", 3), BOB, [BOT])
    month.at(10, 9)
    assert month.kinds(EXEC)[-1] == "digest_details"
    assert month.kinds(BOB).count("answer") == 1, "Bob has no digest: refused with the reason"
    # The executive closes the overdue item of one of their people.
    mailstack.send(_mail(EXEC, "Re: escalation", "MF-0001 DONE", 4), EXEC, [BOT])
    month.at(10, 10)
    with session_factory() as session:
        item = session.scalars(select(ActionItem).where(ActionItem.ref == "MF-0001")).one()
    assert item.status is ItemStatus.DONE
