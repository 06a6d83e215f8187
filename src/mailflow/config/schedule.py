"""Read the ``[schedule]`` table: time zone, business calendar, reminders, escalation, digests.

Split from :mod:`mailflow.config.load` because the calendar checks (the ``holidays`` package's
countries and subdivisions, China's adjusted working days) are the largest single section.
"""

from __future__ import annotations

from datetime import time
from functools import cache

from mailflow.config.schema import (
    WEEKDAYS,
    CalendarSettings,
    DigestSettings,
    EscalationSettings,
    ScheduleSettings,
    Weekday,
)
from mailflow.config.validate import Table, parse_weekday, suggest, timezone_problem, type_name


def read_schedule(t: Table) -> ScheduleSettings:
    """The ``[schedule]`` table and its sub-tables; problems go to ``t.problems``."""
    d = ScheduleSettings()
    timezone = t.text("timezone", d.timezone) or d.timezone
    if problem := timezone_problem(timezone):
        t.report("timezone", problem)
    progress_time = (
        t.clock("weekly_progress_time", d.weekly_progress_time) or d.weekly_progress_time
    )
    due_time = (
        t.clock("weekly_progress_due_time", d.weekly_progress_due_time)
        or d.weekly_progress_due_time
    )
    if due_time <= progress_time:
        t.report("weekly_progress_due_time", "must be later than weekly_progress_time")
    quiet_start = t.clock("quiet_hours_start", d.quiet_hours_start, optional=True)
    quiet_end = t.clock("quiet_hours_end", d.quiet_hours_end, optional=True)
    if (quiet_start is None) != (quiet_end is None):
        t.report("quiet_hours_end", 'set both quiet_hours_start and quiet_hours_end, or both to ""')
    settings = ScheduleSettings(
        timezone=timezone,
        calendar=_calendar(t.table("calendar")),
        notice_lead_business_days=t.integer("notice_lead_business_days", 1, low=1, high=2),
        notice_send_time=t.clock("notice_send_time", d.notice_send_time) or d.notice_send_time,
        minutes_deadline_hours=t.integer("minutes_deadline_hours", d.minutes_deadline_hours),
        reminder_offsets_business_days=_offsets(t, d.reminder_offsets_business_days),
        weekly_progress_day=t.weekday("weekly_progress_day", d.weekly_progress_day)
        or d.weekly_progress_day,
        weekly_progress_time=progress_time,
        weekly_progress_due_time=due_time,
        quiet_hours_start=quiet_start,
        quiet_hours_end=quiet_end,
        escalation=_escalation(t.table("escalation")),
        digest=_digest(t.table("digest")),
        rework_business_days=t.integer("rework_business_days", d.rework_business_days, high=60),
        acceptance_reminder_business_days=t.integer(
            "acceptance_reminder_business_days", d.acceptance_reminder_business_days, high=30
        ),
        at_risk_lag_points=t.integer("at_risk_lag_points", d.at_risk_lag_points, low=1, high=100),
        talk_within_hours=t.integer("talk_within_hours", d.talk_within_hours, low=1, high=240),
        urgent_request_reminder_hours=t.integer(
            "urgent_request_reminder_hours", d.urgent_request_reminder_hours, low=1, high=72
        ),
        poll_interval_seconds=t.integer("poll_interval_seconds", d.poll_interval_seconds),
        plan_interval_seconds=t.integer("plan_interval_seconds", d.plan_interval_seconds),
        flush_interval_seconds=t.integer("flush_interval_seconds", d.flush_interval_seconds),
    )
    t.finish()
    return settings


def _offsets(t: Table, default: tuple[int, ...]) -> tuple[int, ...]:
    """Reminder offsets: business days before a due date, each ≥ 0 and listed once."""
    if not t.has("reminder_offsets_business_days"):
        return default
    offsets: list[int] = []
    for key, item in t.items("reminder_offsets_business_days"):
        if not isinstance(item, int) or isinstance(item, bool):
            t.problems.add(key, f"expected an integer, got {type_name(item)}")
        elif item < 0:
            t.problems.add(
                key, f"{item} is negative: offsets count business days before the due date"
            )
        elif item in offsets:
            t.problems.add(key, f"{item} is listed twice")
        else:
            offsets.append(item)
    return tuple(sorted(offsets, reverse=True))


