"""Meetings in, notices and invites out, end to end on the real mail stack and both databases.

Organisers mail the bot through SMTP; one poll takes the mail in; the plan job and the outbox
sender run at the times a stepping clock sets; attendees' mailboxes are read back over IMAP and
the invites parsed with icalendar.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.config.schema import (
    Config,
    PeopleSettings,
    Person,
)
from mailflow.dev.devstack import BOT, MailStack
from mailflow.tracker.models import Attendee, Meeting, MeetingStatus
from tests.conftest import SteppingClock, invite_bot, shanghai_config
from tests.integration.cycle import Cycle

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALICE, BOB, CAROL = "alice@example.test", "bob@example.test", "carol@example.test"
PEOPLE = (
    Person(ALICE, "Alice Wang", department="Ops", locale="en", timezone="Asia/Shanghai"),
    Person(
        BOB,
        "张伟",
        aliases=("zhangwei",),
        department="Ops",
        locale="zh_CN",
        timezone="Asia/Shanghai",
    ),
    Person(CAROL, "Carol Smith", department="Sales", locale="en", timezone="Europe/London"),
)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    return shanghai_config(app_config, PEOPLE, monkeypatch)


def _invite(msg: EmailMessage) -> icalendar.Calendar:
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert parts, "the notice carries a text/calendar part"
    assert parts[0].get_param("method") is not None
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = icalendar.Calendar.from_ical(payload)
    assert str(parts[0].get_param("method")).upper() == str(calendar["METHOD"]), (
        "the Content-Type method equals the VCALENDAR METHOD"
    )
    return calendar


def _event(calendar: icalendar.Calendar) -> icalendar.Event:
    [event] = [c for c in calendar.walk("VEVENT")]
    assert isinstance(event, icalendar.Event)
    return event


def _attendees(event: icalendar.Event) -> list[icalendar.vCalAddress]:
    # icalendar gives a single value for one ATTENDEE and a list for several.
    found = event.get("ATTENDEE", [])
    return list(found) if isinstance(found, list) else [found]


def _text(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _meeting_mail() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Alice Wang <{ALICE}>"
    msg["To"] = BOT
    msg["Subject"] = "会议通知：季度规划"
    msg["Message-ID"] = "<plan-q2@example.test>"
    msg.set_content(
        "时间：2025年3月12日 09:30\n"
        "时长：60分钟\n"
        "地点：3楼大会议室\n"
        f"参会人：{BOB}, {CAROL}\n"
        "记录人：张伟\n"
        "议程：\n"
        "1. 预算回顾 | Alice Wang | 20 | 确认二季度预算\n"
        "2. 招聘计划 | zhangwei | 30 | 决定招聘名额\n"
    )
    return msg


def test_meeting_mail_to_receipt_and_localised_notices_with_invites(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    mailstack.send(_meeting_mail(), ALICE, [BOT])
    cycle.run()

    [receipt] = cycle.inbox(ALICE)
    assert "季度规划" in str(receipt["Subject"])
    assert "预算回顾" in _text(receipt) and "3楼大会议室" in _text(receipt)
    assert cycle.inbox(BOB) == [] and cycle.inbox(CAROL) == [], "the notice is not due yet"

    clock.current = datetime(2025, 3, 11, 1, 0, tzinfo=UTC)  # Tuesday 09:00: 1 business day before
    cycle.run()
    cycle.run()  # planning and sending again sends nothing twice

    [to_bob] = cycle.inbox(BOB)
    [to_carol] = cycle.inbox(CAROL)
    assert str(to_bob["Subject"]).startswith("会议通知：季度规划")
    assert "2025年3月12日" in _text(to_bob) and "09:30" in _text(to_bob)
    assert str(to_carol["Subject"]).startswith("Meeting notice: 季度规划")
    # 09:30 in Shanghai is 01:30 in London in March (GMT), shown in Carol's own zone.
    assert "01:30" in _text(to_carol)
    for msg in (to_bob, to_carol):
        assert msg["Auto-Submitted"] == "auto-generated"
        assert str(msg["Reply-To"]).startswith("bot+m")
        assert msg["References"] == to_bob["References"], "one thread per meeting"
        event = _event(_invite(msg))
        assert str(event["ORGANIZER"]).lower() == f"mailto:{BOT}"
        attendees = {str(a).lower().removeprefix("mailto:"): a for a in _attendees(event)}
        assert set(attendees) == {ALICE, BOB, CAROL}
        # The organiser is in mailflow's invitation as its chair, already accepted, not asked.
        chair = attendees.pop(ALICE)
        assert (chair.params["ROLE"], chair.params["PARTSTAT"]) == ("CHAIR", "ACCEPTED")
        assert chair.params["RSVP"] == "FALSE"
        for attendee in attendees.values():
            assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
            assert attendee.params["RSVP"] == "TRUE"
        assert event.decoded("DTSTART") == datetime(2025, 3, 12, 1, 30, tzinfo=UTC)
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert int(event.decoded("SEQUENCE")) == 0
        assert [str(tz["TZID"]) for tz in _invite(msg).walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert _event(_invite(to_bob))["UID"] == _event(_invite(to_carol))["UID"]


def _organiser_request(sequence: int, start: datetime, attendees: list[str]) -> EmailMessage:
    """What Outlook sends when Alice invites the bot: a REQUEST, ORGANIZER Alice."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Test Outlook//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", "040000008200E00074C5B7101A82E008-alice-1")
    event.add("sequence", sequence)
    event.add("dtstamp", datetime(2025, 3, 1, tzinfo=UTC))
    event.add("dtstart", start)
    event.add("dtend", start.replace(hour=start.hour + 1))
    event.add("summary", "Roadmap review")
    event.add("location", "Room 5")
    event.add("organizer", f"mailto:{ALICE}", parameters={"CN": "Alice Wang"})
    for address in [BOT, *attendees]:
        event.add("attendee", f"mailto:{address}", parameters={"RSVP": "TRUE"})
    calendar.add_component(event)
    calendar.add_missing_timezones()
    msg = EmailMessage()
    msg["From"] = ALICE
    msg["To"] = BOT
    msg["Subject"] = "Roadmap review"
    msg["Message-ID"] = f"<req-{sequence}-{len(attendees)}@example.test>"
    msg.set_content("Please join.")
    msg.add_alternative(
        calendar.to_ical(), maintype="text", subtype="calendar", params={"method": "REQUEST"}
    )
    return msg


