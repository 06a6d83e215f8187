"""Build the iTIP invite (METHOD:REQUEST or CANCEL) for one meeting: values in, .ics bytes out.

One VCALENDAR with the meeting's VEVENT, and a VTIMEZONE for every TZID the event uses (see
:mod:`mailflow.outbound.rendering.vtimezone` for why those carry RRULEs). A series' moved or changed
occurrences (``spec.overrides``) follow as VEVENTs with the same UID and SEQUENCE and a
RECURRENCE-ID (RFC 5546 3.2.2: an update carries the master and all its exceptions), so one mail
leaves a calendar with the whole series as it stands. A spec with ``recurrence_id`` is one
occurrence alone: its VEVENT carries RECURRENCE-ID and no RRULE/EXDATE. A CANCEL that takes
attendees off a meeting lists only them and has no STATUS (RFC 5546 3.2.5: STATUS:CANCELLED
would cancel the event itself).

:func:`build_reply` is mailflow's own answer (METHOD:REPLY) to an organiser's invitation. Text
escaping (commas, semicolons, newlines) is icalendar's job; parameter values such as CN are made
single-line and quote-free here because clients do not understand RFC 6868 caret escapes.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vCalAddress, vRecur, vText

from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec
from mailflow.outbound.rendering.vtimezone import vtimezone

Method = Literal["REQUEST", "CANCEL"]
PartStatAnswer = Literal["ACCEPTED", "DECLINED", "TENTATIVE"]
PRODID = "-//mailflow//mailflow//EN"


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _param_text(value: str) -> str:
    """A parameter value clients read as-is: one line, no double quotes (RFC 6868 is not read)."""
    return _one_line(value).replace('"', "'")


def _address(email: str, name: str | None, params: dict[str, str] | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email.strip()}")
    address.params["CN"] = _param_text(name or email)
    address.params.update(params or {})
    return address


def _agenda_line(item: AgendaSpec) -> str:
    minutes = f"{item.minutes} min" if item.minutes else None
    details = [part for part in (item.owner, minutes) if part]
    line = f"- {item.topic}"
    if details:
        line += f" ({', '.join(details)})"
    if item.expected_conclusion:
        line += f" → {item.expected_conclusion}"
    return line


def default_description(spec: MeetingSpec) -> str:
    """A language-neutral DESCRIPTION: the notice renderer passes its localised text instead."""
    parts: list[str] = []
    if spec.description:
        parts.append(spec.description.strip())
    if spec.online_url:
        parts.append(f"Online: {spec.online_url}")
    if spec.agenda:
        parts.append("Agenda:\n" + "\n".join(_agenda_line(item) for item in spec.agenda))
    if spec.materials:
        parts.append("Materials:\n" + "\n".join(f"- {m}" for m in spec.materials))
    return "\n\n".join(parts)


def _location(spec: MeetingSpec) -> str | None:
    # A room wins; an online-only meeting shows its link where clients show the place.
    if spec.location:
        return _one_line(spec.location)
    return spec.online_url.strip() if spec.online_url else None


def _event(
    spec: MeetingSpec,
    method: Method,
    organiser: vCalAddress,
    attendees: Sequence[AttendeeSpec],
    dtstamp: datetime,
    description: str,
    *,
    uninvite: bool = False,
) -> Event:
    try:
        zone = ZoneInfo(spec.tzid)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {spec.tzid!r}") from exc
    event = Event()
    event.add("UID", spec.uid)
    event.add("SEQUENCE", spec.sequence)
    event.add("DTSTAMP", dtstamp.astimezone(UTC))
    # Every time is expressed in the meeting's own zone, so one VTIMEZONE covers the event.
    event.add("DTSTART", spec.start.astimezone(zone))
    event.add("DTEND", spec.end.astimezone(zone))
    if spec.recurrence_id is not None:
        event.add("RECURRENCE-ID", spec.recurrence_id.astimezone(zone))
    else:
        if spec.rrule:
            event.add("RRULE", vRecur.from_ical(spec.rrule))
        if spec.exdates:
            event.add("EXDATE", [d.astimezone(zone) for d in spec.exdates])
    event.add("SUMMARY", vText(_one_line(spec.title)))
    location = _location(spec)
    if location:
        event.add("LOCATION", location)
    if description:
        event.add("DESCRIPTION", description)
    event.add("ORGANIZER", organiser)
    for attendee in attendees:
        event.add(
            "ATTENDEE",
            _address(
                attendee.email,
                attendee.name,
                {
                    "CUTYPE": "INDIVIDUAL",
                    "ROLE": attendee.role,
                    "PARTSTAT": attendee.partstat,
                    # Whoever has answered (the chair, already accepted) is not asked again.
                    "RSVP": "TRUE" if attendee.partstat == "NEEDS-ACTION" else "FALSE",
                },
            ),
        )
    if not uninvite:
        cancelled = method == "CANCEL" or spec.status == "CANCELLED"
        event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("TRANSP", "OPAQUE")
    return event


def _overrides(
    spec: MeetingSpec,
    organiser: vCalAddress,
    attendees: Sequence[AttendeeSpec],
    dtstamp: datetime,
    description: str,
) -> list[Event]:
    """One VEVENT per moved or changed occurrence of the series (RECURRENCE-ID, same SEQUENCE)."""
    events: list[Event] = []
    for override in spec.overrides:
        one = dataclasses.replace(
            spec,
            start=override.start,
            end=override.end,
            title=override.title or spec.title,
            location=override.location or spec.location,
            online_url=override.online_url or spec.online_url,
            recurrence_id=override.recurrence_id,
            overrides=(),
        )
        events.append(_event(one, "REQUEST", organiser, attendees, dtstamp, description))
    return events


def build_invite(
    spec: MeetingSpec,
    *,
    method: Method,
    organiser_address: str,
    organiser_name: str,
    attendees: Sequence[AttendeeSpec] | None = None,
    dtstamp: datetime,
    prodid: str = PRODID,
    description: str | None = None,
) -> bytes:
    """The .ics for ``spec`` as UTF-8 bytes with CRLF line ends.

    ``attendees`` defaults to ``spec.attendees``; a CANCEL for removed attendees passes only them.
    ``sequence`` is ``spec.sequence``: the caller bumps it on every change. ``description`` defaults
    to :func:`default_description`. Raises ValueError for an unknown ``spec.tzid``.

    A meeting's notices carry one invite, built again for every attendee with only DTSTAMP
    changed, and serialising it (icalendar folds every line char by char) costs in proportion to
    the attendee list: a 50-person meeting's notices cost 50 times one build. So the last few
    invites are kept, and one that differs from a kept one only in DTSTAMP is that one with its
    DTSTAMP line replaced, the bytes a fresh build would give.
    """
    key = repr((spec, method, organiser_address, organiser_name, attendees, prodid, description))
    stamp = _dtstamp_line(dtstamp)
    with _BUILT_LOCK:
        kept = _BUILT.get(key)
        if kept is not None:
            _BUILT.move_to_end(key)
    if kept is not None:
        ics, kept_stamp = kept
        return ics.replace(kept_stamp, stamp)
    ics = _build_invite(
        spec,
        method=method,
        organiser_address=organiser_address,
        organiser_name=organiser_name,
        attendees=attendees,
        dtstamp=dtstamp,
        prodid=prodid,
        description=description,
    )
    # Kept only when the DTSTAMP line is there once, so replacing it cannot touch anything else.
    if ics.count(stamp) == 1:
        with _BUILT_LOCK:
            _BUILT[key] = (ics, stamp)
            while len(_BUILT) > _BUILT_KEPT:
                _BUILT.popitem(last=False)
    return ics


_BUILT_KEPT = 32
_BUILT: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
_BUILT_LOCK = threading.Lock()


def _dtstamp_line(dtstamp: datetime) -> bytes:
    """The DTSTAMP line as icalendar writes a UTC time (a build checks it is really there)."""
    d = dtstamp.astimezone(UTC)
    value = f"{d.year:04d}{d.month:02d}{d.day:02d}T{d.hour:02d}{d.minute:02d}{d.second:02d}Z"
    return f"\r\nDTSTAMP:{value}\r\n".encode("ascii")


def _build_invite(
    spec: MeetingSpec,
    *,
    method: Method,
    organiser_address: str,
    organiser_name: str,
    attendees: Sequence[AttendeeSpec] | None,
    dtstamp: datetime,
    prodid: str,
    description: str | None,
) -> bytes:
    calendar = Calendar()
    calendar.add("PRODID", prodid)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    organiser = _address(organiser_address, organiser_name)
    listed = spec.attendees if attendees is None else attendees
    text = default_description(spec) if description is None else description
    uninvite = method == "CANCEL" and attendees is not None and spec.status != "CANCELLED"
    event = _event(spec, method, organiser, listed, dtstamp, text, uninvite=uninvite)
    calendar.add_component(event)
    if method == "REQUEST" and spec.recurrence_id is None:
        for override in _overrides(spec, organiser, listed, dtstamp, text):
            calendar.add_component(override)
    # VTIMEZONEs go before the VEVENT that uses them; some clients read the file in one pass.
    for tzid in sorted(calendar.get_used_tzids() - {"UTC"}):
        calendar.subcomponents.insert(0, vtimezone(tzid, spec.start))
    return bytes(calendar.to_ical())


def build_reply(
    spec: MeetingSpec,
    *,
    attendee: str,
    attendee_name: str,
    partstat: str,
    comment: str | None,
    dtstamp: datetime,
    prodid: str = PRODID,
) -> bytes:
    """mailflow's iTIP REPLY (RFC 5546 3.2.3) to the organiser's invitation ``spec``: the
    organiser's UID, SEQUENCE and RECURRENCE-ID, mailflow as the one ATTENDEE with its answer and,
    for a refusal, the reason as COMMENT."""
    calendar = Calendar()
    calendar.add("PRODID", prodid)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "REPLY")
    event = Event()
    event.add("UID", spec.uid)
    event.add("SEQUENCE", spec.sequence)
    event.add("DTSTAMP", dtstamp.astimezone(UTC))
    event.add("DTSTART", spec.start.astimezone(UTC))
    event.add("DTEND", spec.end.astimezone(UTC))
    if spec.recurrence_id is not None:
        event.add("RECURRENCE-ID", spec.recurrence_id.astimezone(UTC))
    event.add("SUMMARY", vText(_one_line(spec.title)))
    event.add("ORGANIZER", _address(spec.organiser.email, spec.organiser.name))
    event.add("ATTENDEE", _address(attendee, attendee_name, {"PARTSTAT": partstat}))
    if comment:
        event.add("COMMENT", comment)
    event.add("REQUEST-STATUS", "2.0;Success")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
