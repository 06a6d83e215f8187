"""Business days: weekends, public holidays and adjusted working days, plus company overrides.

The `holidays` package knows each country's public holidays and, for China, the weekend days that
are made working days around them (调休: e.g. Sunday 2025-01-26 is a working day). The configuration
adds company-specific holidays and working days on top; an explicit override always wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cached_property, lru_cache

import holidays

from mailflow.config.schema import WEEKDAYS, CalendarSettings


class BusinessCalendar:
    def __init__(self, settings: CalendarSettings) -> None:
        self._settings = settings
        self._extra_holidays = frozenset(settings.extra_holidays)
        self._extra_working = frozenset(settings.extra_working_days)
        self._weekend = frozenset(WEEKDAYS.index(day) for day in settings.weekend)
        self._known: dict[date, bool] = {}

    @cached_property
    def _public(self) -> holidays.HolidayBase | None:
        if not self._settings.country:
            return None
        # Years are filled in lazily by the package (expand=True) as dates are asked about.
        return holidays.country_holidays(self._settings.country, subdiv=self._settings.subdivision)

    def is_business_day(self, day: date) -> bool:
        """Whether ``day`` is worked; remembered, since every planning pass asks about the same
        weeks (the holidays package's lookup is most of a pass's date arithmetic otherwise)."""
        known = self._known.get(day)
        if known is None:
            if len(self._known) > _KNOWN_DAYS:
                self._known.clear()
            known = self._known[day] = self._is_business_day(day)
        return known

    def _is_business_day(self, day: date) -> bool:
        if day in self._extra_working:
            return True
        if day in self._extra_holidays:
            return False
        public = self._public
        if public is not None:
            if day in public:
                return False
            # A weekend day the government moved work onto (调休) is a working day.
            if day.weekday() in self._weekend:
                return day in _weekend_workdays(public, day.year)
        return day.weekday() not in self._weekend

    def holiday_name(self, day: date) -> str | None:
        if day in self._extra_holidays:
            return "company holiday"
        public = self._public
        return public.get(day) if public is not None else None

    def next_holiday(self, after: date, name: str, *, within_days: int = 400) -> date | None:
        """The first day after ``after`` of a holiday whose name holds ``name`` (lower case;
        "" for any holiday), within ``within_days``; None when there is none."""
        for offset in range(1, within_days + 1):
            day = after + timedelta(days=offset)
            found = self.holiday_name(day)
            if found is not None and name in found.casefold() and not self.is_business_day(day):
                return day
        return None

    def add_business_days(self, start: date, count: int) -> date:
        """The date ``count`` business days after (count > 0) or before (count < 0) ``start``."""
        step = 1 if count >= 0 else -1
        day, remaining = start, abs(count)
        while remaining:
            day += timedelta(days=step)
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.business_days_between(end, start)
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_business_day(start + timedelta(days=offset))
        )

    def next_business_day(self, day: date, *, inclusive: bool = False) -> date:
        if inclusive and self.is_business_day(day):
            return day
        return self.add_business_days(day, 1)


# Days remembered per calendar before the memory starts again (decades of dates: a few MB).
_KNOWN_DAYS = 20_000


@lru_cache(maxsize=8)
def calendar_for(settings: CalendarSettings) -> BusinessCalendar:
    """One BusinessCalendar per settings, kept: a fresh one builds its holiday table again
    (≈ 3.5 ms for China), which per inbound message was most of reading its dates."""
    return BusinessCalendar(settings)


def _weekend_workdays(public: holidays.HolidayBase, year: int) -> Iterable[date]:
    public.get(date(year, 1, 1))  # make sure the year is populated before reading its workdays
    return getattr(public, "weekend_workdays", ())