def test_calendar_invite_update_removal_and_cancel(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    # Inside the lead time: the meeting is tomorrow, so the notice goes at once.
    start = datetime(2025, 3, 11, 14, 0, tzinfo=SHANGHAI)
    mailstack.send(_organiser_request(0, start, [BOB, CAROL]), ALICE, [BOT])
    cycle.run()
    assert len(cycle.inbox(BOB)) == 1 and len(cycle.inbox(CAROL)) == 1
    first = _event(_invite(cycle.inbox(BOB)[0]))
    assert not str(first["UID"]).startswith("040000008200"), "mailflow's invite has its own UID"

    mailstack.send(_organiser_request(1, start.replace(hour=15), [BOB, CAROL]), ALICE, [BOT])
    cycle.run()
    update = cycle.inbox(BOB)[1]
    assert str(update["Subject"]).startswith("会议变更"), "Bob reads Chinese"
    updated = _event(_invite(update))
    assert updated["UID"] == first["UID"] and int(updated.decoded("SEQUENCE")) == 1
    assert updated.decoded("DTSTART") == datetime(2025, 3, 11, 7, 0, tzinfo=UTC)
    assert "15:00" in _text(update), "the update says the new time (15:00 in Shanghai)"
    assert update["In-Reply-To"] or update["References"]

    mailstack.send(_organiser_request(2, start.replace(hour=15), [BOB]), ALICE, [BOT])
    cycle.run()
    carol_cancel = cycle.inbox(CAROL)[-1]
    assert str(_invite(carol_cancel)["METHOD"]) == "CANCEL"
    assert [str(a).lower() for a in _attendees(_event(_invite(carol_cancel)))] == [
        f"mailto:{CAROL}"
    ]

    cancel = _organiser_request(3, start.replace(hour=15), [BOB])
    cancel.replace_header("Message-ID", "<cancel@example.test>")
    for part in cancel.walk():
        if part.get_content_type() == "text/calendar":
            body = part.get_payload(decode=True)
            assert isinstance(body, bytes)
            part.set_content(
                body.replace(b"METHOD:REQUEST", b"METHOD:CANCEL"),
                maintype="text",
                subtype="calendar",
                params={"method": "CANCEL"},
            )
    mailstack.send(cancel, ALICE, [BOT])
    cycle.run()
    bob_cancel = cycle.inbox(BOB)[-1]
    assert str(_invite(bob_cancel)["METHOD"]) == "CANCEL"
    assert str(_event(_invite(bob_cancel))["STATUS"]) == "CANCELLED"
    assert len(cycle.inbox(CAROL)) == 3, "Carol, already off the meeting, gets nothing more"
    with session_factory() as session:
        meeting = session.scalars(select(Meeting)).one()
        assert meeting.status is MeetingStatus.CANCELLED
        receipts = [m for m in cycle.inbox(ALICE)]
        assert len(receipts) == 4, "one receipt per organiser mail"


@pytest.mark.parametrize(
    "name",
    [
        "google_cancelled1.ics",
        "gcal_v1.ics",
        "windows_event.ics",
        "icloud_oneday_event.ics",
        "iphone_through_exchange.ics",
        "invite_w_rsvps1.ics",
    ],
)
def test_real_calendar_requests_are_taken_in(
    name: str,
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    corpus: Path,
) -> None:
    ics = (corpus / "itip-nylas" / "inbox" / "test" / "events" / "fixtures" / name).read_bytes()
    ics = invite_bot(ics, BOT)
    calendar = icalendar.Calendar.from_ical(ics)
    [event] = list(calendar.walk("VEVENT"))[:1]
    # iCloud routes through a proxy address and names the person in EMAIL (RFC 6638), and its
    # mail comes from the person's own address.
    prop = event["ORGANIZER"]
    organiser = str(prop.params.get("EMAIL") or prop).lower().removeprefix("mailto:")
    msg = EmailMessage()
    msg["From"] = organiser
    msg["To"] = BOT
    msg["Subject"] = str(event.get("SUMMARY", "invite"))
    msg["Message-ID"] = f"<{name}@corpus.test>"
    msg.set_content("invite")
    msg.add_alternative(ics, maintype="text", subtype="calendar", params={"method": "REQUEST"})
    open_config = dataclasses.replace(config, people=PeopleSettings())
    cycle = Cycle(open_config, mailstack, session_factory, clock)
    mailstack.append(BOT, msg.as_bytes())
    with ImapMailbox(config.imap, mailstack.password) as mailbox:
        mailbox.ensure_folders()
        result = cycle.pipeline.poll(mailbox)
    assert result.by_outcome == {"applied": 1}
    with session_factory() as session:
        meeting = session.scalars(select(Meeting)).one()
        assert meeting.uid == str(event["UID"])
        assert meeting.organiser_email == organiser
        emails = {a.email for a in session.scalars(select(Attendee))}
        assert BOT not in emails, "the bot does not invite itself"
