"""At risk before late (进度滞后): progress that lags the time already spent.

An open item with a due date has used a share of its time: business days from the day it was made to
today, over business days from then to its (current) due date. When the
owner's reported progress lags that share by more than the configured points (default 20), the
item is *at risk*: its owner sees the flag in their next reminder, the digest lists it first,
and its coordinator is asked to talk to the owner (约谈) and record it.

An item on or past its due date is not "at risk" — it is due today or overdue, which reminders and
escalation handle; an item whose time has not begun (made today, or due the day it was made) is
never at risk. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mailflow.domain.business_calendar import BusinessCalendar


@dataclass(frozen=True)
class Risk:
    """How far an item lags: the share of its time used and its progress, both in percent."""

    elapsed: int
    progress: int

    @property
    def lag(self) -> int:
        return self.elapsed - self.progress


class BusinessDays:
    """Business days between two dates in O(1) after the first look at a date: one pass over
    thousands of open items asks about the same few months again and again."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self._calendar = calendar
        self._base: int | None = None
        self._running: list[int] = []  # business days in [base, base + i)

    def _index(self, day: date) -> int:
        ordinal = day.toordinal()
        if self._base is None or ordinal < self._base:
            self._base, self._running = ordinal, [0]
        while len(self._running) <= ordinal - self._base + 1:
            at = date.fromordinal(self._base + len(self._running) - 1)
            self._running.append(self._running[-1] + self._calendar.is_business_day(at))
        return self._running[ordinal - self._base + 1]

    def between(self, start: date, end: date) -> int:
        """Business days in (start, end], as :meth:`BusinessCalendar.business_days_between`."""
        if end < start:
            return -self.between(end, start)
        self._index(min(start, end))
        return self._index(end) - self._index(start)


def time_used(
    start: date, due: date, today: date, calendar: BusinessCalendar | BusinessDays
) -> int | None:
    """Percent of the item's business days from ``start`` to ``due`` already past on ``today``;
    None when the item has no time to measure (due on or before its start), or none left (its due
    day has come: from then on it is due today or overdue, which reminders and escalation tell)."""
    if today >= due or due <= start:
        return None
    days = calendar if isinstance(calendar, BusinessDays) else BusinessDays(calendar)
    total = days.between(start, due)
    spent = days.between(start, today)
    if total <= 0:
        total, spent = (due - start).days, (today - start).days
    return max(0, min(100, round(100 * spent / total)))


def assess(
    progress: int,
    start: date,
    due: date | None,
    today: date,
    calendar: BusinessCalendar | BusinessDays,
    *,
    lag_points: int,
) -> Risk | None:
    """The item's :class:`Risk` when it lags by more than ``lag_points``, else None."""
    if due is None:
        return None
    used = time_used(start, due, today, calendar)
    if used is None:
        return None
    risk = Risk(used, max(0, min(100, progress)))
    return risk if risk.lag > lag_points else None
