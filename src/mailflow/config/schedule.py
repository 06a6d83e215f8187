"""The checks of the ``[schedule]`` table that no field type covers: the business calendar
(the ``holidays`` package's countries and subdivisions, company overrides), reminder offsets,
quiet hours and the weekly digest.

Each is a validator :mod:`mailflow.config.schema` attaches to one field; one that compares two
keys reads the earlier one from ``info.data`` (see :mod:`mailflow.config.fields`).
"""

from __future__ import annotations

from datetime import date, time
from functools import cache
from typing import Any

from mailflow.config.fields import WEEKDAYS, Check, Weekday, checked, mistyped, problem, suggest


def _country(country: str | None) -> str | None:
    if country is None:
        return None
    supported = _supported_countries()
    if country.upper() not in supported:
        hint = suggest(country.upper(), list(supported))
        raise problem(f"{country!r} is not a country code the holidays package knows{hint}")
    return country.upper()


def _subdivision(subdivision: str | None, data: dict[str, Any]) -> str | None:
    # A country that was wrong is reported already (and absent from data): say nothing more.
    if subdivision is None or "country" not in data:
        return subdivision
    country = data["country"]
    if country is None:
        raise problem("a subdivision needs a country")
    codes = _supported_countries()[country]
    match = next((code for code in codes if code.lower() == subdivision.lower()), None)
    if match is None:
        known = f"one of {', '.join(codes[:12])}{' …' if len(codes) > 12 else ''}"
        use = f"; use {known}" if codes else f'; {country} has none, use ""'
        raise problem(f"{subdivision!r} is not a subdivision of {country}{use}")
    return match


@cache
def _supported_countries() -> dict[str, list[str]]:
    """Country codes (ISO alpha-2 and alpha-3) mapped to their subdivision codes."""
    # Imported here because loading every country's rules costs ~0.1 s, which commands that never
    # read the calendar (such as `mailflow --help`) should not pay.
    import holidays

    countries: dict[str, list[str]] = holidays.list_supported_countries()
    return countries


def _not_holidays(days: tuple[date, ...], data: dict[str, Any]) -> str | None:
    both = sorted(set(days) & set(data.get("extra_holidays", ())))
    return f"{both[0]} is also listed in extra_holidays" if both else None


def _weekend(days: tuple[Weekday, ...]) -> tuple[Weekday, ...]:
    if len(days) == len(WEEKDAYS):
        raise problem("a weekend of seven days leaves no business day")
    return tuple(sorted(days, key=WEEKDAYS.index))


def _offset(value: object) -> int:
    """Business days before a due date: 0 or more."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise mistyped(value, "an integer")
    if value < 0:
        raise problem(f"{value} is negative: offsets count business days before the due date")
    return value


def _both_or_neither(end: time | None, data: dict[str, Any]) -> str | None:
    if "quiet_hours_start" in data and (data["quiet_hours_start"] is None) != (end is None):
        return 'set both quiet_hours_start and quiet_hours_end, or both to ""'
    return None


def _weekly_time(weekly_time: time | None, data: dict[str, Any]) -> str | None:
    if data.get("weekly_day") is not None and weekly_time is None:
        return 'a weekly digest needs a time; set weekly_day = "" to turn it off'
    return None


Country = Check("after", _country)
Subdivision = Check("after", lambda value, info: _subdivision(value, info.data))
NotHolidays = checked(_not_holidays)
Weekend = Check("after", _weekend)
Offset = Check("plain", _offset)
Descending = Check("after", lambda offsets: tuple(sorted(offsets, reverse=True)))
Ascending = Check("after", lambda days: tuple(sorted(days)))
QuietHoursEnd = checked(_both_or_neither)
WeeklyTime = checked(_weekly_time)
