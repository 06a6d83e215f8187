"""When notices are due: N business days ahead at the send hour, in the meeting's zone."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.schema import CalendarSettings
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.domain.notice_timing import (
    DueNotice,
    due_notices,
    notice_due,
    occurrence_starts,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINA = BusinessCalendar(CalendarSettings(country="CN"))
SEND = time(9, 0)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def meeting(start: datetime, **changes: Any) -> MeetingSpec:
    spec = MeetingSpec(
        uid="weekly@example.com",
        title="Weekly",
        organiser=AttendeeSpec("alice@example.com"),
        start=start,
        end=start.replace(hour=start.hour + 1),
        tzid="Asia/Shanghai",
    )
    return dataclasses.replace(spec, **changes)


def due(spec: MeetingSpec, now: datetime, lead: int = 1) -> list[DueNotice]:
    return due_notices(spec, now=now, lead_business_days=lead, send_time=SEND, calendar=CHINA)


@pytest.mark.parametrize(
    ("start", "lead", "expected"),
    [
        (at(2025, 3, 10, 9, 30), 1, at(2025, 3, 7, 9, 0)),  # Monday → the Friday before
        (at(2025, 3, 10, 9, 30), 2, at(2025, 3, 6, 9, 0)),  # Monday → Thursday
        (at(2025, 3, 12, 14, 0), 1, at(2025, 3, 11, 9, 0)),  # Wednesday → Tuesday
        # Thursday 9 October follows the National Day holiday (1–8 October).
        (at(2025, 10, 9, 9, 30), 1, at(2025, 9, 30, 9, 0)),
        (at(2025, 10, 9, 9, 30), 2, at(2025, 9, 29, 9, 0)),
        # Monday 13 October: Saturday 11 October is a worked day, so the notice goes then.
        (at(2025, 10, 13, 9, 30), 1, at(2025, 10, 11, 9, 0)),
        # Wednesday 5 February after the Spring Festival; lead 2 lands on the worked Sunday.
        (at(2025, 2, 5, 9, 30), 1, at(2025, 1, 27, 9, 0)),
        (at(2025, 2, 5, 9, 30), 2, at(2025, 1, 26, 9, 0)),
    ],
)
def test_notice_due(start: datetime, lead: int, expected: datetime) -> None:
    got = notice_due(start, lead_business_days=lead, send_time=SEND, calendar=CHINA)
    assert got == expected
    assert got.tzinfo is SHANGHAI


def test_due_across_a_weekend_at_the_send_hour_and_not_before() -> None:
    spec = meeting(at(2025, 3, 10, 9, 30))
    # `now` is in UTC: 09:00 in Shanghai on Friday is 01:00 UTC.
    assert due(spec, datetime(2025, 3, 7, 0, 59, tzinfo=UTC)) == []
    assert due(spec, datetime(2025, 3, 7, 1, 0, tzinfo=UTC)) == [
        DueNotice(None, spec.start, at(2025, 3, 7, 9, 0))
    ]


def test_due_with_a_lead_of_two() -> None:
    spec = meeting(at(2025, 3, 10, 9, 30))
    assert due(spec, datetime(2025, 3, 6, 0, 59, tzinfo=UTC), lead=2) == []
    assert [d.due_at for d in due(spec, datetime(2025, 3, 6, 1, 0, tzinfo=UTC), lead=2)] == [
        at(2025, 3, 6, 9, 0)
    ]


def test_the_send_hour_is_the_meetings_not_utcs() -> None:
    # 23:00 UTC on Thursday is already 07:00 Friday in Shanghai: not yet 09:00 there.
    spec = meeting(at(2025, 3, 10, 9, 30))
    assert due(spec, datetime(2025, 3, 6, 23, 0, tzinfo=UTC)) == []


def test_on_the_adjusted_working_saturday() -> None:
    spec = meeting(at(2025, 10, 13, 9, 30))
    assert due(spec, datetime(2025, 10, 10, 12, 0, tzinfo=UTC)) == []  # Friday 20:00 there
    assert [d.due_at for d in due(spec, at(2025, 10, 11, 9, 0))] == [at(2025, 10, 11, 9, 0)]


def test_a_meeting_right_after_a_public_holiday() -> None:
    spec = meeting(at(2025, 10, 9, 9, 30))
    assert due(spec, at(2025, 9, 30, 8, 59)) == []
    assert [d.due_at for d in due(spec, at(2025, 9, 30, 9, 0))] == [at(2025, 9, 30, 9, 0)]


def test_a_meeting_created_inside_the_lead_time_is_due_at_once() -> None:
    # Created on Monday 10:00 for Monday 15:00: its notice time (Friday 09:00) is long past.
    now = at(2025, 3, 10, 10, 0)
    spec = meeting(at(2025, 3, 10, 15, 0))
    [notice] = due(spec, now)
    assert notice.due_at <= now
    assert notice.start == spec.start


def test_a_started_meeting_gets_no_notice() -> None:
    spec = meeting(at(2025, 3, 10, 9, 30))
    assert due(spec, at(2025, 3, 10, 9, 30)) == []
    assert due(spec, at(2025, 3, 10, 9, 45)) == []


def test_a_cancelled_meeting_gets_no_notice() -> None:
    spec = meeting(at(2025, 3, 10, 9, 30), status="CANCELLED")
    assert due(spec, at(2025, 3, 9, 12, 0)) == []


WEEKLY = meeting(
    at(2025, 3, 3, 9, 30),
    rrule="FREQ=WEEKLY;COUNT=10",
    exdates=(at(2025, 3, 17, 9, 30),),
)


def test_a_series_gets_a_notice_per_occurrence_whose_time_has_come() -> None:
    # Friday 14 March 09:00: the notice for Monday 17 March would be due, but it is excluded;
    # Monday 10 March has started; 24 March and later are not due yet.
    assert due(WEEKLY, at(2025, 3, 14, 9, 0)) == []
    [notice] = due(WEEKLY, at(2025, 3, 21, 9, 0))
    assert notice == DueNotice(
        at(2025, 3, 24, 9, 30), at(2025, 3, 24, 9, 30), at(2025, 3, 21, 9, 0)
    )


def test_every_occurrence_between_notice_and_start_is_due() -> None:
    # A daily series planned late: two occurrences are within their notice time at once.
    daily = meeting(at(2025, 3, 10, 9, 30), rrule="FREQ=DAILY;COUNT=5")
    found = due(daily, at(2025, 3, 10, 10, 0), lead=2)
    assert [d.occurrence for d in found] == [at(2025, 3, 11, 9, 30), at(2025, 3, 12, 9, 30)]
    assert all(d.due_at <= at(2025, 3, 10, 10, 0) for d in found)


def test_occurrence_starts_respects_exdate_given_in_utc() -> None:
    spec = dataclasses.replace(WEEKLY, exdates=(datetime(2025, 3, 10, 1, 30, tzinfo=UTC),))
    starts = occurrence_starts(spec, after=at(2025, 3, 1), before=at(2025, 3, 20))
    assert starts == [at(2025, 3, 3, 9, 30), at(2025, 3, 17, 9, 30)]
    assert all(s.tzinfo == SHANGHAI for s in starts)


def test_occurrence_starts_keep_wall_time_across_dst() -> None:
    london = ZoneInfo("Europe/London")
    spec = MeetingSpec(
        uid="l@example.com",
        title="London",
        organiser=AttendeeSpec("a@example.com"),
        start=datetime(2025, 3, 24, 9, 30, tzinfo=london),
        end=datetime(2025, 3, 24, 10, 30, tzinfo=london),
        tzid="Europe/London",
        rrule="FREQ=WEEKLY;COUNT=2",
    )
    starts = occurrence_starts(
        spec, after=datetime(2025, 3, 1, tzinfo=UTC), before=datetime(2025, 4, 30, tzinfo=UTC)
    )
    assert [(s.hour, s.utcoffset()) for s in starts] == [
        (9, london.utcoffset(datetime(2025, 3, 24))),
        (9, london.utcoffset(datetime(2025, 3, 31))),
    ]
    assert starts[0].utcoffset() != starts[1].utcoffset()
