"""The invite builder: the .ics parses back with every property clients need, right."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, Timezone, vCalAddress

from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec
from mailflow.outbound.rendering.ics import build_invite
from mailflow.outbound.rendering.vtimezone import vtimezone

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2025, 3, 7, 9, 0, tzinfo=SHANGHAI)


def meeting(**changes: Any) -> MeetingSpec:
    spec = MeetingSpec(
        uid="20250310-q2@example.com",
        title="Q2 review",
        organiser=AttendeeSpec("alice@example.com", "Alice Wang", role="CHAIR"),
        start=datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI),
        end=datetime(2025, 3, 10, 10, 30, tzinfo=SHANGHAI),
        tzid="Asia/Shanghai",
        sequence=2,
        attendees=(
            AttendeeSpec("alice@example.com", "Alice Wang", role="CHAIR"),
            AttendeeSpec("bob@example.com", "Bob Li"),
            AttendeeSpec("zhang.san@example.com", "张三", role="OPT-PARTICIPANT"),
        ),
        location="Room 501",
        online_url="https://meet.example.com/q2",
        agenda=(
            AgendaSpec("Budget", "alice@example.com", 20, "Approve the Q2 budget"),
            AgendaSpec("Hiring plan", "bob@example.com", 15),
        ),
        materials=("https://docs.example.com/q2.pdf",),
    )
    return dataclasses.replace(spec, **changes)


def parse(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    (event,) = calendar.events
    return calendar, event


def attendees_of(event: Event) -> list[vCalAddress]:
    # icalendar returns one ATTENDEE as a value and several as a list.
    value = event.get("ATTENDEE", [])
    return list(value) if isinstance(value, list) else [value]


def invite(spec: MeetingSpec, **kwargs: Any) -> bytes:
    options: dict[str, Any] = {
        "method": "REQUEST",
        "organiser_address": "meetings@example.com",
        "organiser_name": "Meeting desk",
        "dtstamp": NOW,
    }
    options.update(kwargs)
    return build_invite(spec, **options)


def test_request_carries_every_property_clients_need() -> None:
    calendar, event = parse(invite(meeting()))

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//mailflow//mailflow//EN"
    assert event["UID"] == "20250310-q2@example.com"
    assert event["SEQUENCE"] == 2
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "Q2 review"
    assert event["LOCATION"] == "Room 501"
    stamp = event.decoded("DTSTAMP")
    assert stamp == NOW and stamp.utcoffset() == timedelta(0)
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("DTSTART") == datetime(2025, 3, 10, 1, 30, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2025, 3, 10, 2, 30, tzinfo=UTC)
    description = str(event["DESCRIPTION"])
    for fact in ("Budget", "Hiring plan", "https://meet.example.com/q2", "q2.pdf"):
        assert fact in description

    organiser = event["ORGANIZER"]
    assert str(organiser) == "mailto:meetings@example.com"
    assert organiser.params["CN"] == "Meeting desk"

    attendees = {str(a): a.params for a in attendees_of(event)}
    assert set(attendees) == {
        "mailto:alice@example.com",
        "mailto:bob@example.com",
        "mailto:zhang.san@example.com",
    }
    assert attendees["mailto:alice@example.com"]["ROLE"] == "CHAIR"
    assert attendees["mailto:zhang.san@example.com"]["CN"] == "张三"
    assert attendees["mailto:zhang.san@example.com"]["ROLE"] == "OPT-PARTICIPANT"
    for params in attendees.values():
        assert params["PARTSTAT"] == "NEEDS-ACTION"
        assert params["RSVP"] == "TRUE"
        assert params["CUTYPE"] == "INDIVIDUAL"


def test_every_tzid_has_a_vtimezone_placed_before_the_event() -> None:
    spec = meeting(
        tzid="Europe/London",
        start=datetime(2025, 3, 10, 9, 30, tzinfo=LONDON),
        end=datetime(2025, 3, 10, 10, 30, tzinfo=LONDON),
    )
    calendar, _ = parse(invite(spec))

    assert calendar.get_missing_tzids() == set()
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]
    kinds = [c.name for c in calendar.subcomponents]
    assert kinds.index("VTIMEZONE") < kinds.index("VEVENT")


def test_vtimezone_carries_the_dst_rules_as_rrules_for_outlook() -> None:
    spec = meeting(
        tzid="Europe/London",
        start=datetime(2025, 1, 13, 9, 30, tzinfo=LONDON),
        end=datetime(2025, 1, 13, 10, 30, tzinfo=LONDON),
        rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=30",
    )
    calendar, _ = parse(invite(spec))
    (timezone,) = calendar.timezones

    # Outlook ignores RDATE in a VTIMEZONE; one yearly rule per observance is what it reads.
    assert len(timezone.standard) == 1 and len(timezone.daylight) == 1
    assert "RDATE" not in timezone.to_ical().decode()
    assert timezone.daylight[0]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert timezone.standard[0]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    # Read only from the VTIMEZONE (not by looking the name up): summer is an hour ahead.
    tz = timezone.to_tz(lookup_tzid=False)
    assert datetime(2025, 1, 13, 9, 30, tzinfo=UTC).astimezone(tz).hour == 9
    assert datetime(2025, 7, 14, 9, 30, tzinfo=UTC).astimezone(tz).hour == 10


@pytest.mark.parametrize(
    "tzid",
    ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Shanghai", "Asia/Jerusalem"],
)
def test_vtimezone_offsets_match_zoneinfo(tzid: str) -> None:
    # Asia/Jerusalem ("Friday before the last Sunday") has no weekday rule: it gets RDATEs.
    tz = vtimezone(tzid, datetime(2025, 6, 1)).to_tz(lookup_tzid=False)
    zone = ZoneInfo(tzid)
    # Every hour of the event's year (so the transition hours too), then one instant a day.
    instants = [datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(365 * 24)]
    instants += [datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=d) for d in range(730)]
    for instant in instants:
        assert instant.astimezone(tz).utcoffset() == instant.astimezone(zone).utcoffset(), instant


def test_zone_without_dst_has_one_standard_observance() -> None:
    timezone = vtimezone("Asia/Shanghai", datetime(2025, 3, 10))
    assert isinstance(timezone, Timezone)
    assert len(timezone.standard) == 1 and not timezone.daylight
    offset = timezone.standard[0].TZOFFSETTO
    assert offset == timedelta(hours=8)


def test_series_carries_rrule_and_exdate_in_the_meeting_zone() -> None:
    skipped = datetime(2025, 3, 17, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    _, event = parse(invite(meeting(rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=10", exdates=(skipped,))))

    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=10;BYDAY=MO"
    assert event["EXDATE"].params["TZID"] == "Asia/Shanghai"
    assert event.exdates == [skipped]
    assert "RECURRENCE-ID" not in event


def test_one_occurrence_carries_recurrence_id_and_no_rrule() -> None:
    occurrence = datetime(2025, 3, 17, 9, 30, tzinfo=SHANGHAI)
    spec = meeting(rrule="FREQ=WEEKLY;COUNT=10", recurrence_id=occurrence)
    _, event = parse(invite(spec))

    assert event.decoded("RECURRENCE-ID") == occurrence
    assert event["RECURRENCE-ID"].params["TZID"] == "Asia/Shanghai"
    assert "RRULE" not in event and "EXDATE" not in event


def test_uninviting_keeps_uid_uses_given_sequence_lists_only_them_and_has_no_status() -> None:
    spec = meeting(sequence=3)
    removed = AttendeeSpec("bob@example.com", "Bob Li")
    calendar, event = parse(invite(spec, method="CANCEL", attendees=[removed]))

    assert calendar["METHOD"] == "CANCEL"
    assert event["UID"] == spec.uid
    assert event["SEQUENCE"] == 3
    # RFC 5546 3.2.5: STATUS:CANCELLED would cancel the meeting itself, not take Bob off it.
    assert "STATUS" not in event
    assert [str(a) for a in attendees_of(event)] == ["mailto:bob@example.com"]


def test_cancelling_the_meeting_says_so_in_status() -> None:
    spec = dataclasses.replace(meeting(sequence=4), status="CANCELLED")
    calendar, event = parse(invite(spec, method="CANCEL"))
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"


def test_online_only_meeting_shows_its_link_as_location() -> None:
    _, event = parse(invite(meeting(location=None)))
    assert event["LOCATION"] == "https://meet.example.com/q2"


def test_hostile_text_is_escaped_and_cannot_add_properties() -> None:
    hostile = 'Budget; "Q2", part 1\r\nATTENDEE:mailto:evil@example.com\\'
    spec = meeting(
        title=hostile,
        location="Room 5; floor 2, east\r\nORGANIZER:mailto:evil@example.com",
        attendees=(AttendeeSpec("bob@example.com", 'Bob "the boss"\r\nLi; Jr., PhD'),),
    )
    data = invite(spec, description=hostile)
    _, event = parse(data)

    assert "evil" not in str(event["ORGANIZER"])
    (attendee,) = attendees_of(event)
    assert str(attendee) == "mailto:bob@example.com"
    # CN is one line and quote-free: Outlook does not read RFC 6868 caret escapes.
    assert attendee.params["CN"] == "Bob 'the boss' Li; Jr., PhD"
    assert event["SUMMARY"] == 'Budget; "Q2", part 1 ATTENDEE:mailto:evil@example.com\\'
    assert str(event["DESCRIPTION"]) == hostile.replace("\r\n", "\n")
    assert str(event["LOCATION"]).startswith("Room 5; floor 2, east")
    # Every physical line is CRLF-terminated and no bare CR or LF slipped through.
    assert b"\r" not in data.replace(b"\r\n", b"") and b"\n" not in data.replace(b"\r\n", b"")


def test_unknown_zone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        invite(meeting(tzid="Mars/Olympus"))


def test_a_kept_invite_is_what_a_fresh_build_gives_at_another_dtstamp() -> None:
    from mailflow.outbound.rendering import ics

    spec = meeting()
    first = invite(spec, dtstamp=NOW)
    for later in (NOW + timedelta(seconds=1), NOW + timedelta(days=400, microseconds=5)):
        kept = invite(spec, dtstamp=later)
        fresh = ics._build_invite(
            spec,
            method="REQUEST",
            organiser_address="meetings@example.com",
            organiser_name="Meeting desk",
            attendees=None,
            dtstamp=later,
            prodid=ics.PRODID,
            description=None,
        )
        assert kept == fresh
        assert kept != first
        assert parse(kept)[1].decoded("DTSTAMP") == later.astimezone(UTC).replace(microsecond=0)


def test_kept_invites_differ_by_everything_but_dtstamp() -> None:
    spec = meeting()
    base = invite(spec, dtstamp=NOW)
    assert invite(dataclasses.replace(spec, title="Other"), dtstamp=NOW) != base
    assert invite(spec, dtstamp=NOW, description="Another text") != base
    assert invite(spec, dtstamp=NOW, method="CANCEL") != base
    assert invite(spec, dtstamp=NOW) == base
