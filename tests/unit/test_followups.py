"""Follow-ups planned with a stepping clock: reminders, weekly requests, escalation, quiet hours.

Dates are checked against China's 2025 calendar: National Day is 1–8 October, Sunday 28 September
and Saturday 11 October are worked, Friday 4 April is Qingming.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.schema import CalendarSettings, ScheduleSettings
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.escalation import EscalationDue, escalations
from mailflow.domain.followups import (
    ItemState,
    ReminderDue,
    group_by_owner,
    latest_weekly_period,
    owner_reminders,
    weekly_nudges,
    weekly_progress,
)
from mailflow.domain.quiet_hours import in_quiet_hours, next_send_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")
CHINA = BusinessCalendar(CalendarSettings(country="CN"))
WEEKENDS = BusinessCalendar(CalendarSettings())
SETTINGS = ScheduleSettings(timezone="Asia/Shanghai", calendar=CalendarSettings(country="CN"))


def at(month: int, day: int, hour: int = 0, minute: int = 0, tz: ZoneInfo = SHANGHAI) -> datetime:
    """A 2025 wall-clock time, in Shanghai unless told."""
    return datetime(2025, month, day, hour, minute, tzinfo=tz)


def item(**changes: Any) -> ItemState:
    base = ItemState(
        ref="MF-0001",
        owner="bob@example.com",
        meeting_organiser="alice@example.com",
        owner_executive="carol@example.com",
        due=date(2025, 3, 12),
        due_time=None,
        status="in_progress",
        last_update_at=None,
        created_at=at(3, 1),
        escalation_level=0,
        tz="Asia/Shanghai",
    )
    return dataclasses.replace(base, **changes)


def reminders(state: ItemState, now: datetime) -> list[ReminderDue]:
    return owner_reminders([state], now=now, calendar=CHINA, settings=SETTINGS)


def stepping(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    now = start
    while now <= end:
        yield now
        now += step


def first_seen(state: ItemState, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
    """Each reminder key the planner would create, with the hour it first appeared."""
    seen: dict[str, datetime] = {}
    for now in stepping(start, end, timedelta(hours=1)):
        for reminder in reminders(state, now):
            assert len(reminders(state, now)) == 1  # one stage per item per run
            seen.setdefault(reminder.key, now)
    return list(seen.items())


# Reminders: 3 and 1 business days before, on the due day, overdue the next business day.


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        # Wednesday: the week before is plain.
        (date(2025, 3, 12), [(3, 7), (3, 11), (3, 12), (3, 13)]),
        # Monday: both warnings skip the weekend.
        (date(2025, 3, 10), [(3, 5), (3, 7), (3, 10), (3, 11)]),
        # Thursday after National Day: 1 business day before is 30 September, 3 before is the
        # worked Sunday 28 September.
        (date(2025, 10, 9), [(9, 28), (9, 30), (10, 9), (10, 10)]),
        # Monday 13 October: the worked Saturday 11 October is 1 business day before.
        (date(2025, 10, 13), [(10, 9), (10, 11), (10, 13), (10, 14)]),
    ],
)
def test_reminder_days_with_a_stepping_clock(due: date, expected: list[tuple[int, int]]) -> None:
    state = item(due=due, created_at=at(9, 1) if due.month == 10 else at(3, 1))
    start = at(due.month, due.day) - timedelta(days=20)
    got = first_seen(state, start, start + timedelta(days=30))
    stages = ["before_3", "before_1", "due_today", "overdue"]
    assert got == [
        (f"reminder:MF-0001:{due.isoformat()}:{stage}", at(month, day, 9))
        for stage, (month, day) in zip(stages, expected, strict=True)
    ]


def test_a_deadline_on_a_holiday_has_no_due_day_reminder() -> None:
    state = item(due=date(2025, 10, 3), created_at=at(9, 1))
    got = first_seen(state, at(9, 20), at(10, 20))
    assert [(key.rsplit(":", 1)[1], when) for key, when in got] == [
        ("before_3", at(9, 28, 9)),
        ("before_1", at(9, 30, 9)),
        ("overdue", at(10, 9, 9)),
    ]


@pytest.mark.parametrize(
    ("now", "stage"),
    [
        (at(3, 7, 8, 59), None),
        (at(3, 7, 9), "before_3"),
        (at(3, 10, 18), "before_3"),  # still the newest stage; its key makes it one mail
        (at(3, 11, 9), "before_1"),
        (at(3, 12, 9), "due_today"),
        (at(3, 13, 8, 59), "due_today"),
        (at(3, 13, 9), "overdue"),
        # After a week of downtime the owner hears once that the item is overdue.
        (at(3, 19, 9), "overdue"),
        (datetime(2025, 3, 13, 1, 0, tzinfo=UTC), "overdue"),  # 09:00 in Shanghai
    ],
)
def test_only_the_newest_stage_counts(now: datetime, stage: str | None) -> None:
    assert [r.stage for r in reminders(item(), now)] == ([stage] if stage else [])


def test_a_due_time_before_the_send_hour_has_no_due_day_reminder() -> None:
    state = item(due_time=time(8, 30))
    assert [r.stage for r in reminders(state, at(3, 12, 10))] == ["before_1"]


def test_stages_before_the_item_existed_are_not_sent() -> None:
    state = item(created_at=at(3, 11, 10))
    assert reminders(state, at(3, 11, 12)) == []
    assert [r.stage for r in reminders(state, at(3, 12, 9))] == ["due_today"]


def test_an_item_recorded_already_overdue_gets_the_overdue_notice() -> None:
    state = item(created_at=at(3, 18, 10))
    assert [r.stage for r in reminders(state, at(3, 18, 10))] == ["overdue"]


def test_a_new_due_date_gives_new_keys() -> None:
    before = reminders(item(), at(3, 11, 9))
    assert [r.key for r in before] == ["reminder:MF-0001:2025-03-12:before_1"]
    delayed = item(due=date(2025, 3, 19), status="delayed", last_update_at=at(3, 11, 10))
    assert reminders(delayed, at(3, 11, 11)) == []
    assert [r.key for r in reminders(delayed, at(3, 14, 9))] == [
        "reminder:MF-0001:2025-03-19:before_3"
    ]


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_closed_items_get_no_reminders(status: str) -> None:
    assert reminders(item(status=status), at(3, 13, 9)) == []


def test_items_without_a_due_date_get_no_reminders() -> None:
    assert reminders(item(due=None), at(3, 13, 9)) == []


def test_reminders_follow_the_item_zone() -> None:
    state = item(tz="Europe/London")
    assert reminders(state, at(3, 11, 9, tz=LONDON) - timedelta(minutes=1))[0].stage == "before_3"
    assert reminders(state, at(3, 11, 9, tz=LONDON))[0].stage == "before_1"


def test_one_mail_per_owner_lists_all_their_items() -> None:
    items = [
        item(ref="MF-0003", due=date(2025, 3, 13)),
        item(ref="MF-0001"),
        item(ref="MF-0002", owner="dan@example.com"),
        item(ref="MF-0004", due=date(2025, 3, 30)),  # nothing to say yet
    ]
    due = owner_reminders(items, now=at(3, 12, 9), calendar=CHINA, settings=SETTINGS)
    grouped = group_by_owner(due)
    assert list(grouped) == ["bob@example.com", "dan@example.com"]
    assert [(r.ref, r.stage) for r in grouped["bob@example.com"]] == [
        ("MF-0001", "due_today"),
        ("MF-0003", "before_1"),
    ]
    assert [r.ref for r in grouped["dan@example.com"]] == ["MF-0002"]


# The weekly progress request and the Monday nudge.


def weekly(now: datetime, items: list[ItemState] | None = None) -> tuple[str, datetime] | None:
    got = weekly_progress(
        items if items is not None else [item()], now=now, calendar=CHINA, settings=SETTINGS
    )
    return None if got is None else (got.period.key, got.period.request_at)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(3, 14, 14, 59), None),
        (at(3, 14, 15), ("2025-W11", at(3, 14, 15))),
        (at(3, 15, 12), ("2025-W11", at(3, 14, 15))),  # a missed Friday is caught up, once
        (at(3, 17, 9), None),  # a new week: nothing until its Friday
        # Friday 4 April is Qingming: the request goes out on Thursday.
        (at(4, 3, 14, 59), None),
        (at(4, 3, 15), ("2025-W14", at(4, 3, 15))),
        # National Day week: Wednesday to Friday are holidays, so Tuesday 30 September.
        (at(9, 30, 15), ("2025-W40", at(9, 30, 15))),
        (at(10, 10, 15), ("2025-W41", at(10, 10, 15))),
    ],
)
def test_weekly_request(now: datetime, expected: tuple[str, datetime] | None) -> None:
    assert weekly(now) == expected


def test_weekly_request_lists_open_items_per_owner() -> None:
    items = [
        item(ref="MF-0002"),
        item(ref="MF-0001"),
        item(ref="MF-0003", owner="dan@example.com", due=None),
        item(ref="MF-0004", owner="erin@example.com", status="done"),
    ]
    got = weekly_progress(items, now=at(3, 14, 15), calendar=CHINA, settings=SETTINGS)
    assert got is not None
    assert got.owners == {
        "bob@example.com": ("MF-0001", "MF-0002"),
        "dan@example.com": ("MF-0003",),
    }
    assert got.period.answer_by == at(3, 14, 17)
    assert got.period.request_key("dan@example.com") == "weekly:2025-W11:dan@example.com"
    assert weekly(at(3, 14, 15), [item(status="done")]) is None


def test_no_request_in_a_week_without_a_business_day_before_the_request_day() -> None:
    monday = dataclasses.replace(SETTINGS, weekly_progress_day="mon")
    # Monday 6 October is a National Day holiday and the week has nothing before it.
    got = weekly_progress([item()], now=at(10, 6, 16), calendar=CHINA, settings=monday)
    assert got is None


ASKED = {"bob@example.com", "dan@example.com", "erin@example.com"}


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(3, 14, 16), []),
        (at(3, 17, 8, 59), []),
        (at(3, 17, 9), ["bob@example.com", "erin@example.com"]),
        (at(3, 19, 12), ["bob@example.com", "erin@example.com"]),  # one key per week
        (at(4, 7, 9), ["bob@example.com", "erin@example.com"]),  # after Thursday's request
        (at(4, 4, 9), []),  # Qingming is no business day
        (at(10, 8, 9), []),  # after Tuesday 30 September: the nudge waits for 9 October
        (at(10, 9, 9), ["bob@example.com", "erin@example.com"]),
        (at(10, 11, 9), ["bob@example.com", "erin@example.com"]),  # the worked Saturday
    ],
)
def test_weekly_nudge(now: datetime, expected: list[str]) -> None:
    answered = {"dan@example.com"}
    got = weekly_nudges(ASKED, answered, now=now, calendar=CHINA, settings=SETTINGS)
    assert got == expected


def test_nudge_keys_name_the_week_of_the_request() -> None:
    period = latest_weekly_period(at(3, 17, 9), calendar=CHINA, settings=SETTINGS)
    assert period is not None
    assert (period.key, period.nudge_at) == ("2025-W11", at(3, 17, 9))
    assert period.nudge_key("bob@example.com") == "weekly-nudge:2025-W11:bob@example.com"


# Escalation: owner at once, organiser after 24 h, executive after 48 h of silence.

DEADLINE = at(3, 13)  # the end of Wednesday 12 March in Shanghai


def levels(state: ItemState, now: datetime) -> list[tuple[int, str | None]]:
    return [(e.level, e.to) for e in escalations([state], now=now, settings=SETTINGS)]


OWNER = (1, "bob@example.com")
ORGANISER = (2, "alice@example.com")
EXECUTIVE = (3, "carol@example.com")


@pytest.mark.parametrize(
    ("hours", "update_after", "expected"),
    [
        (-0.01, None, []),
        (0, None, [OWNER]),
        (23.99, None, [OWNER]),
        (24, None, [OWNER, ORGANISER]),
        (47.99, None, [OWNER, ORGANISER]),
        (48, None, [OWNER, ORGANISER, EXECUTIVE]),
        # An update 10 h after the deadline restarts the silence window.
        (24, 10, [OWNER]),
        (34, 10, [OWNER, ORGANISER]),
        (48, 10, [OWNER, ORGANISER]),
        (58, 10, [OWNER, ORGANISER, EXECUTIVE]),
        # An update before the deadline does not count as one after it.
        (24, -5, [OWNER, ORGANISER]),
    ],
)
def test_escalation_levels(
    hours: float, update_after: float | None, expected: list[tuple[int, str]]
) -> None:
    update = None if update_after is None else DEADLINE + timedelta(hours=update_after)
    now = DEADLINE + timedelta(hours=hours)
    assert levels(item(last_update_at=update), now) == expected


def test_escalation_keys_and_lateness() -> None:
    now = DEADLINE + timedelta(hours=50)
    got = escalations([item()], now=now, settings=SETTINGS)
    assert [e.key for e in got] == [f"escalation:MF-0001:{n}:2025-03-12" for n in (1, 2, 3)]
    assert {e.overdue_by for e in got} == {timedelta(hours=50)}
    assert [e.due_at for e in got] == [DEADLINE, DEADLINE + timedelta(hours=24), at(3, 15)]


def test_levels_already_done_are_not_due_again() -> None:
    assert levels(item(escalation_level=2), DEADLINE + timedelta(hours=48)) == [EXECUTIVE]
    assert levels(item(escalation_level=3), DEADLINE + timedelta(hours=48)) == []


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_closed_items_never_escalate(status: str) -> None:
    assert levels(item(status=status), DEADLINE + timedelta(days=5)) == []


def test_a_new_due_date_restarts_the_clock() -> None:
    delayed = item(due=date(2025, 3, 19), status="delayed", last_update_at=at(3, 14))
    assert levels(delayed, at(3, 15)) == []
    assert [e.key for e in escalations([delayed], now=at(3, 20), settings=SETTINGS)] == [
        "escalation:MF-0001:1:2025-03-19"
    ]


def test_a_due_time_is_the_deadline() -> None:
    state = item(due_time=time(10, 0))
    assert levels(state, at(3, 12, 9, 59)) == []
    assert levels(state, at(3, 12, 10)) == [OWNER]


def test_an_item_recorded_overdue_is_not_blamed_for_silence_before_it_existed() -> None:
    state = item(created_at=at(3, 20, 10))
    assert levels(state, at(3, 20, 10)) == [OWNER]
    assert levels(state, at(3, 21, 10)) == [OWNER, ORGANISER]


def skipped(state: ItemState) -> list[EscalationDue]:
    now = DEADLINE + timedelta(hours=48)
    return [e for e in escalations([state], now=now, settings=SETTINGS) if e.to is None]


def test_a_level_without_a_recipient_is_skipped_and_reported() -> None:
    assert levels(item(owner_executive=None), DEADLINE + timedelta(hours=48)) == [
        OWNER,
        ORGANISER,
        (3, None),
    ]
    [no_executive] = skipped(item(owner_executive=None))
    assert no_executive.skipped_reason == "no executive known for bob@example.com"
    # Without an organiser the executive is still told.
    assert levels(item(meeting_organiser=None), DEADLINE + timedelta(hours=48)) == [
        OWNER,
        (2, None),
        EXECUTIVE,
    ]
    [self_organised] = skipped(item(meeting_organiser="Bob@example.com"))
    assert self_organised.skipped_reason == "the meeting organiser is the owner"


def test_an_executive_escalation_waits_for_business_hours() -> None:
    # Due Thursday 13 March end of day: level 3 falls due at midnight into Sunday 16 March.
    state = item(due=date(2025, 3, 13))
    [*_, executive] = escalations([state], now=at(3, 16, 0, 30), settings=SETTINGS)
    assert (executive.level, executive.due_at) == (3, at(3, 16))
    held = next_send_time(at(3, 16, 0, 30), settings=SETTINGS, calendar=CHINA, tz="Asia/Shanghai")
    assert held == at(3, 17, 8)


# Quiet hours (20:00 → 08:00, crossing midnight) and non-business days, in the person's zone.


@pytest.mark.parametrize(
    ("now", "tz", "calendar", "expected"),
    [
        (at(3, 11, 10), "Asia/Shanghai", CHINA, None),  # Tuesday morning: at once
        (at(3, 11, 21), "Asia/Shanghai", CHINA, at(3, 12, 8)),
        (at(3, 12, 2), "Asia/Shanghai", CHINA, at(3, 12, 8)),  # after midnight, same morning
        (at(3, 12, 7, 59), "Asia/Shanghai", CHINA, at(3, 12, 8)),
        (at(3, 12, 8), "Asia/Shanghai", CHINA, None),
        (at(3, 12, 19, 59), "Asia/Shanghai", CHINA, None),
        (at(3, 14, 21), "Asia/Shanghai", CHINA, at(3, 17, 8)),  # Friday night → Monday
        (at(3, 15, 12), "Asia/Shanghai", CHINA, at(3, 17, 8)),  # Saturday noon → Monday
        (at(9, 30, 21), "Asia/Shanghai", CHINA, at(10, 9, 8)),  # over National Day
        (at(10, 11, 7), "Asia/Shanghai", CHINA, at(10, 11, 8)),  # the worked Saturday
        # 21:00 in Shanghai is 13:00 in London: quiet for one, working hours for the other.
        (at(3, 11, 21), "Europe/London", WEEKENDS, None),
        # 10:00 in Shanghai is 02:00 in London.
        (at(3, 12, 10), "Europe/London", WEEKENDS, at(3, 12, 8, tz=LONDON)),
        (at(3, 11, 23, 30, tz=LONDON), "Europe/London", WEEKENDS, at(3, 12, 8, tz=LONDON)),
        # British Summer Time: 22:00 UTC is 23:00 in London, held to 08:00 BST (07:00 UTC).
        (
            datetime(2025, 6, 10, 22, tzinfo=UTC),
            "Europe/London",
            WEEKENDS,
            datetime(2025, 6, 11, 7, tzinfo=UTC),
        ),
    ],
)
def test_next_send_time(
    now: datetime, tz: str, calendar: BusinessCalendar, expected: datetime | None
) -> None:
    got = next_send_time(now, settings=SETTINGS, calendar=calendar, tz=tz)
    assert got == (expected or now)


def test_without_quiet_hours_only_business_days_count() -> None:
    none = dataclasses.replace(SETTINGS, quiet_hours_start=None, quiet_hours_end=None)
    assert next_send_time(at(3, 11, 23), settings=none, calendar=CHINA, tz="Asia/Shanghai") == (
        at(3, 11, 23)
    )
    saturday = next_send_time(at(3, 15, 12), settings=none, calendar=CHINA, tz="Asia/Shanghai")
    assert saturday == at(3, 17)


@pytest.mark.parametrize(
    ("moment", "start", "end", "quiet"),
    [
        (time(19, 59), time(20), time(8), False),
        (time(20), time(20), time(8), True),
        (time(0), time(20), time(8), True),
        (time(8), time(20), time(8), False),
        (time(12, 30), time(12), time(13), True),  # a window that does not cross midnight
        (time(13), time(12), time(13), False),
        (time(3), None, None, False),
    ],
)
def test_in_quiet_hours(moment: time, start: time | None, end: time | None, quiet: bool) -> None:
    assert in_quiet_hours(moment, start=start, end=end) is quiet


def test_now_must_be_timezone_aware() -> None:
    naive = datetime(2025, 3, 12, 9)
    with pytest.raises(ValueError, match="timezone-aware"):
        owner_reminders([item()], now=naive, calendar=CHINA, settings=SETTINGS)
    with pytest.raises(ValueError, match="timezone-aware"):
        escalations([item()], now=naive, settings=SETTINGS)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_send_time(naive, settings=SETTINGS, calendar=CHINA, tz="Asia/Shanghai")
