"""When a notice is due: N business days before the start, at the send hour, in the meeting zone.

Pure: the business calendar and ``now`` are arguments. A recurring meeting gets a notice before
each occurrence; its occurrences come from ``recurring-ical-events`` (RRULE, EXDATE, RDATE and the
moved occurrences), run on the event as mailflow's own invite describes it, so the notice and the
calendar agree. An occurrence is named by its RECURRENCE-ID, which does not change when it moves.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.meeting import MeetingSpec

# How far ahead occurrences of a series are considered at each planning run: far enough to cover
# the longest notice lead (2 business days) across a week-long public holiday.
OCCURRENCE_HORIZON = timedelta(days=21)


# At most this many occurrences of one series are considered per planning run (a daily meeting
# has 21 in the horizon).
MAX_WINDOW_OCCURRENCES = 31


@dataclass(frozen=True)
class DueNotice:
    # The occurrence's RECURRENCE-ID (its original start) for a series, None for a single meeting.
    occurrence: datetime | None
    start: datetime
    due_at: datetime


def notice_due(
    start: datetime, *, lead_business_days: int, send_time: time, calendar: BusinessCalendar
) -> datetime:
    """The send hour on the business day ``lead_business_days`` before ``start``'s date."""
    day = calendar.add_business_days(start.date(), -lead_business_days)
    return datetime.combine(day, send_time, tzinfo=start.tzinfo)


def occurrence_starts(spec: MeetingSpec, *, after: datetime, before: datetime) -> list[datetime]:
    """Starts of the series' occurrences in [after, before), in the meeting's zone."""
    return [start for _, start in occurrences(spec, after=after, before=before)]


def occurrences(
    spec: MeetingSpec, *, after: datetime, before: datetime
) -> list[tuple[datetime, datetime]]:
    """(RECURRENCE-ID, start) of the series' occurrences starting in [after, before), moved
    occurrences at their new time, at most :data:`MAX_WINDOW_OCCURRENCES` of them (a rule that
    slipped past intake's limits still costs a bounded pass)."""
    zone = ZoneInfo(spec.tzid)
    calendar = icalendar.Calendar()
    calendar.add_component(_event(spec))
    for override in spec.overrides:
        moved = icalendar.Event()
        moved.add("uid", spec.uid)
        moved.add("recurrence-id", override.recurrence_id)
        moved.add("dtstart", override.start)
        moved.add("dtend", override.end)
        calendar.add_component(moved)
    found: list[tuple[datetime, datetime]] = []
    # Moved occurrences are found where they are now; look back far enough for one moved later.
    reach = max((abs(o.start - o.recurrence_id) for o in spec.overrides), default=timedelta(0))
    walked = recurring_ical_events.of(calendar).after(after - reach)
    for occurrence in itertools.islice(walked, MAX_WINDOW_OCCURRENCES * 4):
        start = occurrence.decoded("dtstart")
        if not isinstance(start, datetime):
            continue
        if start >= before and start - reach >= before:
            break
        rid = occurrence.get("RECURRENCE-ID")
        named = rid.dt if rid is not None and isinstance(rid.dt, datetime) else start
        if after <= start < before:
            found.append((named.astimezone(zone), start.astimezone(zone)))
        if len(found) >= MAX_WINDOW_OCCURRENCES:
            break
    return sorted(found, key=lambda pair: pair[1])


def _event(spec: MeetingSpec) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", spec.uid)
    event.add("dtstart", spec.start)
    event.add("dtend", spec.end)
    if spec.rrule:
        event.add("rrule", icalendar.vRecur.from_ical(spec.rrule))
    for exdate in spec.exdates:
        event.add("exdate", exdate)
    return event


def due_notices(
    spec: MeetingSpec,
    *,
    now: datetime,
    lead_business_days: int,
    send_time: time,
    calendar: BusinessCalendar,
) -> list[DueNotice]:
    """Notices whose time has come and whose meeting has not started yet.

    A meeting created inside the lead time is due at once (its due time is already past).
    """
    if spec.status == "CANCELLED":
        return []
    if not spec.rrule:
        starts: list[tuple[datetime | None, datetime]] = [(None, spec.start)]
    else:
        starts = list(occurrences(spec, after=now, before=now + OCCURRENCE_HORIZON))
    due: list[DueNotice] = []
    for occurrence, start in starts:
        if start <= now:
            continue
        due_at = notice_due(
            start.astimezone(ZoneInfo(spec.tzid)),
            lead_business_days=lead_business_days,
            send_time=send_time,
            calendar=calendar,
        )
        if due_at <= now:
            due.append(DueNotice(occurrence, start, due_at))
    return due
