"""iTIP intake: the real client files of the itip-nylas corpus, plus hand-written Outlook cases."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.calendar.itip import ItipMessage, parse_calendar, parse_itip
from mailflow.inbound.understanding.classifiers.itip import classify

CORPUS = Path(__file__).parents[3] / "shared" / "corpus" / "itip-nylas" / "inbox" / "test"
FIXTURES = CORPUS / "events" / "fixtures"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared corpus is not on this machine ({CORPUS})"
)

# Every corpus file with the METHOD it must be read as; all of them must parse without a
# "could not be parsed" problem.
CORPUS_METHODS = {
    "bogus_sequence_number.ics": "REQUEST",
    "event_with_no_participants.ics": "REQUEST",
    "event_without_sequence.ics": "REQUEST",
    "gcal_recur.ics": "REQUEST",
    "gcal_v1.ics": "REQUEST",
    "gcal_v2.ics": "REQUEST",
    "google_cancelled1.ics": "REQUEST",
    "google_cancelled2.ics": "CANCEL",
    "icloud_cancelled1.ics": "REQUEST",
    "icloud_cancelled2.ics": "CANCEL",
    "icloud_oneday_event.ics": "REQUEST",
    "invalid_rsvp.ics": "REPLY",
    "invalid_rsvp2.ics": "REPLY",
    "invite_w_rsvps1.ics": "REQUEST",
    "invite_w_rsvps2.ics": "REPLY",
    "invite_w_rsvps3.ics": "REPLY",
    "invite_w_rsvps_4.ics": "REPLY",
    "iphone_through_exchange.ics": "REQUEST",
    "meetup_infinite.ics": "PUBLISH",
    "multiple_events.ics": "REQUEST",
    "multiple_summaries.ics": "REQUEST",
    "self_sent_v1.ics": "REQUEST",
    "self_sent_v2.ics": "REQUEST",
    "windows_event.ics": "REQUEST",
}


def _corpus(name: str) -> ItipMessage:
    return parse_calendar((FIXTURES / name).read_bytes())


@needs_corpus
def test_every_corpus_file_is_read() -> None:
    files = sorted(p.name for p in FIXTURES.glob("*.ics"))
    assert files == sorted(CORPUS_METHODS), "the corpus changed: update CORPUS_METHODS"
    handled = 0
    for name in files:
        result = _corpus(name)
        parsed = not any("could not be parsed" in p for p in result.problems)
        items = len(result.requests) + len(result.replies)
        handled += result.method == CORPUS_METHODS[name] and parsed and items > 0
    assert handled == len(files)


@needs_corpus
@pytest.mark.parametrize(
    ("name", "uid", "attendee", "partstat"),
    [
        ("invite_w_rsvps2.ics", "cccc@nylas.com", "test1@example.com", "TENTATIVE"),
        ("invite_w_rsvps3.ics", "cccc@nylas.com", "karim@example.com", "ACCEPTED"),
        ("invite_w_rsvps_4.ics", "cccc@nylas.com", "karim@example.com", "DECLINED"),
        ("invalid_rsvp.ics", "234252$cccc@nylas.com", "karim@example.com", "DECLINED"),
        ("invalid_rsvp2.ics", "234252cccc@google.com", "karim@example.com", "DECLINED"),
    ],
)
def test_google_replies_give_uid_attendee_and_partstat(
    name: str, uid: str, attendee: str, partstat: str
) -> None:
    result = _corpus(name)
    assert result.method == "REPLY"
    assert [(r.uid, r.attendee, r.partstat) for r in result.replies] == [(uid, attendee, partstat)]
    assert result.replies[0].recurrence_id is None
    assert result.replies[0].dtstamp is not None and result.replies[0].dtstamp.tzinfo is not None


@needs_corpus
@pytest.mark.parametrize(
    ("name", "start_utc", "tzid", "status", "sequence"),
    [
        # Exchange's "Romance Standard Time" with its own VTIMEZONE: Europe/Paris, not UTC.
        (
            "windows_event.ics",
            datetime(2015, 2, 20, 8, 30, tzinfo=UTC),
            "Europe/Paris",
            "CONFIRMED",
            4,
        ),
        (
            "invite_w_rsvps1.ics",
            datetime(2015, 4, 1, 14, 0, tzinfo=UTC),
            "Europe/Paris",
            "CONFIRMED",
            0,
        ),
        (
            "gcal_recur.ics",
            datetime(2015, 1, 12, 21, 30, tzinfo=UTC),
            "America/Los_Angeles",
            "CONFIRMED",
            0,
        ),
        ("gcal_v1.ics", datetime(2015, 3, 19, 23, 30, tzinfo=UTC), "UTC", "CONFIRMED", 0),
        ("google_cancelled2.ics", datetime(2015, 4, 1, 14, 0, tzinfo=UTC), "UTC", "CANCELLED", 1),
        (
            "icloud_cancelled2.ics",
            datetime(2015, 3, 31, 2, 30, tzinfo=UTC),
            "Europe/Paris",
            "CANCELLED",
            1,
        ),
        (
            "iphone_through_exchange.ics",
            datetime(2014, 12, 27, 15, 0, tzinfo=UTC),
            "Europe/Paris",
            "CONFIRMED",
            0,
        ),
        ("event_without_sequence.ics", datetime(2015, 3, 16, tzinfo=UTC), "UTC", "CONFIRMED", 0),
    ],
)
def test_requests_and_cancels_in_the_right_zone(
    name: str, start_utc: datetime, tzid: str, status: str, sequence: int
) -> None:
    (spec,) = _corpus(name).requests
    assert spec.start == start_utc
    assert spec.tzid == tzid
    assert getattr(spec.start.tzinfo, "key", None) == tzid
    assert spec.status == status
    assert spec.sequence == sequence


@needs_corpus
def test_windows_event_keeps_the_wall_time() -> None:
    (spec,) = _corpus("windows_event.ics").requests
    assert (spec.start.hour, spec.start.minute, spec.end.hour) == (9, 30, 10)
    assert spec.organiser.email == "inbox.apptest2@inboxapp.onmicrosoft.com"  # written MAILTO:
    assert spec.title == "Pommes"


@needs_corpus
def test_icloud_all_day_event_and_organiser_email_parameter() -> None:
    (spec,) = _corpus("icloud_oneday_event.ics").requests
    # The value is an imip.me.com routing address; the EMAIL parameter is the person.
    assert spec.organiser.email == "benbitdiddle@icloud.com"
    assert spec.extra["all_day"] == "true"
    assert (spec.end - spec.start).days == 1
    assert [a.email for a in spec.attendees] == ["karim@nilas.com", "benbitdiddle@icloud.com"]


@needs_corpus
def test_series_keeps_rrule_as_text() -> None:
    (spec,) = _corpus("gcal_recur.ics").requests
    assert spec.rrule == "FREQ=WEEKLY;WKST=SU"
    (spec,) = parse_calendar((CORPUS / "data" / "invite.ics").read_bytes()).requests
    assert spec.rrule == "FREQ=WEEKLY;UNTIL=20140928;BYDAY=SU,WE,SA"


@needs_corpus
def test_bogus_and_missing_sequence() -> None:
    result = _corpus("bogus_sequence_number.ics")
    assert result.requests[0].sequence == 2**31 - 1
    assert any("SEQUENCE 1407317367304" in p for p in result.problems)
    assert _corpus("event_without_sequence.ics").requests[0].sequence == 0


@needs_corpus
def test_publish_with_uid_outside_the_event_and_no_end() -> None:
    result = _corpus("meetup_infinite.ics")
    (spec,) = result.requests
    assert spec.uid == "nih2h78am1cb1uqetgfkslrfrc@meetup.com"
    assert spec.end == spec.start
    assert spec.title.startswith("Bay Area Video Game")  # the first of two SUMMARY lines


@needs_corpus
def test_full_mime_invite_is_an_itip_request() -> None:
    mail = InboundMail((CORPUS / "data" / "raw_message_with_ical_invite.txt").read_bytes())
    found = classify(mail)
    assert found is not None and found.kind == "itip_request"
    result = parse_itip(mail.message)
    assert result is not None and result.method == "REQUEST" and len(result.requests) == 1


@needs_corpus
@pytest.mark.parametrize(
    "name", ["raw_message_with_outlook_emoji.txt", "raw_message_with_outlook_emoji_inline.txt"]
)
def test_mail_without_calendar_is_not_itip(name: str) -> None:
    assert classify(InboundMail((CORPUS / "data" / name).read_bytes())) is None


def _ics(*lines: str, timezone: str = "") -> bytes:
    body = "\r\n".join(lines)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{timezone}{body}\r\nEND:VCALENDAR\r\n".encode()


CHINA_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:China Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
    "TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)
OUTLOOK_REPLY = _ics(
    "METHOD:REPLY",
    "PRODID:Microsoft Exchange Server 2010",
    "BEGIN:VEVENT",
    "ATTENDEE;PARTSTAT=ACCEPTED;CN=Li Na:MAILTO:Li.Na@Example.com",
    "COMMENT;LANGUAGE=zh-CN:我会准时参加",
    "UID:040000008200E00074C5B7101A82E00800000000",
    "RECURRENCE-ID;TZID=China Standard Time:20250317T093000",
    "SEQUENCE:2",
    "DTSTART;TZID=China Standard Time:20250317T093000",
    "DTEND;TZID=China Standard Time:20250317T103000",
    "DTSTAMP:20250310T020000Z",
    "END:VEVENT",
    timezone=CHINA_VTIMEZONE,
)


def test_outlook_reply_without_organiser_for_one_occurrence() -> None:
    result = parse_calendar(OUTLOOK_REPLY)
    (reply,) = result.replies
    assert reply.uid == "040000008200E00074C5B7101A82E00800000000"
    assert reply.attendee == "li.na@example.com"
    assert reply.attendee_name == "Li Na"
    assert reply.partstat == "ACCEPTED"
    assert reply.comment == "我会准时参加"
    assert reply.sequence == 2
    # 09:30 China Standard Time is 01:30 UTC: the TZID is never read as UTC.
    assert reply.recurrence_id == datetime(2025, 3, 17, 1, 30, tzinfo=UTC)
    assert getattr(reply.recurrence_id.tzinfo, "key", None) == "Asia/Shanghai"
    assert result.problems == []


def test_counter_proposes_a_new_time() -> None:
    data = _ics(
        "METHOD:COUNTER",
        "BEGIN:VEVENT",
        "ORGANIZER:mailto:meetings@example.com",
        "ATTENDEE;PARTSTAT=TENTATIVE:mailto:bob@example.com",
        "UID:abc-123",
        "DTSTART;TZID=W. Europe Standard Time:20250318T140000",
        "DTEND;TZID=W. Europe Standard Time:20250318T150000",
        "COMMENT:Tuesday afternoon works better",
        "END:VEVENT",
    )
    (counter,) = parse_calendar(data, sender="bob@example.com").counters
    assert counter.uid == "abc-123"
    assert counter.attendee == "bob@example.com"
    assert counter.tzid == "Europe/Berlin"
    assert counter.start == datetime(2025, 3, 18, 13, 0, tzinfo=UTC)
    assert counter.end == datetime(2025, 3, 18, 14, 0, tzinfo=UTC)
    assert counter.comment == "Tuesday afternoon works better"


def test_request_with_overridden_occurrence_and_exdates() -> None:
    data = _ics(
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:series-1",
        "ORGANIZER;CN=王芳:mailto:wang.fang@example.com",
        "ATTENDEE;ROLE=OPT-PARTICIPANT;RSVP=TRUE:mailto:bob@example.com",
        "DTSTART;TZID=Asia/Shanghai:20250310T093000",
        "DTEND;TZID=Asia/Shanghai:20250310T103000",
        "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10",
        "EXDATE;TZID=Asia/Shanghai:20250324T093000,20250331T093000",
        "SUMMARY:周会",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:series-1",
        "ORGANIZER:mailto:wang.fang@example.com",
        "RECURRENCE-ID;TZID=Asia/Shanghai:20250317T093000",
        "DTSTART;TZID=Asia/Shanghai:20250318T093000",
        "DTEND;TZID=Asia/Shanghai:20250318T103000",
        "SUMMARY:周会（改期）",
        "STATUS:CANCELLED",
        "END:VEVENT",
    )
    series, moved = parse_calendar(data).requests
    # icalendar writes the rule's parts in its own order: compare them, not the string.
    assert set((series.rrule or "").split(";")) == {"FREQ=WEEKLY", "BYDAY=MO", "COUNT=10"}
    shanghai = ZoneInfo("Asia/Shanghai")
    assert series.exdates == (
        datetime(2025, 3, 24, 9, 30, tzinfo=shanghai),
        datetime(2025, 3, 31, 9, 30, tzinfo=shanghai),
    )
    assert series.attendees[0].role == "OPT-PARTICIPANT"
    assert series.organiser.name == "王芳"
    assert moved.recurrence_id == datetime(2025, 3, 17, 9, 30, tzinfo=shanghai)
    assert moved.status == "CANCELLED"


def test_unknown_zone_uses_the_embedded_offsets() -> None:
    vtimezone = CHINA_VTIMEZONE.replace("China Standard Time", "Customized Time Zone")
    data = _ics(
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:u1",
        "ORGANIZER:mailto:a@example.com",
        "DTSTART;TZID=Customized Time Zone:20250310T093000",
        "DTEND;TZID=Customized Time Zone:20250310T100000",
        "END:VEVENT",
        timezone=vtimezone,
    )
    result = parse_calendar(data)
    (spec,) = result.requests
    assert spec.start == datetime(2025, 3, 10, 1, 30, tzinfo=UTC)
    assert spec.tzid == "Etc/GMT-8"
    assert any("Customized Time Zone" in p for p in result.problems)


def test_unknown_zone_without_vtimezone_and_floating_times_use_the_given_zone() -> None:
    data = _ics(
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:u2",
        "ORGANIZER:mailto:a@example.com",
        "DTSTART;TZID=Nowhere Standard Time:20250310T093000",
        "DTEND:20250310T100000",
        "END:VEVENT",
    )
    result = parse_calendar(data, floating_tz="Asia/Shanghai")
    (spec,) = result.requests
    assert spec.start == datetime(2025, 3, 10, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert spec.end == datetime(2025, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert any("Nowhere Standard Time" in p for p in result.problems)


def _mail(calendar: bytes, *, content_type: str, method: str | None, attach: bool = False) -> bytes:
    message = EmailMessage()
    message["From"] = "Bob <bob@example.com>"
    message["To"] = "meetings@example.com"
    message["Subject"] = "Accepted: weekly"
    message["Message-ID"] = "<m1@example.com>"
    message.set_content("See the calendar part.")
    maintype, subtype = content_type.split("/")
    params = {"method": method} if method else {}
    if attach:
        message.add_attachment(calendar, maintype, subtype, filename="invite.ics", params=params)
    else:
        message.add_alternative(calendar, maintype, subtype, params=params)
    return message.as_bytes()


def test_method_only_in_the_content_type() -> None:
    calendar = OUTLOOK_REPLY.replace(b"METHOD:REPLY\r\n", b"")
    raw = _mail(calendar, content_type="text/calendar", method="REPLY")
    mail = InboundMail(raw)
    found = classify(mail)
    assert found is not None and found.kind == "itip_reply"
    result = parse_itip(mail.message)
    assert result is not None and result.method == "REPLY" and len(result.replies) == 1


def test_method_mismatch_trusts_the_calendar_and_says_so() -> None:
    raw = _mail(OUTLOOK_REPLY, content_type="text/calendar", method="REQUEST")
    result = parse_itip(InboundMail(raw).message)
    assert result is not None and result.method == "REPLY"
    assert any("METHOD REPLY" in p and "method=REQUEST" in p for p in result.problems)


def test_ics_attachment_without_method_parameter() -> None:
    raw = _mail(OUTLOOK_REPLY, content_type="application/octet-stream", method=None, attach=True)
    found = classify(InboundMail(raw))
    assert found is not None and found.kind == "itip_reply"


def test_gb2312_label_on_gbk_calendar_is_decoded() -> None:
    calendar = OUTLOOK_REPLY.decode().replace("我会准时参加", "镕").encode("gbk")  # 镕 is GBK only
    message = EmailMessage()
    message["From"] = "li.na@example.com"
    message.set_content(
        calendar, "text", "calendar", params={"method": "REPLY", "charset": "gb2312"}
    )
    result = parse_itip(InboundMail(message.as_bytes()).message)
    assert result is not None and result.replies[0].comment == "镕"


def test_plain_mail_is_classified_from_its_headers_only() -> None:
    mail = InboundMail(b"From: a@example.com\r\nSubject: hi\r\n\r\nBEGIN:VCALENDAR\r\n")
    assert classify(mail) is None
    assert "message" not in mail.__dict__  # the full parse was never paid for


def test_ten_thousand_attendees_are_cut_quickly() -> None:
    attendees = [f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:p{i}@example.com" for i in range(10_000)]
    data = _ics(
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:flood",
        "ORGANIZER:mailto:a@example.com",
        "DTSTART:20250310T093000Z",
        *attendees,
        "END:VEVENT",
    )
    began = time.perf_counter()
    result = parse_calendar(data)
    assert time.perf_counter() - began < 2.0
    assert len(result.requests[0].attendees) == 1_000
    assert any("ATTENDEE" in p and "dropped" in p for p in result.problems)


def test_too_many_events_are_cut() -> None:
    event = (
        "BEGIN:VEVENT\r\nUID:e{0}\r\nORGANIZER:mailto:a@example.com\r\n"
        "DTSTART:20250310T093000Z\r\nEND:VEVENT"
    )
    data = _ics("METHOD:REQUEST", *(event.format(i) for i in range(600)))
    result = parse_calendar(data)
    assert len(result.requests) == 500
    assert any("600 VEVENTs" in p for p in result.problems)


@pytest.mark.parametrize(
    "data", [b"", b"/etc/hostname", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", b"\xff\xfe"]
)
def test_garbage_never_raises(data: bytes) -> None:
    result = parse_calendar(data)
    assert result.requests == [] and result.replies == []
    assert result.problems
