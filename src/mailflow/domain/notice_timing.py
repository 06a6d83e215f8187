"""When a notice is due: N business days before the start, at the send hour, in the meeting zone.

Pure: the business calendar and ``now`` are arguments. A recurring meeting gets a notice before
each occurrence; its occurrences come from ``recurring-ical-events`` (RRULE, EXDATE, RDATE), run
on the event as mailflow's own invite describes it, so the notice and the calendar agree.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class DueNotice:
    occurrence: datetime | None  # the occurrence's start for a series, None for a single meeting
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
    zone = ZoneInfo(spec.tzid)
    event = icalendar.Event()
    event.add("uid", spec.uid)
    event.add("dtstart", spec.start)
    event.add("dtend", spec.end)
    if spec.rrule:
        event.add("rrule", icalendar.vRecur.from_ical(spec.rrule))
    for exdate in spec.exdates:
        event.add("exdate", exdate)
    calendar = icalendar.Calendar()
    calendar.add_component(event)
    found = recurring_ical_events.of(calendar).between(after, before)
    starts = [occurrence.decoded("dtstart") for occurrence in found]
    return sorted(s.astimezone(zone) for s in starts if isinstance(s, datetime))


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
        starts: list[datetime | None] = [None]
    else:
        starts = list(occurrence_starts(spec, after=now, before=now + OCCURRENCE_HORIZON))
    due: list[DueNotice] = []
    for occurrence in starts:
        start = occurrence or spec.start
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
