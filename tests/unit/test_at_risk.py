"""At risk before late: the pure rule, the TALKED command, and what the digest shows of it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.config.schema import CalendarSettings, Person
from mailflow.domain.at_risk import BusinessDays, assess, time_used
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import parse_item_commands
from mailflow.outbound.kinds.digest.digest_data import ProjectLine
from tests.unit.test_digest_mail import item, render, visible

WEEKDAYS = BusinessCalendar(CalendarSettings())
START, DUE = date(2025, 3, 7), date(2025, 3, 21)  # Fri to Fri: ten business days


@pytest.mark.parametrize(
    ("today", "progress", "at_risk"),
    [
        (START, 0, False),  # its time has not begun
        (date(2025, 3, 11), 0, False),  # 20 % of the time gone: lags by exactly 20, not more
        (date(2025, 3, 12), 0, True),  # 30 % gone, nothing done
        (date(2025, 3, 12), 10, False),  # 30 % gone, 10 % done: lags by 20
        (date(2025, 3, 19), 50, True),  # 80 % gone, half done
        (date(2025, 3, 20), 60, True),  # the day before, 60 % done
        (DUE, 0, False),  # its due day: due today, which the reminders tell
        (date(2025, 3, 24), 0, False),  # past due: overdue, which escalation handles
    ],
)
def test_an_item_is_at_risk_when_progress_lags_time_by_more_than_the_points(
    today: date, progress: int, at_risk: bool
) -> None:
    found = assess(progress, START, DUE, today, WEEKDAYS, lag_points=20)
    assert (found is not None) == at_risk


def test_weekends_do_not_count_as_time_used() -> None:
    # Friday to the next Friday is five business days; on Monday one is gone, not three.
    assert time_used(date(2025, 3, 14), DUE, date(2025, 3, 17), WEEKDAYS) == 20


def test_an_item_without_time_to_measure_is_never_at_risk() -> None:
    assert assess(0, START, None, START, WEEKDAYS, lag_points=20) is None
    assert assess(0, START, START, START, WEEKDAYS, lag_points=20) is None


@given(
    st.integers(0, 100),
    st.dates(date(2024, 1, 1), date(2026, 12, 31)),
    st.integers(0, 60),
    st.integers(0, 70),
)
def test_more_progress_never_makes_an_item_riskier(
    progress: int, start: date, length: int, day: int
) -> None:
    due, today = (
        start.fromordinal(start.toordinal() + length),
        start.fromordinal(start.toordinal() + day),
    )
    less = assess(progress, start, due, today, WEEKDAYS, lag_points=20)
    more = assess(min(100, progress + 10), start, due, today, WEEKDAYS, lag_points=20)
    if more is not None:
        assert less is not None and less.lag > more.lag
    used = time_used(start, due, today, WEEKDAYS)
    assert used is None or 0 <= used <= 100


CHINA = BusinessCalendar(CalendarSettings(country="CN"))


# The calendar's own count walks every day: slow on purpose, so no per-example deadline.
@settings(deadline=None, max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.dates(date(2024, 1, 1), date(2027, 12, 31)),
            st.dates(date(2024, 1, 1), date(2027, 12, 31)),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_the_cached_count_is_the_calendars_count(pairs: list[tuple[date, date]]) -> None:
    days = BusinessDays(CHINA)  # one cache asked in any order, as a planning pass does
    for start, end in pairs:
        assert days.between(start, end) == CHINA.business_days_between(start, end)


NOW = datetime(2025, 3, 17, 2, 0, tzinfo=UTC)
DIRECTORY = Directory([Person("bob@example.com", "Bob Li")])


@pytest.mark.parametrize(
    ("line", "ref", "note"),
    [
        ("MF-0042 TALKED agreed to add a tester", "MF-0042", "agreed to add a tester"),
        ("已约谈，周三前补齐人手", None, "周三前补齐人手"),
        ("已約談 週三前補齊人手", None, "週三前補齊人手"),
        ("TALKED", None, None),
    ],
)
def test_the_coordinator_records_a_talk(line: str, ref: str | None, note: str | None) -> None:
    found = parse_item_commands(line, now=NOW, directory=DIRECTORY)
    assert not found.errors
    [command] = found.commands
    assert (command.verb, command.ref, command.args.get("note")) == ("talked", ref, note)


def test_talked_in_a_sentence_is_not_a_command() -> None:
    found = parse_item_commands("Talked to him yesterday, fine", now=NOW, directory=DIRECTORY)
    assert not found.commands and not found.errors


def extras() -> dict[str, Any]:
    return {
        "at_risk": [
            item("MF-0061", "Migrate billing", "Engineering", date(2025, 3, 21), progress=10)
        ],
        "awaiting": [
            item("MF-0062", "发布方案", "Engineering", date(2025, 3, 18), deliverable="见附件")
        ],
        "delays": {"external": 2, "resources": 1},
        "projects": [ProjectLine("新产品发布", open=5, overdue=1, at_risk=1, awaiting=1)],
    }


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ("At risk, progress behind schedule (1)", "Awaiting acceptance (1)", "external 2")),
        ("zh_CN", ("进度滞后（1）", "待验收（1）", "外部风险 2")),
        ("zh_TW", ("進度落後（1）", "待驗收（1）", "外部風險 2")),
    ],
)
def test_the_digest_lists_at_risk_first_then_acceptance_delays_and_projects(
    locale: str, words: tuple[str, str, str]
) -> None:
    _, text, markup = render(locale, **extras())
    for body in (text, visible(markup)):
        for word in words:
            assert word in body
        assert "新产品发布" in body and "MF-0061" in body and "见附件" in body
        at_risk, decisions = body.index(words[0]), body.index("MF-0061")
        assert at_risk < decisions
        # At risk comes before the overdue list (MF-0041 is the most overdue item).
        assert body.index("MF-0061") < body.index("MF-0041")


def test_a_digest_without_them_shows_no_empty_sections() -> None:
    _, text, markup = render("en")
    for body in (text, visible(markup)):
        assert "At risk," not in body and "Awaiting acceptance (" not in body
        assert "Projects" not in body and "Delayed items by reason" not in body
