"""Recurrence limits, rules in words, series exceptions, what changed: issue 14's pure parts."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.config.schema import CalendarSettings
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.domain.notice_timing import MAX_WINDOW_OCCURRENCES, due_notices, occurrences
from mailflow.domain.recurrence_limits import RecurrenceLimits, recurrence_problem
from mailflow.domain.recurrence_text import describe
from mailflow.domain.series import merge_events, pruned, with_exception
from mailflow.outbound.kinds.meetings.changes import Occurrence, diff_meetings

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)
LIMITS = RecurrenceLimits(per_day=1, per_year=366)


def series(rule: str = "FREQ=WEEKLY;BYDAY=MO;COUNT=6", **changes: Any) -> MeetingSpec:
    spec = MeetingSpec(
        uid="weekly@example.test",
        title="Weekly",
        organiser=AttendeeSpec("alice@example.test"),
        start=START,
        end=START + timedelta(hours=1),
        tzid="Asia/Shanghai",
        rrule=rule,
        location="Room 5",
    )
    return dataclasses.replace(spec, **changes)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=MO,WE",
        "FREQ=DAILY;COUNT=10",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=YEARLY",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20271231T000000Z",
    ],
)
def test_ordinary_rules_pass(rule: str) -> None:
    assert recurrence_problem(rule, START, LIMITS) is None


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("FREQ=HOURLY", "more often than daily"),
        ("FREQ=MINUTELY;INTERVAL=5", "more often than daily"),
        ("FREQ=DAILY;BYHOUR=9,10,11", "at most 1 a day"),
        ("FREQ=DAILY;BYHOUR=0,1,2;BYMINUTE=0,15,30,45;BYSECOND=0,30", "at most 1 a day"),
        ("FREQ=WEEKLY;BYDAY=MO;BYMINUTE=0,1", "at most 1 a day"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "no date it can happen on"),
        ("FREQ=WEEKLY;UNTIL=20250101T000000Z", "no occurrence within a year"),
        ("FREQ=DAILY;BYSETPOS=400;BYHOUR=1", "cannot be read"),
        ("FREQ=FORTNIGHTLY", "cannot be read"),
    ],
)
def test_floods_and_impossible_rules_are_refused_with_the_reason(rule: str, why: str) -> None:
    problem = recurrence_problem(rule, START, LIMITS)
    assert problem is not None and why in problem


def test_the_daily_limit_is_configurable() -> None:
    twice = RecurrenceLimits(per_day=2, per_year=800)
    assert recurrence_problem("FREQ=DAILY;BYHOUR=9,15", START, twice) is None
    assert recurrence_problem("FREQ=DAILY;BYHOUR=9,12,15", START, twice) is not None


_FREQS = st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"])
_PARTS = st.fixed_dictionaries(
    {},
    optional={
        "INTERVAL": st.integers(1, 5),
        "BYHOUR": st.lists(st.integers(0, 23), min_size=1, max_size=24, unique=True),
        "BYMINUTE": st.lists(st.integers(0, 59), min_size=1, max_size=60, unique=True),
        "BYSECOND": st.lists(st.integers(0, 59), min_size=1, max_size=60, unique=True),
        "BYDAY": st.lists(
            st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1, unique=True
        ),
        "BYMONTHDAY": st.lists(st.integers(1, 31), min_size=1, max_size=31, unique=True),
        "COUNT": st.integers(1, 100_000),
    },
)


@settings(max_examples=150, deadline=None)
@given(freq=_FREQS, parts=_PARTS)
def test_a_rule_intake_accepts_never_queues_more_than_the_cap(
    freq: str, parts: dict[str, object]
) -> None:
    """Property: whatever the rule, one accepted by intake has at most one occurrence a day and
    one planning pass considers at most MAX_WINDOW_OCCURRENCES of it."""
    rule = ";".join(
        [f"FREQ={freq}"]
        + [f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}" for k, v in parts.items()]
    )
    if recurrence_problem(rule, START, LIMITS) is not None:
        return
    spec = series(rule)
    now = START - timedelta(days=1)
    window = occurrences(spec, after=now, before=now + timedelta(days=60))
    assert len(window) <= MAX_WINDOW_OCCURRENCES
    per_day = Counter(start.date() for _, start in window)
    assert not per_day or max(per_day.values()) <= 1
    due = due_notices(
        spec,
        now=now + timedelta(days=20),
        lead_business_days=1,
        send_time=time(9),
        calendar=BusinessCalendar(CalendarSettings()),
    )
    assert len(due) <= MAX_WINDOW_OCCURRENCES


@pytest.mark.parametrize(
    ("rule", "en", "zh"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", "every week on Monday", "每周一"),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=10",
            "every 2 weeks on Monday and Wednesday, 10 times",
            "每2周的周一、周三，共10次",
        ),
        ("FREQ=MONTHLY;BYDAY=-1FR", "every month on the last Friday", "每月的最后一个周五"),
        (
            "FREQ=DAILY;UNTIL=20261231T155959Z",
            "every day, until 31 Dec 2026",
            "每天，至2026年12月31日",
        ),
        ("FREQ=SECONDLY", "FREQ=SECONDLY", "FREQ=SECONDLY"),
    ],
)
def test_rules_in_words(rule: str, en: str, zh: str) -> None:
    assert describe(rule, "en") == en
    assert describe(rule, "zh_CN") == zh


def test_a_moved_occurrence_is_an_override_and_moving_it_back_removes_it() -> None:
    weekly = series()
    rid = START + timedelta(weeks=1)
    moved = dataclasses.replace(
        weekly,
        recurrence_id=rid,
        start=rid + timedelta(days=1),
        end=rid + timedelta(days=1, hours=1),
        sequence=1,
    )
    changed = with_exception(weekly, moved)
    [override] = changed.overrides
    assert (override.recurrence_id, override.start, override.sequence) == (
        rid,
        rid + timedelta(days=1),
        1,
    )
    back = dataclasses.replace(moved, start=rid, end=rid + timedelta(hours=1), sequence=2)
    assert with_exception(changed, back).overrides == ()
    cancelled = dataclasses.replace(moved, status="CANCELLED")
    off = with_exception(changed, cancelled)
    assert off.overrides == () and off.exdates == (rid,)


def test_a_message_with_master_and_exceptions_is_one_series() -> None:
    weekly = series()
    rid = START + timedelta(weeks=2)
    exception = dataclasses.replace(
        weekly,
        recurrence_id=rid,
        start=rid + timedelta(hours=3),
        end=rid + timedelta(hours=4),
        rrule=None,
    )
    [merged] = merge_events([weekly, exception])
    assert [o.recurrence_id for o in merged.overrides] == [rid]
    alone = merge_events([exception])
    assert alone == [exception], "Outlook's exception alone stays one"


def test_a_changed_rule_drops_exceptions_it_no_longer_has() -> None:
    rid = START + timedelta(weeks=5)
    weekly = dataclasses.replace(series(), exdates=(rid,))
    assert pruned(weekly).exdates == (rid,)
    assert pruned(dataclasses.replace(weekly, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=3")).exdates == ()


def test_what_changed_names_moved_cancelled_and_restored_occurrences() -> None:
    weekly = series()
    one, two = START + timedelta(weeks=1), START + timedelta(weeks=2)
    moved = with_exception(
        weekly,
        dataclasses.replace(
            weekly,
            recurrence_id=one,
            start=one + timedelta(hours=5),
            end=one + timedelta(hours=6),
            location="Room 6",
        ),
    )
    changes = diff_meetings(weekly, moved)
    assert [c.field for c in changes] == ["occurrence"]
    old, new = changes[0].old, changes[0].new
    assert isinstance(old, Occurrence) and isinstance(new, Occurrence)
    assert (old.start, new.start, new.location) == (one, one + timedelta(hours=5), "Room 6")
    off = dataclasses.replace(moved, exdates=(two,))
    [cancel] = diff_meetings(moved, off)
    assert cancel.field == "occurrence_cancelled" and isinstance(cancel.old, Occurrence)
    [restore] = diff_meetings(off, moved)
    assert restore.field == "occurrence_restored"
    rule = diff_meetings(weekly, dataclasses.replace(weekly, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4"))
    assert [c.field for c in rule] == ["recurrence"]


def test_moved_occurrences_are_planned_at_their_new_time_named_by_their_original_one() -> None:
    rid = START + timedelta(weeks=1)
    weekly = with_exception(
        series(),
        dataclasses.replace(
            series(),
            recurrence_id=rid,
            start=rid + timedelta(days=2),
            end=rid + timedelta(days=2, hours=1),
        ),
    )
    found = occurrences(weekly, after=START - timedelta(days=1), before=START + timedelta(days=20))
    assert (rid.astimezone(UTC), (rid + timedelta(days=2)).astimezone(UTC)) in [
        (a.astimezone(UTC), b.astimezone(UTC)) for a, b in found
    ]
