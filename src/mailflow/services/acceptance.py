"""Acceptance (成果验收) mail: the request to the acceptor, the verdict to the owner, and the
reminders when a verdict is overdue — the acceptor first, then the project's coordinator (or the
meeting's organiser) — like any overdue item."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.attached_file import File
from mailflow.domain.business_calendar import calendar_for
from mailflow.domain.readers import directory_of, reader
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers import answer_texts as texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.services.item_history import history
from mailflow.tracker.due_work_repo import last_status_change_at
from mailflow.tracker.item_repo import items_with_status
from mailflow.tracker.models import ActionItem, ItemStatus, Meeting, Project


def _name(config: Config, email: str) -> str:
    person = directory_of(config).by_email(email)
    return f"{person.name} <{email}>" if person is not None else email


def request_acceptance(
    session: Session,
    config: Config,
    item: ActionItem,
    now: datetime,
    *,
    source: str,
    files: Sequence[File] = (),
) -> bool:
    """Queue the acceptance request for ``item`` (just marked DONE) to its acceptor, with the
    files the owner attached to their DONE (those too large to carry are named)."""
    acceptor = item.acceptor_email
    if not acceptor:
        return False
    meeting = session.get(Meeting, item.meeting_id) if item.meeting_id else None
    locale = reader(config, acceptor).locale
    if files:
        names = ", ".join(f.name for f in files)
        history(item, at=now, actor=item.owner_email, kind="deliverable_files", new=names)
        shown = f"{item.deliverable} · {names}" if item.deliverable else names
        item.deliverable = shown[:4000]
    too_big = [f.name for f in files if f.data is None]
    return outbox.enqueue(
        session,
        key=f"acceptance:{item.ref}:{item.rework_count}:{source}",
        recipients=[acceptor],
        payload=answer_payload(
            kind="acceptance_request",
            locale=locale,
            subject=texts.acceptance_subject(locale, item.ref, item.description),
            paragraphs=texts.acceptance_request(
                locale,
                item.ref,
                item.description,
                _name(config, item.owner_email),
                item.deliverable,
                meeting.title if meeting else None,
            )
            + ([texts.files_too_big(locale, too_big)] if too_big else []),
            references=[meeting.thread_root] if meeting else (),
            attachments=[(f.name, f.content_type, f.data) for f in files if f.data is not None],
        ),
        now=now,
        meeting_id=item.meeting_id,
        item_id=item.id,
    )


def tell_owner_of_verdict(
    session: Session,
    config: Config,
    item: ActionItem,
    reason: str | None,
    now: datetime,
    *,
    source: str,
) -> bool:
    """The owner hears the acceptor's verdict: accepted (``reason`` None) or sent back."""
    owner = item.owner_email
    locale = reader(config, owner).locale
    due = item.due_date.isoformat() if item.due_date and reason is not None else None
    return outbox.enqueue(
        session,
        key=f"verdict:{item.ref}:{item.rework_count}:{source}",
        recipients=[owner],
        payload=answer_payload(
            locale=locale,
            subject=texts.verdict_subject(locale, item.ref, reason is None),
            paragraphs=texts.verdict(
                locale,
                item.ref,
                item.description,
                _name(config, item.acceptor_email or ""),
                reason,
                due,
            ),
        ),
        now=now,
        meeting_id=item.meeting_id,
        item_id=item.id,
    )


def plan_acceptance_reminders(session: Session, now: datetime, config: Config) -> int:
    """Items awaiting acceptance longer than ``acceptance_reminder_business_days``: the acceptor
    is reminded; after twice as long, the coordinator (else the organiser) is told. Once each."""
    calendar = calendar_for(config.schedule.calendar)
    wait = config.schedule.acceptance_reminder_business_days
    today = now.astimezone(ZoneInfo(config.schedule.timezone)).date()
    waiting = items_with_status(session, [ItemStatus.AWAITING_ACCEPTANCE])
    created = 0
    for item in waiting:
        since = last_status_change_at(session, item.id)
        if since is None or not item.acceptor_email:
            continue
        started = since.astimezone(ZoneInfo(config.schedule.timezone)).date()
        days = calendar.business_days_between(started, today)
        if days < wait:
            continue
        targets = [("acceptor", item.acceptor_email)]
        if days >= 2 * wait:
            project = session.get(Project, item.project_id) if item.project_id else None
            meeting = session.get(Meeting, item.meeting_id) if item.meeting_id else None
            lead = (
                project.coordinator_email
                if project
                else (meeting.organiser_email if meeting else None)
            )
            if lead:
                targets.append(("lead", lead))
        for role, address in targets:
            locale = reader(config, address).locale
            created += outbox.enqueue(
                session,
                key=f"acceptance-overdue:{item.ref}:{item.rework_count}:{role}:{started}",
                recipients=[address],
                payload=answer_payload(
                    kind="acceptance_request" if role == "acceptor" else "answer",
                    locale=locale,
                    subject=texts.acceptance_subject(locale, item.ref, item.description),
                    paragraphs=texts.acceptance_overdue(
                        locale, item.ref, item.description, item.acceptor_email, days
                    ),
                ),
                now=now,
                meeting_id=item.meeting_id,
                item_id=item.id,
            )
    return created
