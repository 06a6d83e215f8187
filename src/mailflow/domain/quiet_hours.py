"""When a planned mail may go out to a person: business days, outside quiet hours, in their zone.

Pure: ``now``, the schedule settings, the business calendar and the recipient's zone in; the
earliest moment the mail may leave out. The planner stores it as the outbox row's ``not_before``,
so a mail planned at night or on a holiday is held, never dropped. Escalations to an executive are
held the same way: the process asks for them within 48 h, not at 3 a.m.

Quiet hours run from ``quiet_hours_start`` to ``quiet_hours_end`` in the recipient's zone and may
cross midnight (20:00 → 08:00, the default). With quiet hours unset, any time of a business day
is fine. A mail held over a non-business day leaves on the next business day at the end of quiet
hours (or at midnight when there are none).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from mailflow.config.schema import ScheduleSettings
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.zones import zone

# A calendar with no business day in a year is a configuration mistake, not a reason to loop.
_SEARCH_DAYS = 366


def in_quiet_hours(moment: time, *, start: time | None, end: time | None) -> bool:
    """Whether a wall-clock time falls in [start, end), which may cross midnight."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def next_send_time(
    now: datetime, *, settings: ScheduleSettings, calendar: BusinessCalendar, tz: str
) -> datetime:
    """``now`` when a mail may go to a person in zone ``tz`` now, else the next moment it may."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(zone(tz))
    if _allowed(local, settings, calendar):
        return now
    start, end = settings.quiet_hours_start, settings.quiet_hours_end
    # The earliest allowed moment of a business day is either its midnight (quiet hours that do
    # not reach it) or the end of quiet hours; try both, on today and the days after.
    openings = sorted({time(0), end or time(0)})
    for offset in range(_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if not calendar.is_business_day(day):
            continue
        for opening in openings:
            candidate = datetime.combine(day, opening, tzinfo=local.tzinfo)
            if candidate > local and not in_quiet_hours(opening, start=start, end=end):
                return candidate
    raise ValueError(f"no business day within {_SEARCH_DAYS} days of {local.date()}")


def _allowed(local: datetime, settings: ScheduleSettings, calendar: BusinessCalendar) -> bool:
    if not calendar.is_business_day(local.date()):
        return False
    return not in_quiet_hours(
        local.time(), start=settings.quiet_hours_start, end=settings.quiet_hours_end
    )
