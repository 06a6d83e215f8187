"""When an unanswered collaboration request (协作需求单) is due a reminder: the urgency clock.

Pure: when the request reached its current owner, its urgency, the settings and the business
calendar in; the instant its reminder is due out. An urgent request runs on an hours clock
(``schedule.urgent_request_reminder_hours``, default 4: the receiver should answer the same
working day); a normal or low one on the business-day clock, the next business day at
``notice_send_time`` in the configured zone. Hours are counted on the wall clock: quiet hours
delay the mail itself (:mod:`mailflow.domain.quiet_hours`), not the moment it became due.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mailflow.config.schema import ScheduleSettings
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.zones import zone


def reminder_due(
    assigned_at: datetime,
    urgency: str | None,
    *,
    settings: ScheduleSettings,
    calendar: BusinessCalendar,
) -> datetime:
    """The instant a request given to its owner at ``assigned_at`` (aware) is due a reminder."""
    if assigned_at.tzinfo is None:
        raise ValueError("assigned_at must be timezone-aware")
    if urgency == "urgent":
        return assigned_at + timedelta(hours=settings.urgent_request_reminder_hours)
    tz = zone(settings.timezone)
    day = calendar.next_business_day(assigned_at.astimezone(tz).date())
    return datetime.combine(day, settings.notice_send_time, tzinfo=tz)
