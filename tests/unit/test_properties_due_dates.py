"""Properties of deadline reading: a date written the way people write it reads back as that date.

For random reference moments and random dates within a year of them, each written form must give
back the date: an absolute one kept as written (with ``business_day`` saying whether it is
worked), a year-less one by ``parse_when``'s half-a-year rule, and a relative one (``下周五``,
``3个工作日内``, ``in 5 days``) as a small reference computes it, moved back to the last business
day before a weekend or holiday. ``leading_due`` splits "<deadline> <free text>" at the deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailflow.config.schema import CalendarSettings
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.due_dates import Due, leading_due, parse_due

CHINA = BusinessCalendar(CalendarSettings(country="CN"))
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS_ZH = "一二三四五六日"

NOWS = st.builds(
    lambda day, hour: datetime.combine(day, time(hour), SHANGHAI),
    st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    st.integers(0, 23),
)
OFFSETS = st.integers(-365, 365)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# Forms with a year: any date reads back.
WITH_YEAR: list[Callable[[date], str]] = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
]
# Forms without one: read in the reference's year unless that is over half a year back.
WITHOUT_YEAR: list[Callable[[date], str]] = [
    lambda d: f"{d.month}月{d.day}日",
    lambda d: f"{d.month}月{d.day}号",
    lambda d: f"{d.month}/{d.day}",
    lambda d: f"{d.month}.{d.day}",
    lambda d: f"{MONTHS[d.month - 1]} {d.day}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]}",
    # Full-width digits, as a Chinese input method types them.
    lambda d: f"{d.month}月{d.day}日".translate(FULL_WIDTH),
]
# Words around a date that do not change it (the module docstring's markers).
MARKERS: list[Callable[[str], str]] = [
    lambda s: s,
    lambda s: f"by {s}",
    lambda s: f"due {s}",
    lambda s: f"before {s}",
    lambda s: f"{s}前",
    lambda s: f"{s}之前",
    lambda s: f"截止{s}",
    lambda s: f"截至{s}为止",
]


def year_rule(month: int, day: int, today: date) -> date | None:
    """The documented rule for a date without a year: this year's unless that is more than half
    a year (183 days) ago, then next year's; a 29 February this year lacks is next year's."""
    try:
        this_year = date(today.year, month, day)
    except ValueError:
        this_year = None
    if this_year is not None and this_year >= today - timedelta(days=183):
        return this_year
    try:
        return date(today.year + 1, month, day)
    except ValueError:
        return None


def moved_back(day: date, today: date) -> tuple[date, date | None]:
    """A relative deadline on a non-business day: the last business day before it, not before
    today (then it stays). Returns the day and the day it was moved from, if any."""
    moved = day
    while not CHINA.is_business_day(moved) and moved > today:
        moved -= timedelta(days=1)
    if moved == day or not CHINA.is_business_day(moved):
        return day, None
    return moved, day


def assert_absolute(found: Due | None, day: date, text: str) -> None:
    """``found`` is ``day`` as written: not moved, and flagged when it is not a business day."""
    assert found is not None, text
    assert (found.day, found.time, found.relative) == (day, None, False), text
    assert found.moved_from is None and found.business_day == CHINA.is_business_day(day)


@settings(deadline=None, max_examples=150)
@given(NOWS, OFFSETS, st.sampled_from(WITH_YEAR), st.sampled_from(MARKERS), st.sampled_from(".。 "))
def test_a_date_with_a_year_reads_back_as_written(
    now: datetime,
    offset: int,
    form: Callable[[date], str],
    marker: Callable[[str], str],
    end: str,
) -> None:
    day = now.date() + timedelta(days=offset)
    text = marker(form(day)) + end
    found = parse_due(text, now=now, calendar=CHINA)
    assert_absolute(found, day, text)
    assert found is not None and found.raw == text.strip().rstrip(".。")


@settings(deadline=None, max_examples=200)
@given(NOWS, OFFSETS, st.sampled_from(WITHOUT_YEAR), st.sampled_from(MARKERS))
# A 29 February that the reference's year lacks is next year's (2028 here), not unreadable.
@example(datetime(2027, 12, 1, 9, tzinfo=SHANGHAI), 90, WITHOUT_YEAR[0], MARKERS[0])
@example(datetime(2027, 12, 1, 9, tzinfo=SHANGHAI), 90, WITHOUT_YEAR[4], MARKERS[1])
# "截止10.1" is a date as written (National Day), not a relative one moved to 30 September.
@example(datetime(2025, 9, 1, 9, tzinfo=SHANGHAI), 30, WITHOUT_YEAR[3], MARKERS[6])
def test_a_date_without_a_year_follows_the_half_year_rule(
    now: datetime, offset: int, form: Callable[[date], str], marker: Callable[[str], str]
) -> None:
    day = now.date() + timedelta(days=offset)
    text = marker(form(day))
    expected = year_rule(day.month, day.day, now.date())
    assert expected is not None  # the date exists in one of the two years
    assert_absolute(parse_due(text, now=now, calendar=CHINA), expected, text)
    if 0 <= offset <= 180 or (day.year == now.year and offset >= -183):
        # Up to half a year ahead, or back within this year, it is the date meant (a year-less
        # date is never last year's: 12月31日 written on 1 January is this December).
        assert expected == day


@settings(deadline=None, max_examples=80)
@given(NOWS, st.integers(1, 180))
def test_a_day_first_date_reads_back_when_the_day_cannot_be_a_month_else_month_first(
    now: datetime, offset: int
) -> None:
    day = now.date() + timedelta(days=offset)
    text = f"{day.day}/{day.month}"
    found = parse_due(text, now=now, calendar=CHINA)
    if day.day > 12:
        assert_absolute(found, day, text)
    else:
        # Both could be a month: read month first, as the US and Chinese orders agree.
        month_first = year_rule(day.day, day.month, now.date())
        assert month_first is not None
        assert_absolute(found, month_first, text)


def weekday_next_week(today: date, weekday: int) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(weeks=1, days=weekday)


def weekday_on_or_after(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


@st.composite
def relative_phrases(draw: st.DrawFn, today: date) -> tuple[str, date]:
    """A relative deadline and the day it names before any move off a holiday."""
    weekday = draw(st.integers(0, 6))
    count = draw(st.integers(1, 30))
    marker = draw(st.sampled_from(MARKERS))  # around a named day; a count carries its own
    named = [
        (f"下周{WEEKDAYS_ZH[weekday]}", weekday_next_week(today, weekday)),
        (f"下週{WEEKDAYS_ZH[weekday]}", weekday_next_week(today, weekday)),
        (f"下星期{WEEKDAYS_ZH[weekday]}", weekday_next_week(today, weekday)),
        (f"next {WEEKDAYS_EN[weekday]}", weekday_next_week(today, weekday)),
        (f"周{WEEKDAYS_ZH[weekday]}", weekday_on_or_after(today, weekday)),
        (f"礼拜{WEEKDAYS_ZH[weekday]}", weekday_on_or_after(today, weekday)),
        (WEEKDAYS_EN[weekday], weekday_on_or_after(today, weekday)),
        ("明天", today + timedelta(days=1)),
        ("tomorrow", today + timedelta(days=1)),
        ("后天", today + timedelta(days=2)),
    ]
    counted = [
        (f"{count}天内", today + timedelta(days=count)),
        (f"in {count} days", today + timedelta(days=count)),
        (f"{count}周内", today + timedelta(weeks=count)),
        ("下周内", weekday_next_week(today, 4)),
        ("end of next week", weekday_next_week(today, 4)),
    ]
    return draw(st.sampled_from([(marker(text), day) for text, day in named] + counted))


@settings(deadline=None, max_examples=200)
@given(NOWS, st.data())
def test_a_relative_deadline_is_the_reference_day_moved_off_holidays(
    now: datetime, data: st.DataObject
) -> None:
    today = now.date()
    text, named = data.draw(relative_phrases(today))
    found = parse_due(text, now=now, calendar=CHINA)
    assert found is not None, text
    day, moved_from = moved_back(named, today)
    assert (found.day, found.moved_from, found.relative, found.time) == (
        day,
        moved_from,
        True,
        None,
    )
    # Moved or not, it is never earlier than the day it was said on, nor later than named.
    assert today <= found.day <= named


BUSINESS_DAY_FORMS = [
    "{}个工作日内",
    "{}個工作天內",
    "in {} business days",
    "within {} working days",
]


@settings(deadline=None, max_examples=100)
@given(NOWS, st.integers(1, 30), st.sampled_from(BUSINESS_DAY_FORMS))
def test_business_days_are_counted_on_the_calendar(now: datetime, count: int, form: str) -> None:
    found = parse_due(form.format(count), now=now, calendar=CHINA)
    expected = CHINA.add_business_days(now.date(), count)
    assert found is not None
    assert (found.day, found.moved_from, found.relative) == (expected, None, True)
    assert CHINA.business_days_between(now.date(), found.day) == count


# Free text after a deadline: words that neither name a day nor are a deadline's markers.
WORDS = st.sampled_from(
    [
        "等供应商报价",
        "确认预算",
        "提交方案",
        "合同",
        "张伟负责",
        "send",
        "draft",
        "review",
        "vendor",
        "quote",
        "API",
        "v2",
        "😀",
        # Punctuation that opens the rest belongs to it: "3月20日 (等供应商)" keeps its bracket.
        "(见附件)",
        "（待定）",
        "[TBD]",
        "“报价”",
        '"final"',
        "-",
        "—",
        "#12",
        "@bob",
    ]
)
FREE_TEXT = st.lists(WORDS, min_size=1, max_size=5).map(" ".join)


@settings(deadline=None, max_examples=150)
@given(NOWS, OFFSETS, st.sampled_from(WITH_YEAR + WITHOUT_YEAR), FREE_TEXT)
def test_leading_due_splits_the_deadline_from_the_rest(
    now: datetime, offset: int, form: Callable[[date], str], rest: str
) -> None:
    day = now.date() + timedelta(days=offset)
    deadline = form(day)
    alone = parse_due(deadline, now=now, calendar=CHINA)
    found = leading_due(f"{deadline} {rest}", now=now, calendar=CHINA)
    assert found is not None and alone is not None
    assert found == (alone, rest)
    assert found[0].raw == deadline


@settings(deadline=None, max_examples=80)
@given(NOWS, st.data(), FREE_TEXT)
def test_leading_due_splits_a_relative_deadline_too(
    now: datetime, data: st.DataObject, rest: str
) -> None:
    text, _ = data.draw(relative_phrases(now.date()))
    alone = parse_due(text, now=now, calendar=CHINA)
    assert leading_due(f"{text} {rest}", now=now, calendar=CHINA) == (alone, rest)
