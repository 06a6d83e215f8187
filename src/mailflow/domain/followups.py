"""What follow-up mail is due for action items: owner reminders and the weekly progress request.

Pure, like :mod:`mailflow.domain.notice_timing`: item values, ``now``, the business calendar and
the schedule settings in; due work out. The planner turns the result into outbox rows whose
idempotency keys come from here, so planning twice, after a restart or on a second replica yields
one mail. Escalation lives in :mod:`mailflow.domain.escalation`, and when a planned mail may
actually leave (quiet hours, non-business days) in :mod:`mailflow.domain.quiet_hours`.

Owner reminders, per open item with a due date, each from the send hour
(``notice_send_time``) in the item's zone:

- ``before_N`` on the business day N business days before the due date, for each configured
  offset (default 3 and 1);
- ``due_today`` on the due date, only when that is a business day and the send hour comes
  before the deadline; a deadline on a holiday has its last word in the ``before_1`` reminder;
- ``overdue`` on the first business day after the due date.

Only the newest stage whose time has come counts, so after downtime an item that is already
overdue gets one overdue notice, not the whole series. A stage that came before the item existed
is not sent (the assignment mail told the owner); ``overdue`` always is. Keys carry the due date,
so a DELAY to a new date starts a fresh series.

The weekly request goes out on ``weekly_progress_day`` at ``weekly_progress_time`` in the
configured zone; when that day is not a business day it moves to the previous business day of the
same ISO week (Friday 3 April 2025, Qingming, moves to Thursday), and a week with no business day
up to that day has no request. Owners who did not answer get one nudge on the first business day
after the request day, at the send hour: normally Monday, but a worked Saturday (调休) counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mailflow.config.schema import WEEKDAYS, ScheduleSettings
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.zones import zone

# Item statuses that need no more follow-up; the values of ItemStatus in the tracker.
CLOSED_STATUSES = frozenset({"done", "cancelled"})
DUE_TODAY = "due_today"
OVERDUE = "overdue"
# How many weeks back a nudge may still look for the request it follows up.
_WEEKS_BACK = 3


@dataclass(frozen=True)
class ItemState:
    """What follow-up planning needs to know about one action item, as plain values.

    ``due``/``due_time`` are wall-clock in ``tz`` (the item's zone); ``due_time`` None means the
    end of that day. ``created_at`` and ``last_update_at`` are timezone-aware instants.
    """

    ref: str
    owner: str
    meeting_organiser: str | None
    owner_executive: str | None
    due: date | None
    due_time: time | None
    status: str
    last_update_at: datetime | None
    created_at: datetime
    escalation_level: int
    tz: str

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES


def deadline(item: ItemState) -> datetime | None:
    """The instant the item becomes overdue: its due time, or the end of its due date."""
    if item.due is None:
        return None
    if item.due_time is None:
        return datetime.combine(item.due + timedelta(days=1), time(0), tzinfo=zone(item.tz))
    return datetime.combine(item.due, item.due_time, tzinfo=zone(item.tz))


@dataclass(frozen=True)
class ReminderDue:
    owner: str
    ref: str
    stage: str  # "before_3", "before_1", "due_today" or "overdue"
    period_key: str  # "<due date>:<stage>": a new due date gives new keys
    due: date
    due_at: datetime  # when this stage became due, in the item's zone

    @property
    def key(self) -> str:
        return f"reminder:{self.ref}:{self.period_key}"


def reminder_stages(
    item: ItemState, *, calendar: BusinessCalendar, settings: ScheduleSettings
) -> list[tuple[str, datetime]]:
    """The item's reminder stages and when each is due, oldest first."""
    if item.due is None:
        return []
    return _for_item(_stage_times(item.due, item.due_time, item.tz, calendar, settings), item)


# Stages are the same for every item with the same due date, time and zone; only the item's
# creation moment prunes them. A planning pass looks at every open item, so it asks once per
# (due, time, zone) rather than once per item.
_Stages = tuple[datetime, tuple[tuple[str, datetime], ...]]


def _stage_times(
    due: date,
    due_time: time | None,
    tz_name: str,
    calendar: BusinessCalendar,
    settings: ScheduleSettings,
) -> _Stages:
    """The deadline and every stage before pruning: (deadline, ((stage, at), ...))."""
    tz = zone(tz_name)
    if due_time is None:
        end = datetime.combine(due + timedelta(days=1), time(0), tzinfo=tz)
    else:
        end = datetime.combine(due, due_time, tzinfo=tz)
    send = settings.notice_send_time
    stages: list[tuple[str, datetime]] = []
    for offset in sorted(set(settings.reminder_offsets_business_days), reverse=True):
        if offset > 0:
            day = calendar.add_business_days(due, -offset)
            stages.append((f"before_{offset}", datetime.combine(day, send, tzinfo=tz)))
    if calendar.is_business_day(due):
        stages.append((DUE_TODAY, datetime.combine(due, send, tzinfo=tz)))
    stages.append((OVERDUE, datetime.combine(calendar.next_business_day(due), send, tzinfo=tz)))
    return end, tuple(stages)


def _for_item(stages: _Stages, item: ItemState) -> list[tuple[str, datetime]]:
    end, times = stages
    # A reminder that would arrive at or after the deadline is no reminder: the overdue notice
    # and escalation speak then.
    kept = [
        (stage, at)
        for stage, at in times
        if stage == OVERDUE or (at < end and at >= item.created_at)
    ]
    # Sorting is stable, so of two stages due at the same moment the later one in the series wins.
    return sorted(kept, key=lambda stage: stage[1])


def owner_reminders(
    items: Iterable[ItemState],
    *,
    now: datetime,
    calendar: BusinessCalendar,
    settings: ScheduleSettings,
) -> list[ReminderDue]:
    """The newest due reminder stage of each open item with a due date."""
    _require_aware(now)
    due: list[ReminderDue] = []
    known: dict[tuple[date, time | None, str], _Stages] = {}
    for item in items:
        if not item.is_open or item.due is None:
            continue
        key_of_stages = (item.due, item.due_time, item.tz)
        if key_of_stages not in known:
            known[key_of_stages] = _stage_times(
                item.due, item.due_time, item.tz, calendar, settings
            )
        reached = [(stage, at) for stage, at in _for_item(known[key_of_stages], item) if at <= now]
        if reached:
            stage, at = reached[-1]
            key = f"{item.due.isoformat()}:{stage}"
            due.append(ReminderDue(item.owner, item.ref, stage, key, item.due, at))
    return due


def group_by_owner(reminders: Iterable[ReminderDue]) -> dict[str, list[ReminderDue]]:
    """Reminders per owner (owners sorted, each one's items by due date), one mail each."""
    grouped: dict[str, list[ReminderDue]] = {}
    for reminder in sorted(reminders, key=lambda r: (r.owner, r.due, r.ref)):
        grouped.setdefault(reminder.owner, []).append(reminder)
    return grouped


@dataclass(frozen=True)
class WeeklyPeriod:
    """One week's progress request, in the configured zone."""

    key: str  # the ISO week of the request day, "2025-W11"
    request_at: datetime
    answer_by: datetime
    nudge_at: datetime

    def request_key(self, owner: str) -> str:
        return f"weekly:{self.key}:{owner}"

    def nudge_key(self, owner: str) -> str:
        return f"weekly-nudge:{self.key}:{owner}"


@dataclass(frozen=True)
class WeeklyDue:
    period: WeeklyPeriod
    owners: dict[str, tuple[str, ...]]  # owner → refs of their open items, sorted


def weekly_period(
    day: date, *, calendar: BusinessCalendar, settings: ScheduleSettings
) -> WeeklyPeriod | None:
    """The request of the ISO week holding ``day``, or None when that week has none."""
    monday = day - timedelta(days=day.weekday())
    request_day = monday + timedelta(days=WEEKDAYS.index(settings.weekly_progress_day))
    while not calendar.is_business_day(request_day):
        request_day -= timedelta(days=1)
        if request_day < monday:
            return None
    tz = zone(settings.timezone)
    year, week, _ = request_day.isocalendar()
    nudge_day = calendar.next_business_day(request_day)
    return WeeklyPeriod(
        key=f"{year}-W{week:02d}",
        request_at=datetime.combine(request_day, settings.weekly_progress_time, tzinfo=tz),
        answer_by=datetime.combine(request_day, settings.weekly_progress_due_time, tzinfo=tz),
        nudge_at=datetime.combine(nudge_day, settings.notice_send_time, tzinfo=tz),
    )


def latest_weekly_period(
    now: datetime, *, calendar: BusinessCalendar, settings: ScheduleSettings
) -> WeeklyPeriod | None:
    """The newest weekly request whose time has come (this week's or an earlier week's)."""
    _require_aware(now)
    today = now.astimezone(zone(settings.timezone)).date()
    for weeks_back in range(_WEEKS_BACK + 1):
        period = weekly_period(
            today - timedelta(weeks=weeks_back), calendar=calendar, settings=settings
        )
        if period is not None and period.request_at <= now:
            return period
    return None


def weekly_progress(
    items: Iterable[ItemState],
    *,
    now: datetime,
    calendar: BusinessCalendar,
    settings: ScheduleSettings,
) -> WeeklyDue | None:
    """This week's request once its time has come, with the open items of each owner.

    It stays due until the week ends, so a daemon that was down on Friday still asks on Saturday
    (once: the key is the ISO week); the next week it is replaced by that week's request.
    """
    _require_aware(now)
    today = now.astimezone(zone(settings.timezone)).date()
    period = weekly_period(today, calendar=calendar, settings=settings)
    if period is None or now < period.request_at:
        return None
    refs: dict[str, list[str]] = {}
    for item in items:
        if item.is_open:
            refs.setdefault(item.owner, []).append(item.ref)
    if not refs:
        return None
    owners = {owner: tuple(sorted(refs[owner])) for owner in sorted(refs)}
    return WeeklyDue(period, owners)


def weekly_work_due(
    now: datetime, *, calendar: BusinessCalendar, settings: ScheduleSettings
) -> bool:
    """Whether this week's request or the latest period's nudge may be due at ``now``: when
    neither is, the weekly planner need not read a single item."""
    _require_aware(now)
    today = now.astimezone(zone(settings.timezone)).date()
    period = weekly_period(today, calendar=calendar, settings=settings)
    if period is not None and now >= period.request_at:
        return True
    latest = latest_weekly_period(now, calendar=calendar, settings=settings)
    return latest is not None and now >= latest.nudge_at


def weekly_nudges(
    owners_asked: set[str],
    owners_answered: set[str],
    *,
    now: datetime,
    calendar: BusinessCalendar,
    settings: ScheduleSettings,
) -> list[str]:
    """Owners asked by the latest request who have not answered, once its nudge time has come.

    The sets belong to :func:`latest_weekly_period` at the same ``now``; its ``nudge_key`` makes
    the nudge one per owner and week.
    """
    period = latest_weekly_period(now, calendar=calendar, settings=settings)
    if period is None or now < period.nudge_at:
        return []
    return sorted(owners_asked - owners_answered)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
