"""Plan follow-ups from the tracker: owner reminders, weekly progress requests, Monday nudges.

Pure rules decide what is due (``domain/followups``); this module reads the items, leaves out
what was already sent (each sent stage is kept as item history, which is also the "history of
reminders" an escalation mail shows), groups by owner — one mail per owner per run, never one per
item — and queues each mail for the recipient's next allowed moment (quiet hours, business days).
People who replied STOP REMINDERS get none of these.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.business_calendar import calendar_for
from mailflow.domain.directory import Directory
from mailflow.domain.followups import (
    ItemState,
    group_by_owner,
    latest_weekly_period,
    owner_reminders,
    weekly_nudges,
    weekly_progress,
)
from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.domain.quiet_hours import next_send_time
from mailflow.outbound import outbox
from mailflow.outbound.followup_mail import (
    item_reminder_payload,
    weekly_nudge_payload,
    weekly_progress_payload,
)
from mailflow.outbound.followup_parts import DueItem
from mailflow.services.item_history import history
from mailflow.services.minutes_mails import item_row
from mailflow.services.preferences import opted_out
from mailflow.services.readers import directory_of, reader
from mailflow.services.request_reminders import plan_request_reminders
from mailflow.tracker.models import ActionItem, ItemHistory, Meeting, OutboxRow

OPEN = OPEN_STATUSES


def open_items(session: Session) -> list[ActionItem]:
    return list(
        session.scalars(
            select(ActionItem).where(ActionItem.status.in_(OPEN)).order_by(ActionItem.id)
        )
    )


def meetings_of(session: Session, items: Iterable[ActionItem]) -> dict[int, Meeting]:
    """The meetings ``items`` come from, by id: only those, never every meeting there was."""
    ids = {i.meeting_id for i in items if i.meeting_id is not None}
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Meeting).where(Meeting.id.in_(ids)))}


def item_state(
    item: ActionItem, meeting: Meeting | None, directory: Directory, tz: str
) -> ItemState:
    person = directory.by_email(item.owner_email)
    executive = directory.executive_of(person) if person is not None else None
    return ItemState(
        ref=item.ref,
        owner=item.owner_email,
        meeting_organiser=meeting.organiser_email if meeting else None,
        owner_executive=executive.email if executive else None,
        due=item.due_date,
        due_time=item.due_time,
        status=item.status.value,
        last_update_at=item.last_update_at,
        created_at=item.created_at,
        escalation_level=item.escalation_level,
        tz=meeting.tzid if meeting else tz,
    )


def sent_keys(session: Session, kind: str, items: Iterable[ActionItem]) -> set[str]:
    ids = [i.id for i in items]
    if not ids:
        return set()
    return {
        value
        for value in session.scalars(
            select(ItemHistory.new_value).where(
                ItemHistory.item_id.in_(ids), ItemHistory.kind == kind
            )
        )
        if value
    }


def _who(directory: Directory, config: Config, email: str) -> tuple[str, str]:
    found = reader(config, email)
    return found.locale, found.timezone


def _digest(keys: Sequence[str]) -> str:
    return hashlib.sha256("|".join(sorted(keys)).encode()).hexdigest()[:16]


def plan_reminders(session: Session, now: datetime, config: Config) -> int:
    calendar = calendar_for(config.schedule.calendar)
    directory = directory_of(config)
    items = open_items(session)
    meetings = meetings_of(session, items)
    states = {
        i.ref: item_state(i, meetings.get(i.meeting_id or -1), directory, config.schedule.timezone)
        for i in items
    }
    by_ref = {i.ref: i for i in items}
    done = sent_keys(session, "reminded", items)
    quiet = opted_out(session)
    due = [
        r
        for r in owner_reminders(
            states.values(), now=now, calendar=calendar, settings=config.schedule
        )
        if r.key not in done and r.owner.lower() not in quiet
    ]
    created = 0
    for owner, reminders in group_by_owner(due).items():
        locale, zone = _who(directory, config, owner)
        entries = [
            DueItem(
                item_row(by_ref[r.ref], directory),
                r.stage,
                # At least one day: the item's zone may already be past the due date while the
                # owner's is not, and an overdue item is late by one day at the least.
                max(1, (now.astimezone(ZoneInfo(zone)).date() - r.due).days)
                if r.stage == "overdue"
                else 0,
            )
            for r in reminders
        ]
        created += outbox.enqueue(
            session,
            key=f"reminders:{owner}:{_digest([r.key for r in reminders])}",
            kind="item_reminder",
            recipients=[owner],
            payload=item_reminder_payload(entries, locale=locale, timezone=zone),
            now=now,
            not_before=next_send_time(now, settings=config.schedule, calendar=calendar, tz=zone),
        )
        for r in reminders:
            item = by_ref[r.ref]
            history(item, at=now, actor="mailflow", kind="reminded", new=r.key)
            if r.stage == "overdue" and item.escalation_level < 1:
                # The overdue reminder is the first escalation level: the owner is told.
                item.escalation_level = 1
    # Collaboration requests not yet answered run on their own clock: urgent ones in hours.
    return created + plan_request_reminders(session, now, config)


def plan_weekly(session: Session, now: datetime, config: Config) -> int:
    calendar = calendar_for(config.schedule.calendar)
    directory = directory_of(config)
    items = open_items(session)
    meetings = meetings_of(session, items)
    states = [
        item_state(i, meetings.get(i.meeting_id or -1), directory, config.schedule.timezone)
        for i in items
    ]
    quiet = opted_out(session)
    created = 0
    request = weekly_progress(states, now=now, calendar=calendar, settings=config.schedule)
    by_owner: dict[str, list[ActionItem]] = defaultdict(list)
    for item in items:
        by_owner[item.owner_email].append(item)
    if request is not None:
        for owner in request.owners:
            if owner.lower() in quiet:
                continue
            locale, zone = _who(directory, config, owner)
            created += outbox.enqueue(
                session,
                key=request.period.request_key(owner),
                kind="weekly_progress",
                recipients=[owner],
                payload=weekly_progress_payload(
                    [item_row(i, directory) for i in by_owner[owner]],
                    reply_by=request.period.answer_by,
                    locale=locale,
                    timezone=zone,
                ),
                now=now,
            )
    period = latest_weekly_period(now, calendar=calendar, settings=config.schedule)
    if period is None:
        return created
    asked = {
        recipients[0]
        for key, recipients in session.execute(
            select(OutboxRow.idempotency_key, OutboxRow.recipients).where(
                OutboxRow.kind == "weekly_progress"
            )
        )
        if key == period.request_key(recipients[0])
    }
    answered = {
        i.owner_email
        for i in items
        if i.last_update_at is not None and i.last_update_at >= period.request_at
    }
    for owner in weekly_nudges(
        asked, answered, now=now, calendar=calendar, settings=config.schedule
    ):
        if owner.lower() in quiet or not by_owner.get(owner):
            continue
        locale, zone = _who(directory, config, owner)
        created += outbox.enqueue(
            session,
            key=period.nudge_key(owner),
            kind="weekly_nudge",
            recipients=[owner],
            payload=weekly_nudge_payload(
                [item_row(i, directory) for i in by_owner[owner]],
                asked_on=period.request_at.date(),
                locale=locale,
                timezone=zone,
            ),
            now=now,
        )
    return created
