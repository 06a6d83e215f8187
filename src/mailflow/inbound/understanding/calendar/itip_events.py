"""Turn one parsed VEVENT into what mailflow acts on: a MeetingSpec, RSVPs, or a counter-proposal.

Helpers of :mod:`mailflow.inbound.understanding.calendar.itip`, which re-exports the types.
ORGANIZER is never required for replies and counters (Exchange omits it); they are matched by UID,
RECURRENCE-ID and the replying ATTENDEE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

from mailflow.domain.meeting import AttendeeSpec, MeetingSpec, PartStat, Role
from mailflow.domain.online_links import join_link, platform_only
from mailflow.inbound.reading.ical_values import (
    Moment,
    address,
    moment,
    moments,
    sequence,
    stamp,
    text,
)

MAX_ATTENDEES = 1_000
_ROLES: dict[str, Role] = {role: role for role in get_args(Role)}
_PARTSTATS: dict[str, PartStat] = {stat: stat for stat in get_args(PartStat)}
# Properties where clients put the link of an online meeting.
_LINK_PROPERTIES = (
    "CONFERENCE",
    "URL",
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
)
# Where iOS and macOS Calendar put an attendee's note (the standard COMMENT is rarely used).
_COMMENT_PROPERTIES = (
    "COMMENT",
    "X-CALENDARSERVER-PRIVATE-COMMENT",
    "X-CALENDARSERVER-ATTENDEE-COMMENT",
)
# A CANCEL may leave DTSTART out (Thunderbird's series cancel): the stored meeting's is used.
NO_START = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ItipReply:
    """One attendee's answer (METHOD:REPLY) to one meeting or one occurrence of a series."""

    uid: str
    recurrence_id: datetime | None
    attendee: str
    attendee_name: str | None
    partstat: PartStat
    comment: str | None
    sequence: int
    dtstamp: datetime | None


@dataclass(frozen=True)
class ItipCounter:
    """An attendee's proposal of a new time (METHOD:COUNTER), for the organiser to decide."""

    uid: str
    recurrence_id: datetime | None
    attendee: str | None
    start: datetime | None
    end: datetime | None
    tzid: str | None
    comment: str | None


def _comment(event: Any) -> str | None:
    found: list[str] = []
    for name in _COMMENT_PROPERTIES:
        value = event.get(name)
        for item in value if isinstance(value, list) else [value] if value is not None else []:
            text_value = str(item).strip()
            if text_value and text_value not in found:
                found.append(text_value)
    return "\n".join(found) or None


def _category(event: Any) -> str | None:
    """The first CATEGORIES value, or a "Project:"/"项目：" line of the description."""
    value = event.get("CATEGORIES")
    for prop in value if isinstance(value, list) else [value] if value is not None else []:
        for category in getattr(prop, "cats", None) or str(prop).split(","):
            name = " ".join(str(category).split())
            if name:
                return name[:200]
    description = text(event.get("DESCRIPTION")) or ""
    for line in description.splitlines()[:40]:
        head, sep, rest = line.replace("：", ":").partition(":")
        if sep and head.strip().lower() in ("project", "项目", "專案", "項目") and rest.strip():
            return " ".join(rest.split())[:200]
    return None


def _recurrence_id(event: Any, floating_tz: str, problems: list[str]) -> datetime | None:
    prop = event.get("RECURRENCE-ID")
    if prop is None:
        return None
    found = moment(prop, floating_tz=floating_tz, problems=problems, what="RECURRENCE-ID")
    return None if found is None else found.at


def _attendee_props(event: Any) -> list[Any]:
    value = event.get("ATTENDEE")
    props = value if isinstance(value, list) else [value] if value is not None else []
    return props[:MAX_ATTENDEES]


def _span(event: Any, floating_tz: str, problems: list[str]) -> tuple[Moment, datetime] | None:
    """DTSTART and the end (DTEND, else DTSTART + DURATION, else RFC 5545's default)."""
    if event.get("DTSTART") is None:
        problems.append("VEVENT without DTSTART")
        return None
    start = moment(event["DTSTART"], floating_tz=floating_tz, problems=problems, what="DTSTART")
    if start is None:
        return None
    if start.floating and not start.all_day:
        problems.append(f"DTSTART has no time zone: read in {start.tzid}")
    end: datetime | None = None
    if event.get("DTEND") is not None:
        found = moment(event["DTEND"], floating_tz=floating_tz, problems=problems, what="DTEND")
        end = None if found is None else found.at.astimezone(start.at.tzinfo)
    elif event.get("DURATION") is not None:
        duration = getattr(event["DURATION"], "dt", None)
        end = start.at + duration if isinstance(duration, timedelta) else None
    if end is None:
        # RFC 5545 3.6.1: an all-day event lasts one day, a timed one ends when it starts.
        end = start.at + timedelta(days=1) if start.all_day else start.at
    return start, end


