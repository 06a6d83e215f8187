"""Calendars as real clients send them, end to end on the real mail stack (issue 14).

Each organiser mail is written as its client writes it (``tests/data/calendar``: Thunderbird,
Outlook on Windows and Mac, Exchange, Google, Apple, 飞书); it goes in over SMTP, the inbound poll,
the planner and the outbox run at a stepping clock's time, and what each person received is read
back over IMAP. What an attendee's calendar would show is checked by replaying their mails into a
fresh calendar (``calendar_replay``), and every calendar part mailflow sent is parsed again by
icalendar and by vobject.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config, MeetingSettings, PeopleSettings, Person
from mailflow.dev.devstack import BOT, MailStack
from mailflow.domain.meeting_codec import from_json
from mailflow.tracker.models import Attendee, InboundMessage, Meeting, MeetingStatus, OutboxRow
from tests.conftest import SteppingClock, shanghai_config
from tests.integration.calendar_replay import calendar_parts, replay
from tests.integration.cycle import Cycle

DATA = Path(__file__).resolve().parents[1] / "data" / "calendar"
SHANGHAI = ZoneInfo("Asia/Shanghai")
ALICE, BOB, CAROL = "alice@example.test", "bob@example.test", "carol@example.test"
MALLORY = "mallory@example.test"
PEOPLE = (
    Person(ALICE, "Alice Wang", department="Ops", locale="en", timezone="Asia/Shanghai"),
    Person(BOB, "张伟", department="Ops", locale="zh_CN", timezone="Asia/Shanghai"),
    Person(CAROL, "Carol Smith", department="Sales", locale="en", timezone="Asia/Shanghai"),
    Person(MALLORY, "Mallory", department="Sales", locale="en", timezone="Asia/Shanghai"),
)
TB_UID = "7a3c1f0e-5b8d-4c2a-9e61-thunderbird-weekly"


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    return shanghai_config(app_config, PEOPLE, monkeypatch)


@pytest.fixture
def cycle(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> Cycle:
    clock.current = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
    return Cycle(config, mailstack, session_factory, clock)


def ics_text(name: str, **more: str) -> str:
    text = (DATA / name).read_text(encoding="utf-8")
    values = {"BOT": BOT, "ALICE": ALICE, "BOB": BOB, "CAROL": CAROL, "MALLORY": MALLORY, **more}
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def client_mail(
    ics: str, sender: str, *, subject: str, client: str = "outlook", method: str | None = None
) -> EmailMessage:
    """The mail around the calendar data, shaped as ``client`` sends it: Outlook puts the
    calendar in multipart/alternative; Thunderbird and Apple add an .ics attachment as well."""
    method = method or ics.split("METHOD:", 1)[1].split("\r\n", 1)[0]
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{abs(hash((ics, sender, subject)))}@{client}.example.test>"
    msg.set_content(f"{subject}\n")
    data = ics.encode("utf-8")
    msg.add_alternative(
        data, maintype="text", subtype="calendar", params={"method": method, "charset": "UTF-8"}
    )
    if client in ("thunderbird", "apple"):
        msg.add_attachment(data, maintype="application", subtype="ics", filename="invite.ics")
    return msg


def send(cycle: Cycle, msg: EmailMessage, sender: str) -> None:
    cycle.stack.send(msg, sender, [BOT])
    cycle.run()


def text_of(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def roundtrip(mails: list[EmailMessage]) -> int:
    """Every calendar part parses with icalendar and with vobject, UID and times readable."""
    checked = 0
    for msg in mails:
        for part in msg.walk():
            if part.get_content_type() not in ("text/calendar", "application/ics"):
                continue
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
            calendar = icalendar.Calendar.from_ical(data)
            events = list(calendar.walk("VEVENT"))
            assert events, "a calendar part with an event"
            parsed = vobject.readOne(data.decode("utf-8"))
            vevents = list(parsed.vevent_list)
            assert len(vevents) == len(events)
            for vevent, event in zip(vevents, events, strict=True):
                assert vevent.uid.value == str(event["UID"])
                if "DTSTART" in event:
                    assert vevent.dtstart.value == event.decoded("DTSTART")
                if "RRULE" in event:
                    assert next(iter(vevent.getrruleset(addRDate=True))) is not None
            checked += 1
    return checked


def meeting_of(sessions: sessionmaker[Session], uid: str) -> Meeting:
    with sessions() as session:
        meeting = session.scalars(select(Meeting).where(Meeting.uid == uid)).one()
        session.expunge(meeting)
        return meeting


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A time in Shanghai, as UTC."""
    return datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


