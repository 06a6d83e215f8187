"""Properties of business-day arithmetic: counting and stepping agree, and overrides always win.

Checked on China's calendar (public holidays and the weekend days made working days, 调休), on
China's with company overrides on top, and on a plain Monday-to-Friday week against a closed-form
count that shares no code with the calendar. ``BusinessDays`` (the cached count used by the at-risk
rule) is compared with the calendar here for overrides and other weekends; China's own calendar is
compared in ``test_at_risk.py``.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mailflow.config.schema import CalendarSettings
from mailflow.domain.at_risk import BusinessDays
from mailflow.domain.business_calendar import BusinessCalendar

FIRST, LAST = date(2024, 1, 1), date(2027, 12, 31)
DAYS = st.dates(FIRST, LAST)
COUNTS = st.integers(-40, 40)

PLAIN = BusinessCalendar(CalendarSettings())
CHINA = BusinessCalendar(CalendarSettings(country="CN"))
# Company overrides on top of China's calendar: a Saturday worked, a Friday off, a public holiday
# worked (National Day 2025) and a day that is both (the working-day override wins).
OVERRIDES = CalendarSettings(
    country="CN",
    extra_holidays=(date(2025, 3, 14), date(2025, 12, 24), date(2026, 6, 1)),
    extra_working_days=(date(2025, 3, 15), date(2025, 10, 1), date(2026, 6, 1)),
)
COMPANY = BusinessCalendar(OVERRIDES)
CALENDARS = st.sampled_from([PLAIN, CHINA, COMPANY])


def weekdays_through(day: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) to ``day``, counted in closed form."""
    ordinal = day.toordinal()
    return ordinal // 7 * 5 + min(ordinal % 7, 5)


def last_business_day_on_or_before(calendar: BusinessCalendar, day: date) -> date:
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    return day


def first_business_day_on_or_after(calendar: BusinessCalendar, day: date) -> date:
    while not calendar.is_business_day(day):
        day += timedelta(days=1)
    return day


@settings(deadline=None, max_examples=200)
@given(DAYS, DAYS)
def test_a_plain_week_counts_like_the_closed_form(start: date, end: date) -> None:
    expected = weekdays_through(end) - weekdays_through(start)
    assert PLAIN.business_days_between(start, end) == expected
    assert PLAIN.is_business_day(start) == (start.weekday() < 5)


@settings(deadline=None, max_examples=150)
@given(DAYS)
def test_overrides_win_and_otherwise_the_country_decides(day: date) -> None:
    if day in OVERRIDES.extra_working_days:
        expected = True
    elif day in OVERRIDES.extra_holidays:
        expected = False
    else:
        expected = CHINA.is_business_day(day)
    assert COMPANY.is_business_day(day) == expected


def test_the_overrides_are_seen() -> None:
    # The property above only means something if the overrides change China's answer.
    national_day, friday_off = date(2025, 10, 1), date(2025, 3, 14)
    assert not CHINA.is_business_day(national_day) and COMPANY.is_business_day(national_day)
    assert CHINA.is_business_day(friday_off) and not COMPANY.is_business_day(friday_off)
    assert COMPANY.is_business_day(date(2026, 6, 1))  # both lists: working wins
    # 调休: Sunday 2025-01-26 is worked in China.
    assert CHINA.is_business_day(date(2025, 1, 26)) and not PLAIN.is_business_day(date(2025, 1, 26))


@settings(deadline=None, max_examples=200)
@given(CALENDARS, DAYS, COUNTS)
def test_adding_lands_on_a_business_day_exactly_that_many_business_days_away(
    calendar: BusinessCalendar, start: date, count: int
) -> None:
    end = calendar.add_business_days(start, count)
    if count == 0:
        assert end == start
        return
    assert calendar.is_business_day(end)
    assert (end > start) == (count > 0)
    if count > 0:
        # (start, end] holds exactly ``count`` business days, and ``end`` is the first day that
        # reaches the count: one day earlier holds one fewer.
        assert calendar.business_days_between(start, end) == count
        assert calendar.business_days_between(start, end - timedelta(days=1)) == count - 1
    else:
        # [end, start) holds exactly -count business days, and end is the last day that does.
        day_before = timedelta(days=1)
        assert calendar.business_days_between(end - day_before, start - day_before) == -count
        assert calendar.business_days_between(end, start - day_before) == -count - 1