def meeting_spec(
    event: Any,
    uid: str,
    *,
    method: str,
    sender: str | None,
    floating_tz: str,
    problems: list[str],
    prodid: str | None = None,
) -> MeetingSpec | None:
    """The meeting a REQUEST/ADD/PUBLISH/CANCEL VEVENT describes, or None when it has no start
    (a CANCEL needs none: it names its meeting by UID, and RECURRENCE-ID for one occurrence)."""
    if method == "CANCEL" and event.get("DTSTART") is None:
        when = _recurrence_id(event, floating_tz, problems) or NO_START
        start, end = Moment(when, floating_tz), when
    else:
        span = _span(event, floating_tz, problems)
        if span is None:
            return None
        start, end = span
    organiser_email, organiser_name = address(event.get("ORGANIZER", ""))
    if organiser_email is None:
        if sender is None:
            problems.append(f"{uid}: no ORGANIZER and no sender")
            return None
        problems.append(f"{uid}: no ORGANIZER: the sender {sender} is taken as organiser")
        organiser_email = sender
    attendees: dict[str, AttendeeSpec] = {}
    rooms: list[str] = []
    for prop in _attendee_props(event):
        email, name = address(prop)
        params = getattr(prop, "params", {}) or {}
        if str(params.get("CUTYPE", "")).upper() in {"ROOM", "RESOURCE"}:
            rooms.append(name or email or "")
        elif email is None:
            problems.append(f"{uid}: an ATTENDEE without an address ({str(prop)[:60]!r})")
        else:
            role = _ROLES.get(str(params.get("ROLE", "")).upper(), "REQ-PARTICIPANT")
            partstat = _PARTSTATS.get(str(params.get("PARTSTAT", "")).upper(), "NEEDS-ACTION")
            attendees.setdefault(email, AttendeeSpec(email, name, role, partstat))
    location = text(event.get("LOCATION"))
    description = text(event.get("DESCRIPTION"))
    link = join_link([location, *(text(event.get(p)) for p in _LINK_PROPERTIES)], [description])
    if location is not None and (
        location == link
        or location.lower().startswith("http")
        or (link and platform_only(location))
    ):
        location = None  # only the link or the platform's name: shown as the join line
    extra: dict[str, str] = {}
    if start.all_day:
        extra["all_day"] = "true"
    if rooms:
        extra["rooms"] = ", ".join(r for r in rooms if r)
    if prodid:
        extra["prodid"] = prodid[:200]  # DTSTAMPs compare only between the same client's mails
    stamp = getattr(event.get("DTSTAMP"), "dt", None)
    if isinstance(stamp, datetime):
        # With an equal SEQUENCE the later DTSTAMP is the newer version (RFC 5546 2.1.5): Google
        # moves a meeting's place without bumping SEQUENCE.
        extra["dtstamp"] = stamp.astimezone(UTC).isoformat()
    project = _category(event)
    if project:
        extra["project"] = project  # Outlook's categories name the project (see services/projects)
    recurrence_range = getattr(event.get("RECURRENCE-ID"), "params", {}).get("RANGE")
    if recurrence_range:
        extra["recurrence_range"] = str(recurrence_range).upper()
    rrule = event.get("RRULE")
    if isinstance(rrule, list):
        problems.append(f"{uid}: several RRULEs: the first is kept")
        rrule = rrule[0]
    cancelled = method == "CANCEL" or str(event.get("STATUS", "")).upper() == "CANCELLED"
    exdates = moments(
        event.get("EXDATE", []), floating_tz=start.tzid, problems=problems, what="EXDATE"
    )
    return MeetingSpec(
        uid=uid,
        title=text(event.get("SUMMARY")) or "",
        organiser=AttendeeSpec(organiser_email, organiser_name, "CHAIR", "ACCEPTED"),
        start=start.at,
        end=end,
        tzid=start.tzid,
        sequence=sequence(event.get("SEQUENCE"), problems),
        attendees=tuple(attendees.values()),
        location=location or (extra["rooms"] if rooms else None),
        online_url=link,
        description=description,
        rrule=None if rrule is None else rrule.to_ical().decode("utf-8", "replace"),
        exdates=tuple(m.at for m in exdates),
        recurrence_id=_recurrence_id(event, start.tzid, problems),
        status="CANCELLED" if cancelled else "CONFIRMED",
        extra=extra,
    )


def replies(
    event: Any, uid: str, *, sender: str | None, floating_tz: str, problems: list[str]
) -> list[ItipReply]:
    """One :class:`ItipReply` per ATTENDEE of a REPLY VEVENT. A REPLY without any ATTENDEE (as
    some Apple clients send with only a note) is the sender's, with no answer (NEEDS-ACTION)."""
    found: list[ItipReply] = []
    recurrence_id = _recurrence_id(event, floating_tz, problems)
    seq = sequence(event.get("SEQUENCE"), problems)
    dtstamp = stamp(event.get("DTSTAMP"), problems)
    if not _attendee_props(event) and sender is not None:
        problems.append(f"{uid}: REPLY without ATTENDEE: read as {sender}'s, without an answer")
        comment = _comment(event)
        return [ItipReply(uid, recurrence_id, sender, None, "NEEDS-ACTION", comment, seq, dtstamp)]
    for prop in _attendee_props(event):
        email, name = address(prop)
        params = getattr(prop, "params", {}) or {}
        raw = str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
        partstat = _PARTSTATS.get(raw)
        if email is None or partstat is None:
            problems.append(f"{uid}: unusable ATTENDEE in REPLY ({str(prop)[:60]!r}, {raw})")
            continue
        found.append(
            ItipReply(uid, recurrence_id, email, name, partstat, _comment(event), seq, dtstamp)
        )
    if not found:
        problems.append(f"{uid}: REPLY without a usable ATTENDEE")
    return found


def counter(
    event: Any, uid: str, *, sender: str | None, floating_tz: str, problems: list[str]
) -> ItipCounter:
    """The proposal in a COUNTER VEVENT; the proposer is the sender when listed, else the first."""
    span = _span(event, floating_tz, problems)
    emails = [email for email, _ in map(address, _attendee_props(event)) if email]
    proposer = sender if sender in emails else (emails[0] if emails else sender)
    return ItipCounter(
        uid=uid,
        recurrence_id=_recurrence_id(event, floating_tz, problems),
        attendee=proposer,
        start=None if span is None else span[0].at,
        end=None if span is None else span[1],
        tzid=None if span is None else span[0].tzid,
        comment=_comment(event),
    )
