"""The notice planner on the tracker DB (SQLite and PostgreSQL) with a stepping clock.

What the planner enqueues, and when, across a weekend, a public holiday and an adjusted working
day; updates and cancellations; and the corpus's real REQUEST → CANCEL / update pairs as intake.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import (
    CalendarSettings,
    Config,
    DatabaseSettings,
    ImapSettings,
    MailSettings,
    PeopleSettings,
    Person,
    ScheduleSettings,
    SmtpSettings,
)
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.inbound.handlers.apply import ApplyContext
from mailflow.inbound.handlers.registry import apply
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import classify
from mailflow.outbound.delivery.registry import render
from mailflow.outbound.rendering.compose import RenderContext
from mailflow.services.meetings import apply_spec
from mailflow.services.notices import plan_notices
from mailflow.tracker.models import Meeting, MeetingSource, MeetingStatus, OutboxRow
from tests.conftest import invite_bot

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORGANISER = "alice@example.test"
PEOPLE = (
    Person(ORGANISER, "Alice", timezone="Asia/Shanghai"),
    Person("bob@example.test", "张伟", locale="zh_CN", timezone="Asia/Shanghai"),
    Person("carol@example.test", "Carol", locale="en", timezone="Europe/London"),
)


def _config(**schedule: Any) -> Config:
    return Config(
        mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
        imap=ImapSettings(host="127.0.0.1", port=1, security="plain", user="bot@example.test"),
        smtp=SmtpSettings(host="127.0.0.1", port=1, security="plain"),
        database=DatabaseSettings(),
        schedule=ScheduleSettings(
            timezone="Asia/Shanghai",
            calendar=CalendarSettings(country="CN"),
            **schedule,
        ),
        people=PeopleSettings(people=PEOPLE),
    )


def _spec(
    start: datetime, *, uid: str = "m-1@example.test", rrule: str | None = None
) -> MeetingSpec:
    return MeetingSpec(
        uid=uid,
        title="Weekly sync",
        organiser=AttendeeSpec(ORGANISER, "Alice"),
        start=start,
        end=start + timedelta(hours=1),
        tzid="Asia/Shanghai",
        attendees=(AttendeeSpec("bob@example.test"), AttendeeSpec("carol@example.test")),
        rrule=rrule,
    )


def _notices(sessions: sessionmaker[Session]) -> list[tuple[str, list[str]]]:
    with sessions() as session:
        rows = session.execute(
            select(OutboxRow.idempotency_key, OutboxRow.recipients).order_by(OutboxRow.id)
        )
        return [(key.split(":")[0], recipients) for key, recipients in rows]


def _plan(sessions: sessionmaker[Session], config: Config, at: datetime) -> int:
    with sessions() as session, session.begin():
        return plan_notices(session, at, config)


def _add(sessions: sessionmaker[Session], spec: MeetingSpec, config: Config, at: datetime) -> None:
    with sessions() as session, session.begin():
        apply_spec(session, spec, source=MeetingSource.CLI, domain="example.test", now=at)


@pytest.mark.parametrize(
    ("start", "first_due", "why"),
    [
        # Monday 09:30; one business day before is Friday, across the weekend.
        (datetime(2025, 3, 10, 9, 30), datetime(2025, 3, 7, 9, 0), "weekend"),
        # Thursday 9 October 2025 follows the National Day holiday (1–8 October): the business
        # day before it is Tuesday 30 September.
        (datetime(2025, 10, 9, 9, 30), datetime(2025, 9, 30, 9, 0), "public holiday"),
        # Monday 13 October: the business day before is Saturday 11 October, a working Saturday.
        (datetime(2025, 10, 13, 9, 30), datetime(2025, 10, 11, 9, 0), "adjusted Saturday"),
    ],
)
def test_notice_is_due_one_business_day_before(
    start: datetime,
    first_due: datetime,
    why: str,
    session_factory: sessionmaker[Session],
) -> None:
    config = _config()
    start, first_due = start.replace(tzinfo=SHANGHAI), first_due.replace(tzinfo=SHANGHAI)
    _add(session_factory, _spec(start), config, first_due - timedelta(days=20))

    assert _plan(session_factory, config, first_due - timedelta(minutes=1)) == 0, why
    assert _plan(session_factory, config, first_due) == 2, why
    assert _plan(session_factory, config, first_due + timedelta(hours=1)) == 0, "idempotent"
    assert _notices(session_factory) == [
        ("notice", ["bob@example.test"]),
        ("notice", ["carol@example.test"]),
    ]


def test_created_inside_the_lead_time_is_noticed_at_once(
    session_factory: sessionmaker[Session],
) -> None:
    config = _config(notice_lead_business_days=2)
    now = datetime(2025, 3, 10, 15, 0, tzinfo=SHANGHAI)
    _add(session_factory, _spec(datetime(2025, 3, 11, 9, 30, tzinfo=SHANGHAI)), config, now)
    assert _plan(session_factory, config, now) == 2


def test_series_gets_a_notice_before_each_occurrence(
    session_factory: sessionmaker[Session],
) -> None:
    config = _config()
    first = datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI)
    _add(session_factory, _spec(first, rrule="FREQ=WEEKLY;COUNT=3"), config, first - timedelta(10))
    assert _plan(session_factory, config, datetime(2025, 3, 7, 9, 0, tzinfo=SHANGHAI)) == 2
    assert _plan(session_factory, config, datetime(2025, 3, 14, 9, 0, tzinfo=SHANGHAI)) == 2
    assert _plan(session_factory, config, datetime(2025, 3, 21, 9, 0, tzinfo=SHANGHAI)) == 2
    assert _plan(session_factory, config, datetime(2025, 3, 28, 9, 0, tzinfo=SHANGHAI)) == 0
    occurrences = {key.split(":")[3] for key in _keys(session_factory)}
    assert len(occurrences) == 3


def _keys(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(OutboxRow.idempotency_key)))


@pytest.mark.parametrize(
    ("day", "london"),
    [(datetime(2025, 1, 15, 9, 30), "01:30"), (datetime(2025, 7, 16, 9, 30), "02:30")],
)
def test_london_attendee_sees_their_own_time_in_winter_and_summer(
    day: datetime, london: str, session_factory: sessionmaker[Session]
) -> None:
    config = _config()
    start = day.replace(tzinfo=SHANGHAI)
    _add(session_factory, _spec(start), config, start - timedelta(days=1))
    _plan(session_factory, config, start - timedelta(hours=20))
    with session_factory() as session:
        row = session.scalars(
            select(OutboxRow).where(OutboxRow.idempotency_key.like("%carol@example.test"))
        ).one()
        msg = render(RenderContext(config, start), row.kind, row.recipients, row.payload)
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(("plain",))
    assert body is not None
    text = str(body.get_content())
    assert london in text and "09:30" in text, "her zone, and the meeting's"


def test_update_then_cancel_after_the_notice(session_factory: sessionmaker[Session]) -> None:
    config = _config()
    start = datetime(2025, 3, 12, 9, 30, tzinfo=SHANGHAI)
    notice_time = datetime(2025, 3, 11, 9, 0, tzinfo=SHANGHAI)
    _add(session_factory, _spec(start), config, notice_time - timedelta(days=5))
    _plan(session_factory, config, notice_time)
    moved = dataclasses.replace(_spec(start + timedelta(hours=2)), location="Room 7")
    _add(session_factory, moved, config, notice_time + timedelta(hours=1))
    assert _plan(session_factory, config, notice_time + timedelta(hours=1)) == 2
    _add(session_factory, dataclasses.replace(moved, status="CANCELLED"), config, notice_time)
    assert _plan(session_factory, config, notice_time + timedelta(hours=2)) == 2
    assert [kind for kind, _ in _notices(session_factory)] == [
        "notice",
        "notice",
        "update",
        "update",
        "cancel",
        "cancel",
    ]
    assert _plan(session_factory, config, notice_time + timedelta(hours=3)) == 0


FIXTURES = ("itip-nylas", "inbox", "test", "events", "fixtures")


def _mail_with(ics: bytes, sender: str, message_id: str) -> InboundMail:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "bot@example.test"
    msg["Subject"] = "invitation"
    msg["Message-ID"] = message_id
    msg.set_content("see the invitation")
    method = "CANCEL" if b"METHOD:CANCEL" in ics else "REQUEST"
    msg.add_alternative(ics, maintype="text", subtype="calendar", params={"method": method})
    return InboundMail(msg.as_bytes())


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [
        ("google_cancelled1.ics", "google_cancelled2.ics", MeetingStatus.CANCELLED),
        ("icloud_cancelled1.ics", "icloud_cancelled2.ics", MeetingStatus.CANCELLED),
        ("gcal_v1.ics", "gcal_v2.ics", MeetingStatus.SCHEDULED),
        ("self_sent_v1.ics", "self_sent_v2.ics", MeetingStatus.SCHEDULED),
    ],
)
def test_real_request_then_cancel_or_update(
    first: str,
    second: str,
    status: MeetingStatus,
    session_factory: sessionmaker[Session],
    corpus: Path,
) -> None:
    config = dataclasses.replace(_config(), people=PeopleSettings())
    folder = corpus.joinpath(*FIXTURES)
    outcomes = []
    for n, name in enumerate((first, second)):
        ics = invite_bot((folder / name).read_bytes(), "bot@example.test")
        organiser = _organiser(ics)
        mail = _mail_with(ics, organiser, f"<{n}-{name}@corpus.test>")
        found = classify(mail)
        with session_factory() as session, session.begin():
            ctx = ApplyContext(session, datetime(2015, 1, 1, tzinfo=UTC), config)
            outcomes.append((found.kind, apply(ctx, mail, found).outcome))
    assert outcomes[0] == ("itip_request", "applied")
    assert outcomes[1][1] == "applied"
    with session_factory() as session:
        meeting = session.scalars(select(Meeting)).one()
        assert meeting.status is status


def _organiser(ics: bytes) -> str:
    import icalendar

    event = next(iter(icalendar.Calendar.from_ical(ics).walk("VEVENT")))
    prop = event["ORGANIZER"]
    return str(prop.params.get("EMAIL") or prop).lower().removeprefix("mailto:")
