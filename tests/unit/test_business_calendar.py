"""Business days: weekends, China's public holidays and adjusted working days, company overrides."""

from __future__ import annotations

from datetime import date

import pytest

from mailflow.config.schema import CalendarSettings
from mailflow.domain.business_calendar import BusinessCalendar

CHINA = BusinessCalendar(CalendarSettings(country="CN"))


def test_weekends_are_not_business_days() -> None:
    assert CHINA.is_business_day(date(2025, 3, 7))  # Friday
    assert not CHINA.is_business_day(date(2025, 3, 8))  # Saturday
    assert not CHINA.is_business_day(date(2025, 3, 9))  # Sunday
    assert CHINA.is_business_day(date(2025, 3, 10))  # Monday


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 1, 28),  # Spring Festival eve, a Tuesday
        date(2025, 1, 29),
        date(2025, 2, 4),  # a weekday given off in exchange for Saturday 2025-02-08
        date(2025, 10, 1),  # National Day, a Wednesday
        date(2025, 10, 8),
    ],
)
def test_public_holidays_are_not_business_days(day: date) -> None:
    assert not CHINA.is_business_day(day)


def test_holidays_have_names() -> None:
    assert CHINA.holiday_name(date(2025, 10, 1)) == "National Day"
    assert CHINA.holiday_name(date(2025, 1, 28)) is not None
    assert CHINA.holiday_name(date(2025, 3, 10)) is None


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 1, 26),  # Sunday, worked for the Spring Festival
        date(2025, 2, 8),  # Saturday, worked for the Spring Festival
        date(2025, 9, 28),  # Sunday, worked for National Day
        date(2025, 10, 11),  # Saturday, worked for National Day
    ],
)
def test_adjusted_working_weekend_days_are_business_days(day: date) -> None:
    # Asked first on a fresh calendar: the year must be loaded before its 调休 days are read.
    assert BusinessCalendar(CalendarSettings(country="CN")).is_business_day(day)
    assert day.weekday() >= 5


def test_the_weekend_next_to_an_adjusted_day_is_still_off() -> None:
    assert not CHINA.is_business_day(date(2025, 10, 12))  # the Sunday after the worked Saturday
    assert not CHINA.is_business_day(date(2025, 9, 27))  # the Saturday before the worked Sunday


def test_company_overrides_win_over_the_public_calendar() -> None:
    calendar = BusinessCalendar(
        CalendarSettings(
            country="CN",
            extra_working_days=(date(2025, 3, 9), date(2025, 10, 2)),  # a Sunday, a holiday
            extra_holidays=(date(2025, 3, 12), date(2025, 1, 26)),  # a Wednesday, a 调休 Sunday
        )
    )
    assert calendar.is_business_day(date(2025, 3, 9))
    assert calendar.is_business_day(date(2025, 10, 2))
    assert not calendar.is_business_day(date(2025, 3, 12))
    assert calendar.holiday_name(date(2025, 3, 12)) == "company holiday"
    assert not calendar.is_business_day(date(2025, 1, 26))


def test_without_a_country_only_weekends_are_off() -> None:
    plain = BusinessCalendar(CalendarSettings())
    assert plain.is_business_day(date(2025, 10, 1))  # National Day means nothing here
    assert not plain.is_business_day(date(2025, 10, 11))  # nor does an adjusted Saturday
    assert plain.holiday_name(date(2025, 10, 1)) is None


def test_a_configured_weekend_replaces_saturday_and_sunday() -> None:
    gulf = BusinessCalendar(CalendarSettings(weekend=("fri", "sat")))
    assert not gulf.is_business_day(date(2025, 3, 7))  # Friday
    assert gulf.is_business_day(date(2025, 3, 9))  # Sunday


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2025, 3, 7), 1, date(2025, 3, 10)),  # Friday + 1 → Monday
        (date(2025, 3, 10), -1, date(2025, 3, 7)),  # Monday - 1 → Friday
        (date(2025, 3, 10), 0, date(2025, 3, 10)),
        # Spring Festival: Tuesday 28 January to Tuesday 4 February off, Sunday 26 January worked.
        (date(2025, 1, 27), 1, date(2025, 2, 5)),
        (date(2025, 2, 5), -1, date(2025, 1, 27)),
        (date(2025, 2, 5), -2, date(2025, 1, 26)),
        (date(2025, 1, 24), 1, date(2025, 1, 26)),  # Friday + 1 → the worked Sunday
        # National Day: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 10, 9), -1, date(2025, 9, 30)),
        (date(2025, 10, 9), 2, date(2025, 10, 11)),
        (date(2025, 10, 13), -1, date(2025, 10, 11)),
        (date(2025, 9, 29), -1, date(2025, 9, 28)),
    ],
)
def test_add_business_days(start: date, count: int, expected: date) -> None:
    assert CHINA.add_business_days(start, count) == expected


def test_add_business_days_across_a_year_end() -> None:
    assert CHINA.add_business_days(date(2025, 12, 31), 1) == date(2026, 1, 4)  # a worked Sunday


def test_business_days_between_counts_the_half_open_range() -> None:
    # (Friday 24 January, Friday 7 February]: 26 Jan, 27 Jan, 5, 6 and 7 Feb.
    assert CHINA.business_days_between(date(2025, 1, 24), date(2025, 2, 7)) == 5
    assert CHINA.business_days_between(date(2025, 2, 7), date(2025, 1, 24)) == -5
    assert CHINA.business_days_between(date(2025, 3, 10), date(2025, 3, 10)) == 0
    assert CHINA.business_days_between(date(2025, 3, 7), date(2025, 3, 10)) == 1


def test_next_business_day() -> None:
    assert CHINA.next_business_day(date(2025, 10, 1)) == date(2025, 10, 9)
    assert CHINA.next_business_day(date(2025, 10, 9), inclusive=True) == date(2025, 10, 9)
    assert CHINA.next_business_day(date(2025, 10, 9)) == date(2025, 10, 10)


def test_calendar_for_keeps_one_calendar_per_settings() -> None:
    from mailflow.domain.business_calendar import calendar_for

    settings = CalendarSettings(country="CN", extra_holidays=(date(2025, 3, 11),))
    assert calendar_for(settings) is calendar_for(CalendarSettings(**vars(settings)))
    assert calendar_for(settings) is not calendar_for(CalendarSettings(country="CN"))
    assert not calendar_for(settings).is_business_day(date(2025, 3, 11))