WINDOW = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC))


def test_thunderbird_series_create_move_cancel_one_change_rule_cancel_all(
    cycle: Cycle, clock: SteppingClock, session_factory: sessionmaker[Session]
) -> None:
    series = ics_text("thunderbird-series.ics")
    send(
        cycle,
        client_mail(series, ALICE, subject="Invitation: Weekly sync", client="thunderbird"),
        ALICE,
    )
    [receipt] = cycle.inbox(ALICE)
    # mailflow answers the organiser's invitation in iTIP, so her calendar shows it accepted.
    [reply] = calendar_parts(receipt)
    assert str(reply["METHOD"]) == "REPLY"
    [answer] = list(reply.walk("VEVENT"))
    assert str(answer["UID"]) == TB_UID
    assert str(answer["ATTENDEE"]).lower() == f"mailto:{BOT}"
    assert answer["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert cycle.inbox(BOB) == [], "the first notice is due one business day ahead"

    clock.current = at(17, 9, 30)  # Monday 17 March, after the send hour
    cycle.run()
    weekly = [at(d, 10, month=m) for m, d in ((3, 18), (3, 25), (4, 1), (4, 8), (4, 15), (4, 22))]
    for person in (BOB, CAROL):
        [notice] = cycle.inbox(person)
        shown = replay(cycle.inbox(person)).occurrences(*WINDOW)
        assert [start for start, _, _ in shown] == weekly
    assert "2025年3月18日" in text_of(cycle.inbox(BOB)[0]), "the notice names the occurrence"

    # Alice moves 25 March to Wednesday 26 March 14:00 in Room 6 (Thunderbird: exception-major).
    clock.current = at(17, 11)
    send(
        cycle,
        client_mail(
            ics_text("thunderbird-move-one.ics"),
            ALICE,
            subject="Updated: Weekly sync",
            client="thunderbird",
        ),
        ALICE,
    )
    moved = [weekly[0], at(26, 14), *weekly[2:]]
    for person in (BOB, CAROL):
        mails = cycle.inbox(person)
        assert len(mails) == 2, "one mail for the change"
        shown = replay(mails).occurrences(*WINDOW)
        assert [start for start, _, _ in shown] == moved
        assert shown[1][2] == "Room 6" and shown[0][2] == "Room 5"
    update = cycle.inbox(CAROL)[-1]
    assert "26 Mar" in str(update["Subject"]), "the subject names the moved occurrence"
    assert "Room 6" in text_of(update) and "25 Mar" in text_of(update), "what changed: from, to"
    assert "3月26日" in str(cycle.inbox(BOB)[-1]["Subject"])

    # Alice cancels 1 April only.
    clock.current = at(17, 12)
    send(
        cycle,
        client_mail(
            ics_text("thunderbird-cancel-one.ics"),
            ALICE,
            subject="Cancelled: Weekly sync",
            client="thunderbird",
        ),
        ALICE,
    )
    without = [moved[0], moved[1], *moved[3:]]
    for person in (BOB, CAROL):
        mails = cycle.inbox(person)
        assert len(mails) == 3
        assert [s for s, _, _ in replay(mails).occurrences(*WINDOW)] == without
    assert "1 Apr" in text_of(cycle.inbox(CAROL)[-1])

    # Alice shortens the series to four meetings (the moved one and the cancelled one kept).
    clock.current = at(17, 13)
    send(
        cycle,
        client_mail(
            ics_text("thunderbird-rule-change.ics"),
            ALICE,
            subject="Updated: Weekly sync",
            client="thunderbird",
        ),
        ALICE,
    )
    shorter = [weekly[0], at(26, 14), weekly[3]]
    for person in (BOB, CAROL):
        mails = cycle.inbox(person)
        assert len(mails) == 4
        assert [s for s, _, _ in replay(mails).occurrences(*WINDOW)] == shorter
    assert "4 times" in text_of(cycle.inbox(CAROL)[-1]), "the new rule in words"

    # A week later the notice for the moved occurrence names its own day, once.
    clock.current = at(25, 9, 30)
    cycle.run()
    cycle.run()
    notice = cycle.inbox(CAROL)[-1]
    assert len(cycle.inbox(CAROL)) == 5
    assert "26 Mar" in str(notice["Subject"]) and "Room 6" in text_of(notice)

    # Alice cancels the whole series: Thunderbird's CANCEL has no DTSTART.
    send(
        cycle,
        client_mail(
            ics_text("thunderbird-cancel-all.ics"),
            ALICE,
            subject="Cancelled: Weekly sync",
            client="thunderbird",
        ),
        ALICE,
    )
    for person in (BOB, CAROL):
        mails = cycle.inbox(person)
        assert len(mails) == 6
        assert replay(mails).occurrences(*WINDOW) == []
    assert meeting_of(session_factory, TB_UID).status is MeetingStatus.CANCELLED
    receipts = cycle.inbox(ALICE)
    assert len(receipts) == 5, "one receipt per organiser mail"
    assert roundtrip(cycle.inbox(BOB) + cycle.inbox(CAROL) + receipts) >= 12


def test_outlook_windows_zone_teams_link_and_mac_cancel_with_the_same_sequence(
    cycle: Cycle, clock: SteppingClock, session_factory: sessionmaker[Session]
) -> None:
    send(cycle, client_mail(ics_text("outlook-windows-zone.ics"), ALICE, subject="预算评审"), ALICE)
    uid = "040000008200E00074C5B7101A82E00800000000D0A1B2C3D4E5F6010000000000000000100000001"
    meeting = meeting_of(session_factory, uid)
    assert meeting.tzid == "Asia/Shanghai"
    assert meeting.starts_at == at(12, 15)
    assert (meeting.online_url or "").startswith("https://teams.microsoft.com/l/meetup-join/")
    assert meeting.location is None, "“Microsoft Teams 会议” is no room"
    clock.current = at(11, 9, 30)
    cycle.run()
    [notice] = cycle.inbox(BOB)
    assert "https://teams.microsoft.com/l/meetup-join/" in text_of(notice)

    # Outlook for Mac cancels with the same SEQUENCE and DTSTAMP: it still cancels.
    send(
        cycle,
        client_mail(ics_text("outlook-mac-cancel.ics"), ALICE, subject="已取消: 预算评审"),
        ALICE,
    )
    assert meeting_of(session_factory, uid).status is MeetingStatus.CANCELLED
    cancel = cycle.inbox(BOB)[-1]
    [calendar] = calendar_parts(cancel)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert replay(cycle.inbox(BOB)).occurrences(*WINDOW) == []
    assert roundtrip([*cycle.inbox(BOB), *cycle.inbox(ALICE)]) >= 3


def test_outlook_moves_one_occurrence_with_the_exception_alone(
    cycle: Cycle, clock: SteppingClock, session_factory: sessionmaker[Session]
) -> None:
    send(cycle, client_mail(ics_text("outlook-series.ics"), ALICE, subject="项目例会"), ALICE)
    clock.current = at(12, 9, 30)
    cycle.run()
    assert len(cycle.inbox(BOB)) == 1
    send(
        cycle,
        client_mail(ics_text("outlook-exception-alone.ics"), ALICE, subject="项目例会"),
        ALICE,
    )
    mails = cycle.inbox(BOB)
    assert len(mails) == 2, "one update for the moved occurrence"
    starts = [s for s, _, _ in replay(mails).occurrences(*WINDOW)]
    weeks = ((3, 13), (3, 20), (3, 27), (4, 3), (4, 10), (4, 17), (4, 24))  # UNTIL is inclusive
    thursdays = [at(d, 9, month=m) for m, d in weeks]
    assert starts == sorted([thursdays[0], at(21, 16), *thursdays[2:]])
    assert "3月21日" in str(mails[-1]["Subject"])
    spec = from_json(
        meeting_of(
            session_factory,
            "040000008200E00074C5B7101A82E00800000000F1E2D3C4B5A69788000000000000000010000000A",
        ).spec
    )
    [override] = spec.overrides
    assert override.recurrence_id == at(20, 9) and override.start == at(21, 16)


def test_a_zone_with_old_summer_time_rules_is_read_as_the_nearest_real_zone(
    cycle: Cycle, session_factory: sessionmaker[Session]
) -> None:
    cycle.clock.current = datetime(2025, 2, 10, 15, 0, tzinfo=UTC)
    send(
        cycle, client_mail(ics_text("outlook-custom-zone.ics"), ALICE, subject="NY standup"), ALICE
    )
    uid = "040000008200E00074C5B7101A82E00800000000AABBCCDDEEFF0011000000000000000010000000C"
    meeting = meeting_of(session_factory, uid)
    assert meeting.tzid == "America/New_York", "not UTC: the series follows New York's clocks"
    assert meeting.starts_at == datetime(2025, 2, 26, 14, 0, tzinfo=UTC)
    [receipt] = cycle.inbox(ALICE)
    assert "summer-time dates" in text_of(receipt), "the organiser is told what was assumed"


def test_google_series_with_its_exception_meet_link_and_the_organisers_own_answer(
    cycle: Cycle, clock: SteppingClock, session_factory: sessionmaker[Session]
) -> None:
    ics = ics_text("google-series-exception.ics")
    send(cycle, client_mail(ics, ALICE, subject="Invitation: Daily stand-up"), ALICE)
    spec = from_json(meeting_of(session_factory, "5o3j9m2l0k8h7g6f5e4d3c2b1a@google.com").spec)
    assert spec.online_url == "https://meet.google.com/abc-defg-hij"
    [override] = spec.overrides
    assert override.start == at(13, 17) and override.title == "Daily stand-up (late)"
    cycle.run()
    [notice] = cycle.inbox(BOB)  # 11 March is inside the lead time
    [calendar] = calendar_parts(notice)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2, "the master and the moved occurrence"
    attendees = {str(a).lower(): a for a in events[0].get("ATTENDEE")}
    assert attendees[f"mailto:{ALICE}"].params["PARTSTAT"] == "ACCEPTED", "her own answer kept"
    shown = replay([notice]).occurrences(*WINDOW)
    assert [(s, t) for s, t, _ in shown][2] == (at(13, 17), "Daily stand-up (late)")
    assert "https://meet.google.com/abc-defg-hij" in text_of(notice)


def test_a_join_link_only_in_the_description_is_found(
    cycle: Cycle, session_factory: sessionmaker[Session]
) -> None:
    send(
        cycle,
        client_mail(ics_text("feishu-description-link.ics"), ALICE, subject="季度复盘"),
        ALICE,
    )
    meeting = meeting_of(session_factory, "feishu-7438213391023@larksuite.com")
    assert meeting.online_url == "https://vc.feishu.cn/j/123456789"


def test_publish_is_information_and_machines_get_no_answer(
    cycle: Cycle, session_factory: sessionmaker[Session]
) -> None:
    shop = "noreply@shop.example.net"
    send(cycle, client_mail(ics_text("shop-publish.ics"), shop, subject="Your booking"), shop)
    person = ics_text("shop-publish.ics").replace("noreply@shop.example.net", CAROL)
    send(cycle, client_mail(person, CAROL, subject="Dinner", client="apple"), CAROL)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == 0
        rows = session.scalars(select(OutboxRow)).all()
        assert not [r for r in rows if shop in r.recipients], "no mail to a machine"
    [told] = cycle.inbox(CAROL)
    assert "PUBLISH" in text_of(told) and BOT in text_of(told)


def test_an_invitation_without_mailflow_among_its_attendees_is_refused_with_the_fix(
    cycle: Cycle, session_factory: sessionmaker[Session], config: Config
) -> None:
    open_cycle = Cycle(
        dataclasses.replace(config, people=PeopleSettings()),
        cycle.stack,
        session_factory,
        cycle.clock,
    )
    ics = ics_text("feishu-description-link.ics").replace(
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{BOT}\r\n", ""
    )
    send(open_cycle, client_mail(ics, ALICE, subject="季度复盘"), ALICE)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == 0
    [receipt] = cycle.inbox(ALICE)
    assert f"add {BOT} as an attendee" in text_of(receipt)
    assert calendar_parts(receipt) == [], "mailflow was not invited: no answer to a calendar"


def _notice_event(cycle: Cycle, person: str) -> icalendar.Event:
    [calendar] = calendar_parts(cycle.inbox(person)[0])
    event = next(iter(calendar.walk("VEVENT")))
    assert isinstance(event, icalendar.Event)
    return event


def _reply_values(event: icalendar.Event) -> dict[str, str]:
    start, end = event["DTSTART"], event["DTEND"]
    assert isinstance(start, icalendar.vDDDTypes) and isinstance(end, icalendar.vDDDTypes)
    return {
        "UID": str(event["UID"]),
        "DTSTART": start.to_ical().decode(),
        "DTEND": end.to_ical().decode(),
        "SEQUENCE": str(int(event.decoded("SEQUENCE"))),
        "SUMMARY": str(event["SUMMARY"]),
    }


def _partstat(sessions: sessionmaker[Session], email: str) -> tuple[str, str | None]:
    with sessions() as session:
        row = session.scalars(
            select(Attendee).where(Attendee.email == email, Attendee.recurrence_id == "")
        ).one()
        return str(row.partstat), row.comment


def test_apple_answers_with_a_note_or_without_attendee_and_aliases_and_fast_clocks(
    cycle: Cycle, clock: SteppingClock, session_factory: sessionmaker[Session], config: Config
) -> None:
    send(
        cycle,
        client_mail(
            ics_text("outlook-windows-zone.ics").replace(
                f"mailto:{BOB}", f"mailto:{BOB}\r\nATTENDEE;RSVP=TRUE:mailto:{CAROL}"
            ),
            ALICE,
            subject="预算评审",
        ),
        ALICE,
    )
    clock.current = at(11, 9, 30)
    cycle.run()
    values = _reply_values(_notice_event(cycle, BOB))

    # iOS: declined with a note, in X-CALENDARSERVER-PRIVATE-COMMENT.
    send(
        cycle,
        client_mail(
            ics_text("apple-reply-comment.ics", **values),
            BOB,
            subject="Declined: 预算评审",
            client="apple",
        ),
        BOB,
    )
    assert _partstat(session_factory, BOB) == ("DECLINED", "那天在深圳出差，请把材料发我")
    forwarded = cycle.inbox(ALICE)[-1]
    assert "那天在深圳出差" in text_of(forwarded) and "张伟" in text_of(forwarded)
    assert len(cycle.inbox(BOB)) == 1, "a calendar answer recorded is not answered"

    # iOS: a note without ATTENDEE: not quarantined, nothing recorded, Carol told how to answer.
    send(
        cycle,
        client_mail(
            ics_text("apple-reply-no-attendee.ics", **values),
            CAROL,
            subject="预算评审",
            client="apple",
        ),
        CAROL,
    )
    assert _partstat(session_factory, CAROL)[0] == "NEEDS-ACTION"
    assert "does not say whether you attend" in text_of(cycle.inbox(CAROL)[-1])
    with session_factory() as session:
        outcomes = [r.outcome for r in session.scalars(select(InboundMessage))]
    assert "refused" not in outcomes and "quarantined" not in outcomes

    # A DTSTAMP in 2099 does not freeze Carol's answers: her later text "Decline" counts.
    future = (
        ics_text("apple-reply-comment.ics", **values)
        .replace(f"mailto:{BOB}", f"mailto:{CAROL}")
        .replace(f"EMAIL={BOB}", f"EMAIL={CAROL}")
        .replace("PARTSTAT=DECLINED", "PARTSTAT=ACCEPTED")
        .replace("DTSTAMP:20250311T010203Z", "DTSTAMP:20991231T000000Z")
    )
    send(cycle, client_mail(future, CAROL, subject="Accepted", client="apple"), CAROL)
    assert _partstat(session_factory, CAROL)[0] == "ACCEPTED"
    clock.advance(minutes=5)
    notice = cycle.inbox(CAROL)[0]
    reply = EmailMessage()
    reply["From"], reply["To"] = CAROL, str(notice["Reply-To"] or BOT)
    reply["Subject"] = "Re: " + str(notice["Subject"])
    reply["In-Reply-To"] = notice["Message-ID"]
    reply["Message-ID"] = "<carol-declines@example.test>"
    reply.set_content("Decline, sorry\n")
    send(cycle, reply, CAROL)
    assert _partstat(session_factory, CAROL)[0] == "DECLINED"


def test_an_answer_from_an_alias_domain_is_the_persons(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    aliased = dataclasses.replace(
        config,
        mail=dataclasses.replace(config.mail, alias_domains=(("example.cn", "example.test"),)),
    )
    cycle = Cycle(aliased, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    send(cycle, client_mail(ics_text("outlook-windows-zone.ics"), ALICE, subject="预算评审"), ALICE)
    clock.current = at(11, 9, 30)
    cycle.run()
    values = _reply_values(_notice_event(cycle, BOB))
    other = "bob@example.cn"
    ics = (
        ics_text("apple-reply-comment.ics", **values)
        .replace(f"mailto:{BOB}", f"mailto:{other}")
        .replace(f"EMAIL={BOB}", f"EMAIL={other}")
    )
    msg = client_mail(ics, other, subject="Declined", client="apple")
    mailstack.send(msg, other, [BOT])
    cycle.run()
    assert _partstat(session_factory, BOB)[0] == "DECLINED"


def test_refresh_sends_the_invitation_again_and_declinecounter_is_recorded(
    cycle: Cycle, clock: SteppingClock, session_factory: sessionmaker[Session]
) -> None:
    send(cycle, client_mail(ics_text("outlook-windows-zone.ics"), ALICE, subject="预算评审"), ALICE)
    clock.current = at(11, 9, 30)
    cycle.run()
    uid = str(_notice_event(cycle, BOB)["UID"])
    refresh = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Client//EN\r\nMETHOD:REFRESH\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250311T020000Z\r\nORGANIZER:mailto:{BOT}\r\n"
        f"ATTENDEE:mailto:{BOB}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    send(cycle, client_mail(refresh, BOB, subject="Refresh"), BOB)
    assert len(cycle.inbox(BOB)) == 2
    assert str(calendar_parts(cycle.inbox(BOB)[-1])[0]["METHOD"]) == "REQUEST"
    decline = refresh.replace("METHOD:REFRESH", "METHOD:DECLINECOUNTER")
    send(cycle, client_mail(decline, ALICE, subject="Declined proposal"), ALICE)
    with session_factory() as session:
        records = list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))
    assert records[-1].kind == "itip_counter" and records[-1].outcome == "ignored"


# -- who may change or cancel a meeting ---------------------------------------------------------


def test_an_attendee_cannot_cancel_or_take_over_and_the_organiser_hears_of_it(
    cycle: Cycle, clock: SteppingClock, session_factory: sessionmaker[Session]
) -> None:
    ics = ics_text("outlook-windows-zone.ics")
    uid = "040000008200E00074C5B7101A82E00800000000D0A1B2C3D4E5F6010000000000000000100000001"
    send(cycle, client_mail(ics, ALICE, subject="预算评审"), ALICE)
    clock.current = at(11, 9, 30)
    cycle.run()
    own_uid = str(_notice_event(cycle, BOB)["UID"])

    # Bob cancels "his" event: the UID of mailflow's invitation, ORGANIZER himself.
    cancel = (
        ics_text("outlook-mac-cancel.ics")
        .replace(uid, own_uid)
        .replace(f"ORGANIZER;CN=Alice Wang:mailto:{ALICE}", f"ORGANIZER:mailto:{BOB}")
    )
    send(cycle, client_mail(cancel, BOB, subject="Cancelled"), BOB)
    # Bob learns the organiser's UID and sends a newer version naming himself organiser.
    takeover = (
        ics.replace("SEQUENCE:0", "SEQUENCE:5")
        .replace(f"ORGANIZER;CN=Alice Wang:mailto:{ALICE}", f"ORGANIZER:mailto:{BOB}")
        .replace("20250312T150000", "20250313T200000")
    )
    send(cycle, client_mail(takeover, BOB, subject="Moved"), BOB)
    # And cancels the organiser's UID as himself.
    cancel_theirs = (
        ics_text("outlook-mac-cancel.ics")
        .replace(f"ORGANIZER;CN=Alice Wang:mailto:{ALICE}", f"ORGANIZER:mailto:{BOB}")
        .replace("SEQUENCE:0", "SEQUENCE:9")
    )
    send(cycle, client_mail(cancel_theirs, BOB, subject="Cancelled"), BOB)

    meeting = meeting_of(session_factory, uid)
    assert meeting.status is MeetingStatus.SCHEDULED and meeting.starts_at == at(12, 15)
    assert meeting.organiser_email == ALICE
    refused = [m for m in cycle.inbox(BOB)[1:]]
    assert len(refused) == 3 and all(
        "only they can" in text_of(m) or "mailflow's own invitation" in text_of(m) for m in refused
    )
    warnings = [m for m in cycle.inbox(ALICE) if "Refused" in str(m["Subject"])]
    assert len(warnings) == 3 and BOB in text_of(warnings[0])
    shown = replay(cycle.inbox(BOB)).occurrences(*WINDOW)
    assert [start for start, _, _ in shown] == [at(12, 15)], "Bob's calendar is unchanged too"


def test_a_stranger_cannot_take_over_even_without_a_people_directory(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(
        dataclasses.replace(config, people=PeopleSettings()), mailstack, session_factory, clock
    )
    clock.current = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    ics = ics_text("outlook-windows-zone.ics")
    send(cycle, client_mail(ics, ALICE, subject="预算评审"), ALICE)
    stranger = "eve@elsewhere.example"
    takeover = (
        ics.replace("SEQUENCE:0", "SEQUENCE:1")
        .replace(f"ORGANIZER;CN=Alice Wang:mailto:{ALICE}", f"ORGANIZER:mailto:{stranger}")
        .replace("预算评审", "Free lunch")
    )
    send(cycle, client_mail(takeover, stranger, subject="Free lunch"), stranger)
    uid = "040000008200E00074C5B7101A82E00800000000D0A1B2C3D4E5F6010000000000000000100000001"
    meeting = meeting_of(session_factory, uid)
    assert meeting.title == "预算评审" and meeting.organiser_email == ALICE
    assert any("Refused" in str(m["Subject"]) for m in cycle.inbox(ALICE))


def test_a_recurrence_bomb_is_refused_and_queues_nothing(
    cycle: Cycle, session_factory: sessionmaker[Session]
) -> None:
    bomb = ics_text("thunderbird-series.ics").replace(
        "RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU",
        "RRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,5,10,15,20,25,30,35,40,45,50,55;BYSECOND=0,10,20,30,40,50",
    )
    send(cycle, client_mail(bomb, ALICE, subject="Invitation", client="thunderbird"), ALICE)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == 0
        notices = session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.kind == "notice")
        )
        assert notices == 0
    [receipt] = cycle.inbox(ALICE)
    assert "at most 1 a day" in text_of(receipt)
    [reply] = calendar_parts(receipt)
    [event] = list(reply.walk("VEVENT"))
    assert event["ATTENDEE"].params["PARTSTAT"] == "DECLINED" and "at most 1 a day" in str(
        event["COMMENT"]
    )


