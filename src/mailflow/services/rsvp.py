"""Record an attendee's answer (RSVP): from their calendar (iTIP REPLY) or a plain-text reply.

Only the attendee may answer for themselves: the mail's sender must be the answering attendee
(compared after alias domains: ``[mail.alias_domains]``). An answer for one occurrence of a series
gets its own row (keyed by RECURRENCE-ID); an older answer arriving after a newer one (by DTSTAMP)
is ``stale`` and changes nothing. A DTSTAMP later than the answer's arrival (a fast or broken
clock: 2099) counts as the arrival time, so it can never freeze an attendee's later answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.orm import Session

from mailflow.domain.identity import PLAIN, Identities
from mailflow.services.meetings import find_by_invite_uid, find_meeting
from mailflow.tracker.models import Attendee, Meeting, PartStat, recurrence_key

RsvpStatus = Literal["recorded", "unknown_meeting", "not_attendee", "not_sender", "stale"]


@dataclass(frozen=True)
class RsvpResult:
    status: RsvpStatus
    meeting: Meeting | None = None
    partstat: str | None = None


def meeting_for_uid(session: Session, uid: str) -> Meeting | None:
    """Replies carry mailflow's invite UID; a reply to the organiser's own UID is accepted too.

    Remembered for the session (an inbound batch): a backlog's RSVPs name a few meetings many
    times, and a meeting already loaded then costs no query.
    """
    known: dict[str, int] = session.info.setdefault("mailflow.meeting_by_uid", {})
    if (meeting_id := known.get(uid)) is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is not None and uid in (meeting.invite_uid, meeting.uid):
            return meeting
    meeting = find_by_invite_uid(session, uid) or find_meeting(session, uid)
    if meeting is not None:
        known[uid] = meeting.id
    return meeting


def record_rsvp(
    session: Session,
    meeting: Meeting,
    *,
    attendee: str,
    sender: str,
    partstat: str,
    comment: str | None,
    recurrence_id: datetime | None,
    now: datetime,
    dtstamp: datetime | None = None,
    identities: Identities = PLAIN,
) -> RsvpResult:
    if not identities.same(attendee, sender):
        return RsvpResult("not_sender", meeting)
    wanted = identities.canonical(attendee)
    series = next(
        (
            a
            for a in meeting.attendees
            if a.recurrence_id == "" and identities.canonical(a.email) == wanted
        ),
        None,
    )
    if series is None or series.removed_at is not None:
        return RsvpResult("not_attendee", meeting)
    key = recurrence_key(recurrence_id)
    row = series if key == "" else _occurrence_row(meeting, series, key)
    answered_at = min(dtstamp, now) if dtstamp is not None else now
    if row.responded_at is not None and answered_at < min(_aware(row.responded_at, now), now):
        return RsvpResult("stale", meeting, str(row.partstat))
    row.partstat = PartStat(partstat)
    row.comment = comment or None
    row.responded_at = answered_at
    return RsvpResult("recorded", meeting, partstat)


def _aware(at: datetime, like: datetime) -> datetime:
    """A stored time read back without its zone (SQLite) is UTC."""
    return at if at.tzinfo is not None or like.tzinfo is None else at.replace(tzinfo=UTC)


def _occurrence_row(meeting: Meeting, series: Attendee, key: str) -> Attendee:
    for row in meeting.attendees:
        if row.email == series.email and row.recurrence_id == key:
            return row
    row = Attendee(
        email=series.email,
        name=series.name,
        role=series.role,
        partstat=PartStat.NEEDS_ACTION,
        recurrence_id=key,
    )
    meeting.attendees.append(row)
    return row


def summary(meeting: Meeting) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
    """Counts by PARTSTAT and one row per current attendee (whole-series answers)."""
    rows = [
        (a.name or a.email, str(a.partstat), a.comment or "")
        for a in meeting.attendees
        if a.recurrence_id == "" and a.removed_at is None
    ]
    order = ["ACCEPTED", "TENTATIVE", "DECLINED", "DELEGATED", "NEEDS-ACTION"]
    counted = Counter(partstat for _, partstat, _ in rows)
    return {k: counted[k] for k in order if counted[k]}, rows
