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
    weekly_work_due,
)
from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.domain.quiet_hours import next_send_time
from mailflow.domain.readers import directory_of, reader
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.items.followup_mail import (
    item_reminder_payload,
    weekly_nudge_payload,
    weekly_progress_payload,
)
from mailflow.outbound.kinds.items.followup_parts import DueItem
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.services.item_history import history
from mailflow.services.minutes_mails import item_row
from mailflow.services.preferences import opted_out
from mailflow.services.request_reminders import plan_request_reminders
from mailflow.tracker import item_repo, mail_log_repo
from mailflow.tracker.item_repo import ItemFacts
from mailflow.tracker.models import ActionItem
from mailflow.tracker.session_memo import remembered

OPEN = OPEN_STATUSES


def open_items(session: Session) -> list[ItemFacts]:
    """The facts of every open item: plain columns, nothing loaded (see :class:`ItemFacts`).

    Read once per transaction: the follow-up planners share one (``planning``). What they change
    of an item (its history, an escalation level reaching 1) is not what the later ones judge by:
    the weekly request reads owners and last updates, escalations start at level 2 and read what
    was sent from the history afresh.
    """
    return list(
        remembered(session, "open_item_facts", lambda: tuple(item_repo.item_facts(session, OPEN)))
    )


def item_state(facts: ItemFacts, executive: str | None, tz: str) -> ItemState:
    return ItemState(
        ref=facts.ref,
        owner=facts.owner_email,
        meeting_organiser=facts.meeting_organiser,
        owner_executive=executive,
        due=facts.due_date,
        due_time=facts.due_time,
        status=facts.status.value,
        last_update_at=facts.last_update_at,
        created_at=facts.created_at,
        escalation_level=facts.escalation_level,
        tz=facts.meeting_tzid or tz,
    )


def item_states(
    items: Iterable[ItemFacts], directory: Directory, config: Config
) -> list[ItemState]:
    """Each item's state for the rules; an owner's executive is looked up once per owner."""
    executives: dict[str, str | None] = {}

    def executive_of(owner: str) -> str | None:
        if owner not in executives:
            person = directory.by_email(owner)
            executive = directory.executive_of(person) if person is not None else None
            executives[owner] = executive.email if executive else None
        return executives[owner]

    tz = config.schedule.timezone
    return [item_state(i, executive_of(i.owner_email), tz) for i in items]


def sent_keys(session: Session, kinds: str | Sequence[str], items: Iterable[ItemFacts]) -> set[str]:
    """What was already sent about ``items``: the history values of ``kinds``, in one read."""
    return item_repo.history_values(session, kinds, (i.id for i in items))


def loaded(session: Session, items: Iterable[ItemFacts]) -> dict[str, ActionItem]:
    """The items themselves, by reference: only those whose mail is due are ever loaded."""
    return {i.ref: i for i in item_repo.items_by_id(session, {f.id for f in items}).values()}


def _who(directory: Directory, config: Config, email: str) -> tuple[str, str]:
    found = reader(config, email)
    return found.locale, found.timezone


def _digest(keys: Sequence[str]) -> str:
    return hashlib.sha256("|".join(sorted(keys)).encode()).hexdigest()[:16]


def plan_reminders(session: Session, now: datetime, config: Config) -> int:
    calendar = calendar_for(config.schedule.calendar)
    directory = directory_of(config)
    items = open_items(session)
    done = sent_keys(session, "reminded", items)
    quiet = opted_out(session)
    due = [
        r
        for r in owner_reminders(
            item_states(items, directory, config),
            now=now,
            calendar=calendar,
            settings=config.schedule,
        )
        if r.key not in done and r.owner.lower() not in quiet
    ]
    refs = {r.ref for r in due}
    by_ref = loaded(session, (i for i in items if i.ref in refs))
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
    if not weekly_work_due(now, calendar=calendar, settings=config.schedule):
        return 0
    items = open_items(session)
    quiet = opted_out(session)
    created = 0
    request = weekly_progress(
        item_states(items, directory, config), now=now, calendar=calendar, settings=config.schedule
    )
    by_owner: dict[str, list[ItemFacts]] = defaultdict(list)
    for facts in items:
        by_owner[facts.owner_email].append(facts)

    def rows_of(owner: str) -> list[ItemRow]:
        found = loaded(session, by_owner[owner])
        return [item_row(found[f.ref], directory) for f in by_owner[owner]]

    if request is not None:
        keys = {request.period.request_key(owner): owner for owner in request.owners}
        queued = mail_log_repo.queued_keys(session, keys)
        for owner in request.owners:
            if owner.lower() in quiet or request.period.request_key(owner) in queued:
                continue
            locale, zone = _who(directory, config, owner)
            created += outbox.enqueue(
                session,
                key=request.period.request_key(owner),
                recipients=[owner],
                payload=weekly_progress_payload(
                    rows_of(owner),
                    reply_by=request.period.answer_by,
                    locale=locale,
                    timezone=zone,
                ),
                now=now,
            )
    period = latest_weekly_period(now, calendar=calendar, settings=config.schedule)
    if period is None:
        return created
    # Asked this period: only the owners of open items matter (no other gets a nudge), so the
    # read is keyed by their request keys, never every weekly request there ever was.
    request_keys = {period.request_key(owner): owner for owner in by_owner}
    asked = {request_keys[key] for key in mail_log_repo.queued_keys(session, request_keys)}
    answered = {
        i.owner_email
        for i in items
        if i.last_update_at is not None and i.last_update_at >= period.request_at
    }
    nudges = weekly_nudges(asked, answered, now=now, calendar=calendar, settings=config.schedule)
    nudge_keys = mail_log_repo.queued_keys(session, {period.nudge_key(o) for o in nudges})
    for owner in nudges:
        if owner.lower() in quiet or not by_owner.get(owner):
            continue
        if period.nudge_key(owner) in nudge_keys:
            continue
        locale, zone = _who(directory, config, owner)
        created += outbox.enqueue(
            session,
            key=period.nudge_key(owner),
            recipients=[owner],
            payload=weekly_nudge_payload(
                rows_of(owner),
                asked_on=period.request_at.date(),
                locale=locale,
                timezone=zone,
            ),
            now=now,
        )
    return created