def test_notices_beyond_the_per_pass_cap_wait_for_the_next_pass(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    capped = dataclasses.replace(config, meetings=MeetingSettings(max_notices_per_pass=1))
    cycle = Cycle(capped, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    with_carol = ics_text("outlook-windows-zone.ics").replace(
        f"mailto:{BOB}", f"mailto:{BOB}\r\nATTENDEE;RSVP=TRUE:mailto:{CAROL}"
    )
    send(cycle, client_mail(with_carol, ALICE, subject="预算评审"), ALICE)
    clock.current = at(11, 9, 30)
    cycle.run()
    first = len(cycle.inbox(BOB)) + len(cycle.inbox(CAROL))
    cycle.run()
    assert first == 1 and len(cycle.inbox(BOB)) + len(cycle.inbox(CAROL)) == 2
    clock.advance(hours=1)
    cycle.run()
    assert len(cycle.inbox(BOB)) + len(cycle.inbox(CAROL)) == 2, "nothing twice"


def test_a_meeting_mails_organiser_gets_the_invitation_as_its_chair(
    cycle: Cycle, clock: SteppingClock
) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"] = ALICE, BOT
    msg["Subject"] = "MEETING: Design review"
    msg["Message-ID"] = "<meeting-mail@example.test>"
    msg.set_content("Time: 2025-03-12 10:00-11:00\nPlace: Room 5\nAttendees: bob@example.test\n")
    send(cycle, msg, ALICE)
    clock.current = at(11, 9, 30)
    cycle.run()
    notices = [m for m in cycle.inbox(ALICE) if calendar_parts(m)]
    assert len(notices) == 1
    event = next(iter(calendar_parts(notices[0])[0].walk("VEVENT")))
    chair = next(a for a in event.get("ATTENDEE") if str(a).lower() == f"mailto:{ALICE}")
    assert (chair.params["ROLE"], chair.params["PARTSTAT"], chair.params["RSVP"]) == (
        "CHAIR",
        "ACCEPTED",
        "FALSE",
    )


def test_every_sent_calendar_part_reads_in_two_parsers(cycle: Cycle, clock: SteppingClock) -> None:
    for name in (
        "thunderbird-series.ics",
        "google-series-exception.ics",
        "outlook-windows-zone.ics",
    ):
        send(cycle, client_mail(ics_text(name), ALICE, subject=name), ALICE)
    clock.current = at(17, 9, 30)
    cycle.run()
    mails = [*cycle.inbox(ALICE), *cycle.inbox(BOB), *cycle.inbox(CAROL)]
    assert roundtrip(mails) >= 6


def test_a_request_stamped_2099_does_not_freeze_the_meeting(
    cycle: Cycle, clock: SteppingClock, session_factory: sessionmaker[Session]
) -> None:
    ics = ics_text("outlook-windows-zone.ics")
    send(
        cycle,
        client_mail(
            ics.replace("DTSTAMP:20250310T015500Z", "DTSTAMP:20991231T000000Z"),
            ALICE,
            subject="预算评审",
        ),
        ALICE,
    )
    clock.current = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)
    moved = ics.replace("DTSTAMP:20250310T015500Z", "DTSTAMP:20250310T035900Z")
    moved = moved.replace("LOCATION;LANGUAGE=zh-CN:Microsoft Teams 会议", "LOCATION:3楼301会议室")
    send(cycle, client_mail(moved, ALICE, subject="预算评审"), ALICE)
    uid = "040000008200E00074C5B7101A82E00800000000D0A1B2C3D4E5F6010000000000000000100000001"
    assert meeting_of(session_factory, uid).location == "3楼301会议室"
