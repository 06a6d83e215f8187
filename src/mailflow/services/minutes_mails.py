"""The mails around minutes and items: skeleton, reminders, official minutes, receipts, assignments.

``plan_minutes`` is a planner (plan tick): the skeleton to the scribe when a meeting ends, a
reminder to the scribe 2 h before the minutes deadline and to the organiser at the deadline,
while no minutes have arrived. ``announce_minutes`` runs when minutes are applied: the official
minutes to every attendee (and the executives of the item owners' departments), the receipt to
the scribe, one assignment mail per owner with new items. Every row is keyed, so nothing is sent
twice. Recurring series are out of scope here: their occurrences have no minutes of their own yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.directory import Directory
from mailflow.domain.meeting import AttendeeSpec
from mailflow.domain.minutes import MinutesDoc
from mailflow.domain.readers import directory_of, reader
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.items.items_mail import item_assignment_payload
from mailflow.outbound.kinds.minutes.minutes_mail import (
    minutes_reminder_payload,
    minutes_skeleton_payload,
)
from mailflow.outbound.kinds.minutes.minutes_receipt import minutes_receipt_payload
from mailflow.outbound.kinds.minutes.official_minutes import official_minutes_payload
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.services.issue_items import is_issue, unowned_problems
from mailflow.services.meetings import invite_spec
from mailflow.services.minutes import MinutesResult, latest_minutes
from mailflow.services.notices import meeting_reply_address
from mailflow.tracker import item_repo, meeting_repo
from mailflow.tracker.models import ActionItem, Meeting, MeetingStatus

REMINDER_LEAD = timedelta(hours=2)


def _person(directory: Directory, config: Config, email: str) -> tuple[str, str]:
    found = reader(config, email)
    return found.locale, found.timezone


def item_row(item: ActionItem, directory: Directory, meeting_title: str = "") -> ItemRow:
    person = directory.by_email(item.owner_email)
    return ItemRow(
        ref=item.ref,
        task=item.description,
        owner=item.owner_email,
        owner_name=person.name if person else "",
        department=item.department or "",
        meeting=meeting_title,
        deliverable=item.deliverable or "",
        due=item.due_date,
        due_time=item.due_time,
        status=item.status.value,
        progress=item.progress,
        delay_reason=item.delay_reason or "",
        last_update=item.last_update_at,
        at_risk=item.at_risk_since is not None,
        delay_category=item.delay_category or "",
    )


def plan_minutes(session: Session, now: datetime, config: Config) -> int:
    deadline_after = timedelta(hours=config.schedule.minutes_deadline_hours)
    directory = directory_of(config)
    # Only the window of meetings that just ended, by the ends_at index; single meetings only
    # (series are filtered here, not in SQL, where "rrule IS NULL" would tempt SQLite's planner
    # into the rrule index and every single meeting ever held).
    ended = meeting_repo.ended_within(session, now, deadline_after + timedelta(days=1))
    recent = [m for m in ended if m.status is MeetingStatus.SCHEDULED and m.rrule is None]
    created = 0
    for meeting in recent:
        if latest_minutes(session, meeting) is not None:
            continue
        deadline = meeting.ends_at + deadline_after
        spec = invite_spec(meeting)
        scribe = meeting.scribe_email or meeting.organiser_email
        locale, zone = _person(directory, config, scribe)
        reply_to = meeting_reply_address(config, meeting)
        created += outbox.enqueue(
            session,
            key=f"skeleton:{meeting.invite_uid}",
            recipients=[scribe],
            payload=minutes_skeleton_payload(
                spec,
                attendees=[
                    AttendeeSpec(a.email, a.name, a.role.value, a.partstat.value)
                    for a in meeting.attendees
                    if a.recurrence_id == "" and a.removed_at is None
                ],
                locale=locale,
                timezone=zone,
                deadline=deadline,
                thread_root=meeting.thread_root,
                reply_to=reply_to,
            ),
            now=now,
            meeting_id=meeting.id,
        )
        for stage, at, to in (
            ("scribe", deadline - REMINDER_LEAD, scribe),
            ("organiser", deadline, meeting.organiser_email),
        ):
            if now < at:
                continue
            locale, zone = _person(directory, config, to)
            created += outbox.enqueue(
                session,
                key=f"minutes-reminder:{meeting.invite_uid}:{stage}",
                recipients=[to],
                payload=minutes_reminder_payload(
                    spec,
                    stage=stage,  # type: ignore[arg-type]
                    deadline=deadline,
                    locale=locale,
                    timezone=zone,
                    thread_root=meeting.thread_root,
                    reply_to=reply_to,
                ),
                now=now,
                meeting_id=meeting.id,
            )
    return created


def minutes_recipients(
    meeting: Meeting, items: Sequence[ActionItem], directory: Directory
) -> list[str]:
    """Attendees, organiser and scribe, and the executives of the item owners' departments."""
    found = [a.email for a in meeting.attendees if a.recurrence_id == "" and a.removed_at is None]
    found += [meeting.organiser_email, *([meeting.scribe_email] if meeting.scribe_email else [])]
    for item in items:
        owner = directory.by_email(item.owner_email)
        executive = directory.executive_of(owner) if owner else None
        if executive is not None:
            found.append(executive.email)
    return list(dict.fromkeys(e.lower() for e in found))


