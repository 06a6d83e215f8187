"""Remind the receiver of a collaboration request they have not answered, once, by urgency.

Run from the reminder planner (:func:`mailflow.services.followups.plan_reminders`). A request
is unanswered while it is open, unconfirmed and unchanged since it reached its current owner
(created, or passed on by REASSIGN); when it is due (:mod:`mailflow.domain.request_clock`:
urgent after ``urgent_request_reminder_hours``, otherwise the next business day) its owner gets
the request again with how long it has waited, as outbox kind ``request_assignment`` so that a
reply to the reminder is read as commands on it. One reminder per owner and assignment (the
idempotency key holds both); people who asked to stop reminders get none.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.quiet_hours import next_send_time
from mailflow.domain.readers import reader
from mailflow.domain.request_clock import reminder_due
from mailflow.outbound.kinds.answers.request_texts import waited_label
from mailflow.services.item_history import history
from mailflow.services.preferences import opted_out
from mailflow.services.requests import REQUEST_KIND, send_to_owner
from mailflow.tracker.models import ActionItem
from mailflow.tracker.request_repo import steps_of_item, unconfirmed_open_items


def _assignment(session: Session, item: ActionItem) -> tuple[datetime, bool]:
    """When the request reached its current owner (created, or its last REASSIGN), and whether
    that owner has done anything with it since (any change or note written by them)."""
    rows = steps_of_item(session, item.id)
    starts = [i for i, row in enumerate(rows) if row.kind in ("created", "reassigned")]
    if not starts:
        return item.created_at, False
    start = starts[-1]
    owner = item.owner_email.lower()
    return rows[start].at, any(row.actor.lower() == owner for row in rows[start + 1 :])


def plan_request_reminders(session: Session, now: datetime, config: Config) -> int:
    settings = config.schedule
    calendar = BusinessCalendar(settings.calendar)
    quiet = opted_out(session)
    waiting = unconfirmed_open_items(session, REQUEST_KIND)
    created = 0
    for item in waiting:
        assigned, answered = _assignment(session, item)
        if answered:
            continue  # the owner has answered with an update or a note
        if item.owner_email.lower() in quiet:
            continue
        if now < reminder_due(assigned, item.urgency, settings=settings, calendar=calendar):
            continue
        found = reader(config, item.owner_email)
        hours = settings.urgent_request_reminder_hours if item.urgency == "urgent" else None
        key = f"request-reminder:{item.ref}:{item.owner_email}:{assigned.isoformat()}"
        if send_to_owner(
            session,
            config,
            item,
            now,
            key=key,
            waited=waited_label(found.locale, hours),
            not_before=next_send_time(now, settings=settings, calendar=calendar, tz=found.timezone),
        ):
            history(item, at=now, actor="mailflow", kind="reminded", new=key)
            created += 1
    return created
