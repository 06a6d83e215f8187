"""Plan meeting notices, updates and cancellations into the outbox.

Runs on every plan tick and is idempotent: every row's key names the meeting's invite UID, the
attendee and either the invite SEQUENCE (updates, cancels, a single meeting's notice) or the
occurrence (a series' notice before each occurrence, sent once whatever SEQUENCE the series is
at), so planning twice, after a restart or on a second replica enqueues nothing new. Which mail an
attendee gets:

- never notified, notice due (N business days before, at the send hour): ``notice``;
- a series: a ``notice`` before each occurrence (its own date, place and title in the text, the
  whole series in the invite);
- notified of an older SEQUENCE: ``update`` at once, listing what changed since their version —
  one mail per change, a moved or cancelled occurrence included;
- taken off the meeting after being notified, or the meeting cancelled: ``cancel`` at once;
- never notified and taken off or cancelled: nothing.

One pass enqueues at most ``[meetings] max_notices_per_pass`` rows; the rest are enqueued by the
next pass (keys make that exact), so one huge meeting cannot hold up the others' mail for long.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.business_calendar import BusinessCalendar, calendar_for
from mailflow.domain.directory import Directory
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.domain.notice_timing import due_notices
from mailflow.domain.readers import directory_of
from mailflow.domain.tokens import reply_address, sign
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.meetings.notice_mail import notice_payload
from mailflow.services.meetings import invite_spec, revision_spec
from mailflow.tracker import meeting_repo
from mailflow.tracker.models import Attendee, Meeting, MeetingStatus

Kind = Literal["notice", "update", "cancel"]
log = logging.getLogger(__name__)


def plan_notices(session: Session, now: datetime, config: Config) -> int:
    """Enqueue every notice, update and cancellation that is due, up to the per-pass cap;
    returns how many were new."""
    calendar = calendar_for(config.schedule.calendar)
    directory = directory_of(config)
    budget = _Budget(config.meetings.max_notices_per_pass)
    for meeting in meetings_to_plan(session, now):
        if budget.spent:
            log.warning(
                "notice planning stopped at %d rows this pass; the rest follow in the next",
                budget.limit,
            )
            break
        _plan_meeting(session, meeting, now, config, calendar, directory, budget)
    return budget.created


def meetings_to_plan(session: Session, now: datetime) -> list[Meeting]:
    """The meetings a notice, update or cancellation can still be due for: those not yet over,
    and series (whose next occurrence may be ahead). A meeting that has ended needs no notice,
    update or cancellation, so the past — however long — is never read. Two indexed queries
    (``ends_at``; series by ``rrule``), their attendees loaded with them in one more."""
    wanted = (MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED)
    return meeting_repo.not_over_or_series(session, now, wanted)


class _Budget:
    """How many rows this pass may still enqueue."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.created = 0

    @property
    def spent(self) -> bool:
        return self.created >= self.limit

    def add(self, created: int) -> None:
        self.created += created


def _plan_meeting(
    session: Session,
    meeting: Meeting,
    now: datetime,
    config: Config,
    calendar: BusinessCalendar,
    directory: Directory,
    budget: _Budget,
) -> None:
    spec = invite_spec(meeting)
    series = [a for a in meeting.attendees if a.recurrence_id == ""]

    def enqueue(
        attendee: Attendee, kind: Kind, previous: MeetingSpec | None, occurrence: str = "-"
    ) -> None:
        if not budget.spent:
            budget.add(
                _enqueue(
                    session,
                    meeting,
                    spec,
                    attendee,
                    kind,
                    previous,
                    now,
                    config,
                    directory,
                    occurrence,
                )
            )

    if meeting.status is MeetingStatus.CANCELLED:
        for attendee in series:
            if attendee.notified_sequence is not None:
                enqueue(attendee, "cancel", None)
        return
    for attendee in series:
        if attendee.removed_at is not None:
            if attendee.notified_sequence is not None:
                enqueue(attendee, "cancel", None)
        elif (
            attendee.notified_sequence is not None
            and attendee.notified_sequence < meeting.invite_sequence
            and meeting.ends_at > now
        ):
            enqueue(attendee, "update", revision_spec(session, meeting, attendee.notified_sequence))
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
            enqueue(attendee, "notice", None, occurrence)


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
    if occurrence == "-":
        key = f"{kind}:{meeting.invite_uid}:{meeting.invite_sequence}:-:{attendee.email}"
    else:
        # Once per occurrence, whatever SEQUENCE the series is at: a change is told by its update.
        key = f"{kind}:{meeting.invite_uid}:occurrence:{occurrence}:{attendee.email}"
    payload = notice_payload(
        spec,
        AttendeeSpec(attendee.email, attendee.name, attendee.role.value),
        kind=kind,
        previous=previous,
        locale=person.locale if person else None,
        timezone=person.timezone if person else None,
        thread_root=meeting.thread_root,
        reply_to=meeting_reply_address(config, meeting),
        occurrence=None if occurrence == "-" else datetime.fromisoformat(occurrence),
    )
    inserted = outbox.enqueue(
        session,
        key=key,
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


def resend_invitation(
    session: Session, config: Config, meeting: Meeting, address: str, now: datetime, key: str
) -> bool:
    """The invitation as it stands, once more, to ``address`` if they are a current attendee of
    a scheduled meeting (an attendee's calendar asked with REFRESH). True when queued."""
    if meeting.status is not MeetingStatus.SCHEDULED:
        return False
    identities = directory_of(config).identities
    attendee = next(
        (
            a
            for a in meeting.attendees
            if a.recurrence_id == "" and a.removed_at is None and identities.same(a.email, address)
        ),
        None,
    )
    if attendee is None:
        return False
    person = directory_of(config).by_email(attendee.email)
    payload = notice_payload(
        invite_spec(meeting),
        AttendeeSpec(attendee.email, attendee.name, attendee.role.value),
        kind="notice",
        locale=person.locale if person else None,
        timezone=person.timezone if person else None,
        thread_root=meeting.thread_root,
        reply_to=meeting_reply_address(config, meeting),
    )
    outbox.enqueue_soon(
        session,
        key=f"{key}:{meeting.id}",
        recipients=[attendee.email],
        payload=payload,
        now=now,
        meeting_id=meeting.id,
    )
    attendee.notified_sequence = meeting.invite_sequence
    return True
