"""Plan meeting notices, updates and cancellations into the outbox.

Runs on every plan tick and is idempotent: every row's key names the meeting's invite UID, the
invite SEQUENCE, the occurrence and the attendee, so planning twice, after a restart or on a second
replica enqueues nothing new. Which mail an attendee gets:

- never notified, notice due (N business days before, at the send hour): ``notice``;
- notified of an older SEQUENCE: ``update`` at once, listing what changed since their version;
- taken off the meeting after being notified, or the meeting cancelled: ``cancel`` at once;
- never notified and taken off or cancelled: nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.domain.notice_timing import due_notices
from mailflow.domain.tokens import reply_address, sign
from mailflow.outbound import outbox
from mailflow.outbound.notice_mail import notice_payload
from mailflow.services.meetings import invite_spec, revision_spec
from mailflow.services.readers import directory_of
from mailflow.tracker.models import Attendee, Meeting, MeetingStatus

Kind = Literal["notice", "update", "cancel"]


def plan_notices(session: Session, now: datetime, config: Config) -> int:
    """Enqueue every notice, update and cancellation that is due; returns how many were new."""
    calendar = BusinessCalendar(config.schedule.calendar)
    directory = directory_of(config)
    meetings = session.scalars(
        select(Meeting).where(
            Meeting.status.in_([MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED])
        )
    )
    created = 0
    for meeting in meetings:
        created += _plan_meeting(session, meeting, now, config, calendar, directory)
    return created


def _plan_meeting(
    session: Session,
    meeting: Meeting,
    now: datetime,
    config: Config,
    calendar: BusinessCalendar,
    directory: Directory,
) -> int:
    spec = invite_spec(meeting)
    created = 0
    series = [a for a in meeting.attendees if a.recurrence_id == ""]
    if meeting.status is MeetingStatus.CANCELLED:
        for attendee in series:
            if attendee.notified_sequence is not None:
                created += _enqueue(
                    session, meeting, spec, attendee, "cancel", None, now, config, directory
                )
        return created
    for attendee in series:
        if attendee.removed_at is not None:
            if attendee.notified_sequence is not None:
                created += _enqueue(
                    session, meeting, spec, attendee, "cancel", None, now, config, directory
                )
        elif (
            attendee.notified_sequence is not None
            and attendee.notified_sequence < meeting.invite_sequence
            and meeting.ends_at > now
        ):
            previous = revision_spec(session, meeting, attendee.notified_sequence)
            created += _enqueue(
                session, meeting, spec, attendee, "update", previous, now, config, directory
            )
    due = due_notices(
        spec,
        now=now,
        lead_business_days=config.schedule.notice_lead_business_days,
        send_time=config.schedule.notice_send_time,
        calendar=calendar,
    )
    for notice in due:
        occurrence = notice.occurrence.isoformat() if notice.occurrence else "-"
        for attendee in _active(series):
            created += _enqueue(
                session, meeting, spec, attendee, "notice", None, now, config, directory, occurrence
            )
    return created


def _active(attendees: Iterable[Attendee]) -> list[Attendee]:
    return [a for a in attendees if a.removed_at is None]


def _enqueue(
    session: Session,
    meeting: Meeting,
    spec: MeetingSpec,
    attendee: Attendee,
    kind: Kind,
    previous: MeetingSpec | None,
    now: datetime,
    config: Config,
    directory: Directory,
    occurrence: str = "-",
) -> int:
    person = directory.by_email(attendee.email)
    if (
        kind == "notice"
        and attendee.notified_sequence == meeting.invite_sequence
        and occurrence == "-"
    ):
        return 0
    key = f"{kind}:{meeting.invite_uid}:{meeting.invite_sequence}:{occurrence}:{attendee.email}"
    payload = notice_payload(
        spec,
        AttendeeSpec(attendee.email, attendee.name, attendee.role.value),
        kind=kind,
        previous=previous,
        locale=person.locale if person else None,
        timezone=person.timezone if person else None,
        thread_root=meeting.thread_root,
        reply_to=meeting_reply_address(config, meeting),
    )
    inserted = outbox.enqueue(
        session,
        key=key,
        kind="notice",
        recipients=[attendee.email],
        payload=payload,
        now=now,
        meeting_id=meeting.id,
    )
    if kind == "cancel" and attendee.removed_at is not None:
        attendee.notified_sequence = None  # told once; a later re-add starts afresh
    else:
        attendee.notified_sequence = meeting.invite_sequence
    return 1 if inserted else 0


def meeting_reply_address(config: Config, meeting: Meeting) -> str | None:
    """The signed plus-address replies about this meeting go to, when a token secret is set."""
    secret = config.mail.token_secret.reveal() if config.mail.token_secret.key else ""
    if not secret:
        return None
    return reply_address(config.mail.bot_address, sign(secret.encode(), "m", meeting.id))