@settings(deadline=None, max_examples=150)
@given(CALENDARS, DAYS, COUNTS)
def test_between_undoes_adding_from_a_business_day(
    calendar: BusinessCalendar, start: date, count: int
) -> None:
    start = first_business_day_on_or_after(calendar, start)
    assert calendar.business_days_between(start, calendar.add_business_days(start, count)) == count


@settings(deadline=None, max_examples=150)
@given(CALENDARS, DAYS, st.integers(1, 40))
def test_adding_then_subtracting_returns_to_the_normalised_start(
    calendar: BusinessCalendar, start: date, count: int
) -> None:
    # Forward then back lands on the last business day on or before the start; back then
    # forward on the first one on or after it: the start itself when it is a business day.
    there = calendar.add_business_days(start, count)
    assert calendar.add_business_days(there, -count) == last_business_day_on_or_before(
        calendar, start
    )
    back = calendar.add_business_days(start, -count)
    assert calendar.add_business_days(back, count) == first_business_day_on_or_after(
        calendar, start
    )


@settings(deadline=None, max_examples=150)
@given(CALENDARS, DAYS, DAYS, COUNTS, COUNTS)
def test_adding_is_monotonic_in_the_start_and_the_count(
    calendar: BusinessCalendar, one: date, other: date, count: int, more: int
) -> None:
    early, late = sorted((one, other))
    assert calendar.add_business_days(early, count) <= calendar.add_business_days(late, count)
    low, high = sorted((count, more))
    assume(low != high)
    assert calendar.add_business_days(early, low) < calendar.add_business_days(early, high)


@settings(deadline=None, max_examples=150)
@given(CALENDARS, DAYS, DAYS, DAYS)
def test_between_is_antisymmetric_additive_and_bounded(
    calendar: BusinessCalendar, a: date, b: date, c: date
) -> None:
    ab = calendar.business_days_between(a, b)
    assert ab == -calendar.business_days_between(b, a)
    assert calendar.business_days_between(a, a) == 0
    assert ab + calendar.business_days_between(b, c) == calendar.business_days_between(a, c)
    assert abs(ab) <= abs((b - a).days)
    if a <= b <= c:
        assert ab <= calendar.business_days_between(a, c)


@settings(deadline=None, max_examples=100)
@given(CALENDARS, DAYS)
def test_the_next_business_day_is_one_business_day_on(
    calendar: BusinessCalendar, day: date
) -> None:
    following = calendar.next_business_day(day)
    assert following == calendar.add_business_days(day, 1)
    assert calendar.business_days_between(day, following) == 1
    same = calendar.next_business_day(day, inclusive=True)
    assert same == first_business_day_on_or_after(calendar, day)


# Other weeks: the cached count must follow the calendar's weekend, not assume Saturday/Sunday.
GULF = BusinessCalendar(
    CalendarSettings(weekend=("fri", "sat"), extra_holidays=(date(2025, 3, 31),))
)


@settings(deadline=None, max_examples=40)
@given(
    st.sampled_from([COMPANY, GULF]),
    st.lists(st.tuples(DAYS, DAYS), min_size=1, max_size=20),
)
def test_the_cached_count_follows_overrides_and_other_weekends(
    calendar: BusinessCalendar, pairs: list[tuple[date, date]]
) -> None:
    days = BusinessDays(calendar)  # one cache, asked in any order (it re-bases on an earlier day)
    for start, end in pairs:
        assert days.between(start, end) == calendar.business_days_between(start, end)
