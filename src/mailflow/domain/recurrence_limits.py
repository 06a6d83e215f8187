"""How often a meeting may repeat: the checks that keep one invitation from flooding mailflow.

Pure. A recurrence rule is a small program (RFC 5545 3.3.10): ``FREQ=DAILY`` with
``BYHOUR``/``BYMINUTE``/``BYSECOND`` lists expands to thousands of occurrences a day, and a rule
that never matches (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``) makes dateutil walk day by day to the
year 9999 — seconds of CPU on every planning pass. So at intake a rule is expanded once, cheaply
and bounded, and refused when it:

- repeats more often than daily (``FREQ=SECONDLY/MINUTELY/HOURLY``);
- has more than ``per_day`` occurrences on one day, or more than ``per_year`` in a year;
- cannot be read, or has no occurrence in the year after its start.

The expansion never walks more than one 400-year Gregorian cycle: the calendar (leap years and
weekdays) repeats exactly every 400 years, so the rule is tried with its start moved to the last
cycle before the year 9999, where dateutil's own end stops a rule that never matches.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice

from dateutil.rrule import rrule, rrulestr

_TOO_FREQUENT = re.compile(r"FREQ=(SECONDLY|MINUTELY|HOURLY)", re.IGNORECASE)
_CYCLE_YEARS = 400
_LAST_YEAR = 9998


@dataclass(frozen=True)
class RecurrenceLimits:
    per_day: int = 1
    per_year: int = 366


def recurrence_problem(rule_text: str, start: datetime, limits: RecurrenceLimits) -> str | None:
    """Why the rule ``rule_text`` starting at ``start`` is refused, or None when it is fine."""
    if _TOO_FREQUENT.search(rule_text):
        return f"a meeting cannot repeat more often than daily ({rule_text})"
    naive = start.replace(tzinfo=None)
    try:
        rule = rrulestr(rule_text, dtstart=naive, ignoretz=True)
    except (ValueError, TypeError, OverflowError) as exc:
        return f"the recurrence rule {rule_text!r} cannot be read: {exc}"
    if not isinstance(rule, rrule):
        return f"the recurrence rule {rule_text!r} cannot be read"
    if not _ever(rule, naive):
        return f"the recurrence rule {rule_text!r} has no date it can happen on"
    # Calendars count DTSTART as the first occurrence even where the rule does not (RFC 5545
    # 3.8.5.3), so it counts here too.
    first_year = sorted({naive, *_first_year(rule, naive, limits.per_year + 1)})
    if not _first_year(rule, naive, 1):
        return f"the recurrence rule {rule_text!r} has no occurrence within a year of its start"
    busiest, count = Counter(o.date() for o in first_year).most_common(1)[0]
    if count > limits.per_day:
        return (
            f"the recurrence rule {rule_text!r} has {count if count <= limits.per_year else 'many'}"
            f" occurrences on {busiest:%Y-%m-%d}; at most {limits.per_day} a day"
        )
    if len(first_year) > limits.per_year:
        return f"the recurrence rule {rule_text!r} has over {limits.per_year} occurrences a year"
    return None


def _first_year(rule: rrule, start: datetime, cap: int) -> list[datetime]:
    """Occurrences in the year after ``start``, at most ``cap`` of them (a flood stops early)."""
    end = _a_year_after(start)
    found: list[datetime] = []
    for occurrence in islice(rule, cap):
        if occurrence >= end:
            break
        found.append(occurrence)
    return found


def _a_year_after(start: datetime) -> datetime:
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # from 29 February
        return start.replace(year=start.year + 1, day=28)


def _ever(rule: rrule, start: datetime) -> bool:
    """Whether the rule matches any day at all, tried on one 400-year cycle (see the module)."""
    shift = (_LAST_YEAR - start.year) // _CYCLE_YEARS * _CYCLE_YEARS
    if shift <= 0:
        return next(iter(rule), None) is not None
    try:
        moved = start.replace(year=start.year + shift)
    except ValueError:  # 29 February maps to 29 February: the cycle keeps leap years
        moved = datetime.combine(date(start.year + shift, 2, 28), start.time())
    probe = rule.replace(dtstart=moved, count=None, until=None)
    return next(iter(probe), None) is not None
