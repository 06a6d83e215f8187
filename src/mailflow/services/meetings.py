"""Store a meeting from any intake: create, update (newer SEQUENCE), cancel (series or occurrence).

The three intakes (the organiser's iTIP REQUEST/CANCEL, a "MEETING:" mail, ``meeting add``) all end
here with a :class:`MeetingSpec`. What is stored is the organiser's view (``Meeting.spec``);
mailflow's own invite has its own UID and SEQUENCE (``invite_uid``/``invite_sequence``), bumped
whenever mailflow has a change to announce, with a revision kept per announced version so an
update can say what changed. Sending is the notice planner's job (``services/notices.py``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.orm import Session

from mailflow.domain.meeting import MeetingSpec
from mailflow.domain.meeting_codec import from_json, to_json
from mailflow.domain.series import is_occurrence, moved, pruned, with_exception
from mailflow.outbound.rendering.compose import thread_root_id
from mailflow.tracker import meeting_repo
from mailflow.tracker.models import (
    AgendaItem,
    Attendee,
    AttendeeRole,
    Meeting,
    MeetingRevision,
    MeetingSource,
    MeetingStatus,
    PartStat,
)

IntakeOutcome = Literal["created", "updated", "cancelled", "ignored"]


@dataclass
class IntakeResult:
    outcome: IntakeOutcome
    meeting: Meeting | None
    spec: MeetingSpec | None
    previous: MeetingSpec | None = None
    notes: list[str] = field(default_factory=list)


def invite_uid_for(uid: str, source: MeetingSource, domain: str) -> str:
    """mailflow's invite UID: its own for meetings it created, a derived one for calendar invites.

    A meeting that arrived as the organiser's own calendar invite keeps that event to the
    organiser; mailflow's invite is a separate event it organises (so RSVPs come to the bot), and
    must not share the UID, or calendars would merge two events with different organisers.
    """
    if source is not MeetingSource.ITIP:
        return uid
    return f"mf-{hashlib.sha256(uid.encode()).hexdigest()[:32]}@{domain}"


def find_meeting(session: Session, uid: str) -> Meeting | None:
    return meeting_repo.meeting_by_uid(session, uid)


def find_by_invite_uid(session: Session, invite_uid: str) -> Meeting | None:
    return meeting_repo.meeting_by_invite_uid(session, invite_uid)


def stored_spec(meeting: Meeting) -> MeetingSpec:
    return from_json(meeting.spec)


def invite_spec(meeting: Meeting, spec: MeetingSpec | None = None) -> MeetingSpec:
    """The meeting as mailflow's invite describes it: mailflow's UID and SEQUENCE."""
    base = spec if spec is not None else stored_spec(meeting)
    return dataclasses.replace(base, uid=meeting.invite_uid, sequence=meeting.invite_sequence)


def revision_spec(session: Session, meeting: Meeting, sequence: int) -> MeetingSpec | None:
    found = meeting_repo.revision_spec(session, meeting, sequence)
    return from_json(found) if found is not None else None


def apply_spec(
    session: Session,
    spec: MeetingSpec,
    *,
    source: MeetingSource,
    domain: str,
    now: datetime,
) -> IntakeResult:
    """Create, update or cancel the meeting ``spec`` describes; see the module docstring.

    Who may is the caller's check (``services/intake``): here the sender is the organiser.
    """
    spec = _clamped(spec, now)
    meeting = find_meeting(session, spec.uid)
    if meeting is None:
        if spec.recurrence_id is not None:
            note = "a change to one occurrence of a series mailflow does not know"
            return IntakeResult("ignored", None, spec, notes=[note])
        if spec.status == "CANCELLED":
            return IntakeResult("ignored", None, spec, notes=["cancellation of an unknown meeting"])
        return IntakeResult("created", _create(session, pruned(spec), source, domain, now), spec)
    previous = stored_spec(meeting)
    if spec.recurrence_id is not None:
        return _apply_occurrence(session, meeting, previous, spec, now)
    if spec.status == "CANCELLED":
        return _cancel(session, meeting, previous, spec, source, now)
    if source is MeetingSource.ITIP and not _newer(spec, previous):
        # RFC 5546: a REQUEST not newer than what we hold is stale (a resend or a reordering).
        note = f"SEQUENCE {spec.sequence} is not newer than the stored {previous.sequence}"
        return IntakeResult("ignored", meeting, spec, previous, notes=[note])
    if source is not MeetingSource.ITIP:
        # Mail and CLI intakes have no SEQUENCE of their own: each accepted change is newer.
        spec = dataclasses.replace(spec, sequence=meeting.sequence + 1)
    # A changed rule or start leaves no exception for an occurrence the series no longer has.
    spec = pruned(spec)
    _store(session, meeting, spec, now)
    if _material(previous) != _material(spec):
        _announce(session, meeting, spec, now)
    return IntakeResult("updated", meeting, spec, previous)


def _cancel(
    session: Session,
    meeting: Meeting,
    previous: MeetingSpec,
    spec: MeetingSpec,
    source: MeetingSource,
    now: datetime,
) -> IntakeResult:
    """The whole meeting off. An equal SEQUENCE counts: Outlook for Mac cancels without bumping
    it, and only the stored organiser gets this far."""
    if meeting.status is MeetingStatus.CANCELLED:
        return IntakeResult("ignored", meeting, spec, previous, notes=["already cancelled"])
    if source is MeetingSource.ITIP and spec.sequence < previous.sequence:
        note = f"a cancellation with SEQUENCE {spec.sequence}, older than {previous.sequence}"
        return IntakeResult("ignored", meeting, spec, previous, notes=[note])
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence = max(meeting.sequence, spec.sequence)
    _announce(session, meeting, dataclasses.replace(previous, status="CANCELLED"), now)
    return IntakeResult("cancelled", meeting, spec, previous)


def _clamped(spec: MeetingSpec, now: datetime) -> MeetingSpec:
    """A DTSTAMP from a fast clock (or 2099) counts as the time it arrived: it must not make every
    later version look older."""
    stamp = spec.extra.get("dtstamp")
    if stamp is None:
        return spec
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        return dataclasses.replace(
            spec, extra={k: v for k, v in spec.extra.items() if k != "dtstamp"}
        )
    if at <= now:
        return spec
    return dataclasses.replace(
        spec, extra={**spec.extra, "dtstamp": now.astimezone(UTC).isoformat()}
    )


def _newer(spec: MeetingSpec, stored: MeetingSpec) -> bool:
    """RFC 5546 2.1.5: a higher SEQUENCE wins; with an equal one, the later DTSTAMP — compared
    only between two mails of the same calendar program (another device's clock is not comparable),
    else a version that differs is taken as the newer (Google moves a place without a new SEQUENCE).
    """
    if spec.sequence != stored.sequence:
        return spec.sequence > stored.sequence
    stamp, stored_stamp = spec.extra.get("dtstamp"), stored.extra.get("dtstamp")
    same_client = spec.extra.get("prodid") == stored.extra.get("prodid")
    if same_client and stamp is not None and stored_stamp is not None and stamp != stored_stamp:
        return stamp > stored_stamp
    return _material(spec) != _material(stored)


def _material(spec: MeetingSpec) -> MeetingSpec:
    """What attendees see: SEQUENCE and DTSTAMP-like noise do not make a change worth a mail."""
    overrides = tuple(dataclasses.replace(o, sequence=0) for o in spec.overrides)
    return dataclasses.replace(spec, sequence=0, extra={}, overrides=overrides)


def _create(
    session: Session, spec: MeetingSpec, source: MeetingSource, domain: str, now: datetime
) -> Meeting:
    invite_uid = invite_uid_for(spec.uid, source, domain)
    meeting = Meeting(
        uid=spec.uid,
        invite_uid=invite_uid,
        invite_sequence=0,
        thread_root=thread_root_id(invite_uid, domain),
        source=source,
        status=MeetingStatus.SCHEDULED,
        created_at=now,
        **_columns(spec, now),
    )
    session.add(meeting)
    _sync_children(meeting, spec, now)
    session.flush()
    session.add(
        MeetingRevision(
            meeting_id=meeting.id, invite_sequence=0, spec=to_json(spec), created_at=now
        )
    )
    return meeting


def _columns(spec: MeetingSpec, now: datetime) -> dict[str, object]:
    return {
        "sequence": spec.sequence,
        "title": spec.title,
        "organiser_email": spec.organiser.email,
        "scribe_email": spec.scribe,
        "starts_at": spec.start,
        "ends_at": spec.end,
        "tzid": spec.tzid,
        "location": spec.location,
        "online_url": spec.online_url,
        "description": spec.description,
        "rrule": spec.rrule,
        "spec": to_json(spec),
        "updated_at": now,
    }


def _store(session: Session, meeting: Meeting, spec: MeetingSpec, now: datetime) -> None:
    for name, value in _columns(spec, now).items():
        setattr(meeting, name, value)
    meeting.status = MeetingStatus.SCHEDULED
    _sync_children(meeting, spec, now)


def _announce(session: Session, meeting: Meeting, spec: MeetingSpec, now: datetime) -> None:
    """A new invite version: bump mailflow's SEQUENCE and keep the version for later diffs."""
    meeting.invite_sequence += 1
    meeting.spec = to_json(spec)
    meeting.updated_at = now
    session.add(
        MeetingRevision(
            meeting_id=meeting.id,
            invite_sequence=meeting.invite_sequence,
            spec=to_json(spec),
            created_at=now,
        )
    )


def _sync_children(meeting: Meeting, spec: MeetingSpec, now: datetime) -> None:
    # Agenda rows are updated in place by position: replacing the list would insert the new rows
    # before deleting the old ones and trip the (meeting, position) unique constraint.
    rows = list(meeting.agenda)
    del meeting.agenda[len(spec.agenda) :]
    for position, item in enumerate(spec.agenda):
        if position < len(rows):
            row = rows[position]
        else:
            row = AgendaItem(position=position)
            meeting.agenda.append(row)
        row.topic = item.topic
        row.owner_email = item.owner
        row.duration_minutes = item.minutes
        row.expected_conclusion = item.expected_conclusion
        row.materials = list(spec.materials) if position == 0 else []
    wanted = {a.email.lower(): a for a in spec.attendees}
    current = {a.email.lower(): a for a in meeting.attendees if a.recurrence_id == ""}
    for email, gone in current.items():
        if email not in wanted and gone.removed_at is None:
            gone.removed_at = now  # the planner sends them a CANCEL if they had been notified
    for email, attendee in wanted.items():
        existing = current.get(email)
        if existing is None:
            # The organiser's own answer is theirs to give (ACCEPTED, as their calendar says);
            # everyone else's starts open, whatever the organiser's calendar showed of it.
            is_organiser = email == spec.organiser.email.lower()
            meeting.attendees.append(
                Attendee(
                    email=email,
                    name=attendee.name,
                    role=AttendeeRole(attendee.role),
                    partstat=PartStat(attendee.partstat) if is_organiser else PartStat.NEEDS_ACTION,
                )
            )
        else:
            existing.name = attendee.name or existing.name
            existing.role = AttendeeRole(attendee.role)
            existing.removed_at = None


def _apply_occurrence(
    session: Session, meeting: Meeting, previous: MeetingSpec, spec: MeetingSpec, now: datetime
) -> IntakeResult:
    """One occurrence of a series moved, retimed, re-located, retitled or cancelled: stored as an
    exception of the series (an override or an EXDATE) and announced as a new series version."""
    rid = spec.recurrence_id
    assert rid is not None
    known = moved(previous.overrides, rid)
    off = any(abs(d - rid).total_seconds() < 1 for d in previous.exdates)
    if known is None and not off and not is_occurrence(previous, rid):
        note = f"the series has no occurrence at {rid.isoformat()}"
        return IntakeResult("ignored", meeting, spec, previous, notes=[note])
    if spec.status == "CANCELLED" and off:
        return IntakeResult("ignored", meeting, spec, previous, notes=["occurrence already off"])
    if known is not None and spec.status != "CANCELLED" and spec.sequence < known.sequence:
        note = (
            f"SEQUENCE {spec.sequence} is older than the stored {known.sequence} of that occurrence"
        )
        return IntakeResult("ignored", meeting, spec, previous, notes=[note])
    updated = with_exception(previous, spec)
    if _material(updated) == _material(previous):
        return IntakeResult("ignored", meeting, spec, previous, notes=["occurrence unchanged"])
    notes = ["one occurrence"]
    if {a.email.lower() for a in spec.attendees} - {a.email.lower() for a in previous.attendees}:
        notes.append("attendees added to one occurrence only are not invited separately")
    meeting.sequence = max(meeting.sequence, spec.sequence)
    _store(session, meeting, updated, now)
    _announce(session, meeting, updated, now)
    outcome: IntakeOutcome = "cancelled" if spec.status == "CANCELLED" else "updated"
    return IntakeResult(outcome, meeting, updated, previous, notes=notes)