def announce_minutes(
    session: Session,
    config: Config,
    meeting: Meeting,
    doc: MinutesDoc,
    result: MinutesResult,
    *,
    submitted_by: str,
    receipt_key: str,
    in_reply_to: str | None,
    subject: str | None,
    now: datetime,
    held: str | None = None,
) -> None:
    """The official minutes to everyone, the receipt to the scribe and the owners' assignments;
    for ``held`` minutes only the receipt, saying why and how to release them."""
    directory = directory_of(config)
    minutes = result.minutes
    spec = invite_spec(meeting)
    content = minutes.content or {}
    items = [
        i
        for i in item_repo.items_of_meeting_unordered(session, meeting.id)
        if i.status.value != "cancelled"
    ]
    reply_to = meeting_reply_address(config, meeting)
    for email in minutes_recipients(meeting, items, directory) if held is None else ():
        locale, zone = _person(directory, config, email)
        outbox.enqueue(
            session,
            key=f"minutes:{meeting.invite_uid}:v{minutes.version}:{email}",
            recipients=[email],
            payload=official_minutes_payload(
                spec,
                content,
                version=minutes.version,
                correction=result.correction,
                changes=result.changes,
                locale=locale,
                timezone=zone,
                thread_root=meeting.thread_root,
                reply_to=reply_to,
            ),
            now=now,
            meeting_id=meeting.id,
        )
    if held is None:
        minutes.official_sent_at = now
    locale, zone = _person(directory, config, submitted_by)
    rows = [item_row(i, directory, meeting.title) for i in items] if held is None else []
    # Issues and risks (问题与风险) are listed apart from the actions; one without an owner is
    # the organiser's until someone is named, which the scribe is told.
    issues = {i.ref for i in items if is_issue(i)}
    issue_problems = (
        unowned_problems(doc.disputes, items, meeting, directory, locale) if held is None else []
    )
    outbox.enqueue(
        session,
        key=f"minutes-receipt:{receipt_key}",
        recipients=[submitted_by],
        payload=minutes_receipt_payload(
            title=meeting.title,
            decisions=list(doc.decisions),
            actions=[r for r in rows if r.ref not in issues],
            disputes=[r for r in rows if r.ref in issues],
            problems=[*doc.problems, *issue_problems],
            version=minutes.version,
            correction=result.correction,
            changes=result.changes,
            created=sum(not is_issue(i) for i in result.new_items),
            locale=locale,
            timezone=zone,
            in_reply_to=in_reply_to,
            subject=subject,
            thread_root=meeting.thread_root,
            held=held,
        ),
        now=now,
        meeting_id=meeting.id,
    )
    assign(session, config, meeting, result.new_items, version=minutes.version, now=now)


def assign(
    session: Session,
    config: Config,
    meeting: Meeting,
    items: Sequence[ActionItem],
    *,
    version: int | str,
    now: datetime,
) -> None:
    """One mail per owner listing their new items and asking them to confirm."""
    directory = directory_of(config)
    by_owner: dict[str, list[ActionItem]] = defaultdict(list)
    for item in items:
        by_owner[item.owner_email].append(item)
    for owner, owned in by_owner.items():
        locale, zone = _person(directory, config, owner)
        outbox.enqueue(
            session,
            key=f"assign:{meeting.invite_uid}:v{version}:{owner}",
            recipients=[owner],
            payload=item_assignment_payload(
                [item_row(i, directory, meeting.title) for i in owned],
                meeting_title=meeting.title,
                meeting_start=meeting.starts_at,
                meeting_tzid=meeting.tzid,
                locale=locale,
                timezone=zone,
                thread_root=meeting.thread_root,
                reply_to=meeting_reply_address(config, meeting),
            ),
            now=now,
            meeting_id=meeting.id,
        )
