"""Build the VTIMEZONE for an IANA zone in the form every calendar client reads correctly.

icalendar's ``Timezone.from_tzid`` lists each year's transitions as RDATEs. Outlook (desktop and
app) ignores RDATE in a VTIMEZONE and then shows summer meetings an hour off, while it reads a
yearly RRULE ("last Sunday of March") fine; Google Calendar writes that form too. So this module
finds the zone's real transitions with zoneinfo, derives one STANDARD and one DAYLIGHT observance
with a yearly RRULE, and checks that the rule reproduces the transitions of the year before the
event and the following years. Zones whose rules do not fit an "n-th weekday of a month" pattern
get the transitions of those years as RDATEs; a zone without daylight saving gets one STANDARD.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The rule is derived from the year before the event and checked against this many years after it.
_CHECK_YEARS = 4


@dataclass(frozen=True)
class _Transition:
    onset: datetime  # naive local wall time in the offset in force *before* the change (RFC 5545)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool


@dataclass(frozen=True)
class _Rule:
    month: int
    byday: str  # e.g. "-1SU" or "2SU"
    time: tuple[int, int]

    def onset(self, year: int) -> date:
        weekday = _WEEKDAYS.index(self.byday[-2:])
        nth = int(self.byday[:-2])
        days = [
            d
            for d in range(1, calendar.monthrange(year, self.month)[1] + 1)
            if date(year, self.month, d).weekday() == weekday
        ]
        return date(year, self.month, days[nth - 1] if nth > 0 else days[nth])


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


def _transitions(zone: ZoneInfo, year: int) -> list[_Transition]:
    """The zone's offset changes during ``year``: found day by day, then narrowed to the minute."""
    found: list[_Transition] = []
    instant = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = _offset(zone, instant)
    while instant < end:
        for step in (timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)):
            while instant + step <= end and _offset(zone, instant + step) == offset:
                instant += step
        instant += timedelta(minutes=1)
        if instant >= end:
            break
        local = instant.astimezone(zone)
        to = _offset(zone, instant)
        onset = (instant + offset).replace(tzinfo=None)
        found.append(_Transition(onset, offset, to, local.tzname() or "", bool(local.dst())))
        offset = to
    return found


def _rule_for(onset: datetime) -> _Rule:
    last_day = calendar.monthrange(onset.year, onset.month)[1]
    nth = -1 if onset.day > last_day - 7 else (onset.day - 1) // 7 + 1
    byday = f"{nth}{_WEEKDAYS[onset.weekday()]}"
    return _Rule(onset.month, byday, (onset.hour, onset.minute))


def _observance(first: _Transition, rule: _Rule | None) -> TimezoneStandard | TimezoneDaylight:
    part = TimezoneDaylight() if first.is_dst else TimezoneStandard()
    part.add("DTSTART", first.onset)
    part.add("TZOFFSETFROM", first.offset_from)
    part.add("TZOFFSETTO", first.offset_to)
    part.add("TZNAME", first.name)
    if rule is not None:
        part.add("RRULE", vRecur(FREQ="YEARLY", BYMONTH=rule.month, BYDAY=rule.byday))
    return part


def _rrule_timezone(tzid: str, zone: ZoneInfo, years: list[list[_Transition]]) -> Timezone | None:
    """The RRULE form, or None when the zone's transitions do not follow a yearly weekday rule."""
    tz = Timezone()
    tz.add("TZID", tzid)
    if any(len(t) != 2 for t in years):
        return None
    for index, transition in enumerate(years[0]):
        rule = _rule_for(transition.onset)
        offsets = (transition.offset_from, transition.offset_to)
        for later in years[1:]:
            other = later[index]
            if (
                other.onset.date() != rule.onset(other.onset.year)
                or (other.onset.hour, other.onset.minute) != rule.time
                or (other.offset_from, other.offset_to) != offsets
            ):
                return None
        tz.add_component(_observance(transition, rule))
    return tz


def _still_timezone(tzid: str, zone: ZoneInfo, year: int) -> Timezone:
    """One STANDARD observance for a zone that does not change its offset around ``year``."""
    instant = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone)
    offset = _offset(zone, instant)
    tz = Timezone()
    tz.add("TZID", tzid)
    still = _Transition(datetime(1970, 1, 1), offset, offset, instant.tzname() or "", False)
    tz.add_component(_observance(still, None))
    return tz


def _rdate_timezone(
    tzid: str, zone: ZoneInfo, years: list[list[_Transition]], year: int
) -> Timezone:
    """Every real transition of the checked years, each kind of change with its dates as RDATEs.

    Used only for irregular zones; written here rather than by icalendar's ``Timezone.from_tzid``
    because that one dates a DAYLIGHT onset in the new offset, an hour late (RFC 5545 wants the
    local time in force before the change).
    """
    tz = Timezone()
    tz.add("TZID", tzid)
    instant = datetime(year - 1, 1, 1, tzinfo=UTC).astimezone(zone)
    offset = _offset(zone, instant)
    start = _Transition(
        instant.replace(tzinfo=None), offset, offset, instant.tzname() or "", bool(instant.dst())
    )
    groups: dict[tuple[timedelta, timedelta, str, bool], list[_Transition]] = {}
    for transition in [start] + [t for ts in years for t in ts]:
        key = (transition.offset_from, transition.offset_to, transition.name, transition.is_dst)
        groups.setdefault(key, []).append(transition)
    for group in groups.values():
        part = _observance(group[0], None)
        if len(group) > 1:
            part.add("RDATE", [t.onset for t in group[1:]])
        tz.add_component(part)
    return tz


@lru_cache(maxsize=64)
def _vtimezone_ical(tzid: str, year: int) -> bytes:
    try:
        zone = ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tzid!r}") from exc
    years = [_transitions(zone, y) for y in range(year - 1, year + _CHECK_YEARS)]
    if not any(years):
        tz = _still_timezone(tzid, zone, year)
    else:
        # Irregular rules (e.g. transitions tied to a lunar calendar) get every real transition
        # around the event, which is still right for every client that reads RDATE.
        tz = _rrule_timezone(tzid, zone, years) or _rdate_timezone(tzid, zone, years, year)
    return bytes(tz.to_ical())


def vtimezone(tzid: str, around: datetime) -> Timezone:
    """A fresh VTIMEZONE component for ``tzid``, right for events in and after ``around``'s year.

    Raises ValueError for a name that is not an IANA zone.
    """
    component = Timezone.from_ical(_vtimezone_ical(tzid, around.year))
    assert isinstance(component, Timezone)
    return component