def _calendar(t: Table) -> CalendarSettings:
    country = t.text("country", None, blank_is_none=True)
    subdivision = t.text("subdivision", None, blank_is_none=True)
    supported = _supported_countries()
    country_reported = False
    if country is not None:
        if country.upper() in supported:
            country = country.upper()
        else:
            hint = suggest(country.upper(), list(supported))
            t.report(
                "country", f"{country!r} is not a country code the holidays package knows{hint}"
            )
            country, country_reported = None, True
    if subdivision is not None and country is None and not country_reported:
        t.report("subdivision", "a subdivision needs a country")
    elif subdivision is not None and country is not None:
        codes = supported[country]
        match = next((code for code in codes if code.lower() == subdivision.lower()), None)
        if match is None:
            known = (
                f"one of {', '.join(codes[:12])}{' …' if len(codes) > 12 else ''}" if codes else ""
            )
            t.report(
                "subdivision",
                f"{subdivision!r} is not a subdivision of {country}"
                + (f"; use {known}" if known else f'; {country} has none, use ""'),
            )
        subdivision = match
    extra_holidays = t.dates("extra_holidays")
    extra_working_days = t.dates("extra_working_days")
    for day in sorted(set(extra_holidays) & set(extra_working_days)):
        t.report("extra_working_days", f"{day} is also listed in extra_holidays")
    settings = CalendarSettings(
        country=country,
        subdivision=subdivision,
        extra_holidays=tuple(sorted(extra_holidays)),
        extra_working_days=tuple(sorted(extra_working_days)),
        weekend=_weekend(t),
    )
    t.finish()
    return settings


@cache
def _supported_countries() -> dict[str, list[str]]:
    """Country codes (ISO alpha-2 and alpha-3) mapped to their subdivision codes."""
    # Imported here because loading every country's rules costs ~0.1 s, which commands that never
    # read the calendar (such as `mailflow --help`) should not pay.
    import holidays

    countries: dict[str, list[str]] = holidays.list_supported_countries()
    return countries


def _weekend(t: Table) -> tuple[Weekday, ...]:
    if not t.has("weekend"):
        return CalendarSettings.weekend
    days: list[Weekday] = []
    for key, item in t.items("weekend"):
        day = parse_weekday(item) if isinstance(item, str) else None
        if day is None:
            t.problems.add(
                key, f"{item!r} is not a weekday; use mon, tue, wed, thu, fri, sat or sun"
            )
        elif day in days:
            t.problems.add(key, f"{item!r} is listed twice")
        else:
            days.append(day)
    if len(days) == len(WEEKDAYS):
        t.report("weekend", "a weekend of seven days leaves no business day")
    return tuple(sorted(days, key=WEEKDAYS.index))


def _escalation(t: Table) -> EscalationSettings:
    d = EscalationSettings()
    settings = EscalationSettings(
        level2_after_hours=t.integer("level2_after_hours", d.level2_after_hours),
        level3_after_hours=t.integer("level3_after_hours", d.level3_after_hours),
    )
    if settings.level3_after_hours <= settings.level2_after_hours:
        t.report("level3_after_hours", "must be later than level2_after_hours")
    t.finish()
    return settings


def _digest(t: Table) -> DigestSettings:
    d = DigestSettings()
    weekly_day = t.weekday("weekly_day", d.weekly_day, optional=True)
    weekly_time: time | None = t.clock("weekly_time", d.weekly_time, optional=True)
    if weekly_day is not None and weekly_time is None:
        t.report("weekly_time", 'a weekly digest needs a time; set weekly_day = "" to turn it off')
    settings = DigestSettings(
        daily_time=t.clock("daily_time", d.daily_time, optional=True),
        weekly_day=weekly_day,
        weekly_time=weekly_time,
    )
    t.finish()
    return settings
