"""Find and read the calendar data (iTIP, RFC 5546) in a message: invites, RSVPs, cancels, counters.

Pure: an ``EmailMessage`` (or the calendar text) in, an :class:`ItipMessage` out; never raises on
bad data, it lists ``problems`` instead.

- Where: a ``text/calendar`` part anywhere in the message's own MIME tree (preferred), else an
  ``application/ics`` part or an attachment named ``*.ics``/``*.vcs``. Attached messages
  (``message/rfc822``) are not entered: a forwarded invitation is someone else's.
- METHOD: the VCALENDAR's, else the Content-Type ``method=`` parameter; when they differ the
  VCALENDAR's wins (it is what calendar clients act on) and the mismatch is a problem. Without
  either, the data is read as PUBLISH: an event file, not a transaction.
- What: REQUEST, ADD, PUBLISH and CANCEL give one MeetingSpec per VEVENT (overridden occurrences
  carry ``recurrence_id``; CANCEL ones are CANCELLED); REPLY gives one ItipReply per ATTENDEE;
  COUNTER one ItipCounter per VEVENT; REFRESH the UIDs asked for. DECLINECOUNTER carries nothing
  to read.
- Hostile input: more than :data:`MAX_EVENTS` VEVENTs or :data:`MAX_ATTENDEES` ATTENDEEs in one
  VEVENT are cut *before* icalendar builds objects, and said so in ``problems``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parseaddr
from typing import Any

from icalendar import Calendar

from mailflow.domain.meeting import MeetingSpec
from mailflow.inbound.reading.ical_values import text
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.reading.mailtext import header_text, leaf_parts, part_text
from mailflow.inbound.understanding.calendar.itip_events import (
    MAX_ATTENDEES,
    ItipCounter,
    ItipReply,
)
from mailflow.inbound.understanding.calendar.itip_events import counter as _counter
from mailflow.inbound.understanding.calendar.itip_events import meeting_spec as _meeting_spec
from mailflow.inbound.understanding.calendar.itip_events import replies as _replies

__all__ = [
    "ItipCounter",
    "ItipMessage",
    "ItipReply",
    "find_calendar",
    "parse_calendar",
    "parse_itip",
]

MAX_EVENTS = 500
MAX_CALENDAR_CHARS = 5_000_000
CALENDAR_TYPES = frozenset({"text/calendar", "application/ics", "text/x-vcalendar"})
REQUEST_METHODS = frozenset({"REQUEST", "ADD", "PUBLISH", "CANCEL"})
_METHOD_LINE = re.compile(r"^METHOD\s*[:;][^\r\n]*?([A-Za-z-]+)\s*$", re.MULTILINE | re.IGNORECASE)
_FOLD = re.compile(r"\r?\n[ \t]")


@dataclass(frozen=True)
class CalendarPart:
    """The calendar data found in a message, and where."""

    text: str
    method_param: str | None
    source: str


@dataclass
class ItipMessage:
    """What one message's calendar data asks for; ``problems`` lists what was guessed or cut."""

    method: str
    requests: list[MeetingSpec] = field(default_factory=list)
    replies: list[ItipReply] = field(default_factory=list)
    counters: list[ItipCounter] = field(default_factory=list)
    refreshes: list[str] = field(default_factory=list)  # UIDs an attendee asks to be sent again
    problems: list[str] = field(default_factory=list)


def _filename(part: Message) -> str:
    try:
        return part.get_filename() or ""
    except (ValueError, TypeError, LookupError):  # a broken RFC 2231 name is no name
        return ""


def _is_calendar_file(part: Message) -> bool:
    filename = _filename(part).lower()
    return part.get_content_type() in CALENDAR_TYPES or filename.endswith((".ics", ".vcs"))


def find_calendar(message: Message) -> CalendarPart | None:
    """The calendar data of ``message`` (see the module docstring for which part wins)."""
    candidates = [part for part in leaf_parts(message) if _is_calendar_file(part)]
    if not candidates:
        return None
    best = min(candidates, key=lambda part: part.get_content_type() != "text/calendar")
    method = best.get_param("method")
    method_text = method.strip().upper() if isinstance(method, str) and method.strip() else None
    source = best.get_content_type() + (f" ({_filename(best)})" if _filename(best) else "")
    return CalendarPart(part_text(best), method_text, source)


def calendar_method(calendar_text: str) -> str | None:
    """The VCALENDAR's METHOD, read cheaply (no full parse) from the lines before any VEVENT."""
    head = _FOLD.sub("", calendar_text[:20_000]).split("BEGIN:VEVENT", 1)[0]
    match = _METHOD_LINE.search(head)
    return match.group(1).upper() if match else None


def parse_itip(message: Message, *, floating_tz: str = "UTC") -> ItipMessage | None:
    """The iTIP content of ``message``, or None when it has no calendar data.

    ``floating_tz`` (the sender's zone, else ``schedule.timezone``) reads times that carry no zone.
    """
    found = find_calendar(message)
    if found is None:
        return None
    sender = _sender(header_text(message, "From"))
    return parse_calendar(
        found.text, method_hint=found.method_param, sender=sender, floating_tz=floating_tz
    )


def itip_of(mail: InboundMail, *, floating_tz: str = "UTC") -> ItipMessage | None:
    """:func:`parse_itip` of ``mail``, remembered by the mail (parsed once, perhaps ahead)."""
    return mail.remember(
        f"itip:{floating_tz}", lambda: parse_itip(mail.message, floating_tz=floating_tz)
    )


def _sender(from_header: str) -> str | None:
    address = parseaddr(from_header)[1].strip().lower()
    return address or None


def parse_calendar(
    data: str | bytes,
    *,
    method_hint: str | None = None,
    sender: str | None = None,
    floating_tz: str = "UTC",
) -> ItipMessage:
    """Read calendar data; ``sender`` stands in for a missing ORGANIZER and names a COUNTER's
    proposer; floating times and all-day dates are read in ``floating_tz``."""
    calendar_text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    problems: list[str] = []
    if len(calendar_text) > MAX_CALENDAR_CHARS:
        problems.append(f"calendar data of {len(calendar_text)} characters: not read")
        return ItipMessage((method_hint or "PUBLISH").upper(), problems=problems)
    calendar_text = _bounded(calendar_text, problems)
    calendars = _parse(calendar_text, problems)
    own = str(calendars[0].get("METHOD", "")).strip().upper() if calendars else ""
    hint = (method_hint or "").strip().upper()
    if own and hint and own != hint:
        problems.append(
            f"METHOD {own} in the calendar but method={hint} in the Content-Type: {own} used"
        )
    method = own or hint or "PUBLISH"
    if not own and not hint:
        problems.append("no METHOD: read as PUBLISH")
    result = ItipMessage(method, problems=problems)
    events = [event for cal in calendars for event in cal.walk("VEVENT")][:MAX_EVENTS]
    if calendars and not events:
        problems.append("no VEVENT in the calendar data")
    prodid = text(calendars[0].get("PRODID")) if calendars else None
    for event in events:
        uid = text(event.get("UID")) or text(calendars[0].get("UID"))
        if uid is None:
            problems.append("a VEVENT without UID was skipped")
            continue
        if event.get("UID") is None:
            problems.append(f"{uid}: UID taken from the VCALENDAR")
        _read_event(result, event, uid, sender=sender, floating_tz=floating_tz, prodid=prodid)
    if method not in REQUEST_METHODS | {"REPLY", "COUNTER", "REFRESH", "DECLINECOUNTER"}:
        problems.append(f"unknown METHOD {method}")
    return result


def _read_event(
    result: ItipMessage,
    event: Any,
    uid: str,
    *,
    sender: str | None,
    floating_tz: str,
    prodid: str | None,
) -> None:
    problems = result.problems
    if result.method in REQUEST_METHODS:
        spec = _meeting_spec(
            event,
            uid,
            method=result.method,
            sender=sender,
            floating_tz=floating_tz,
            problems=problems,
            prodid=prodid,
        )
        if spec is not None:
            result.requests.append(spec)
    elif result.method == "REPLY":
        result.replies.extend(
            _replies(event, uid, sender=sender, floating_tz=floating_tz, problems=problems)
        )
    elif result.method == "REFRESH":
        result.refreshes.append(uid)
    elif result.method == "COUNTER":
        result.counters.append(
            _counter(event, uid, sender=sender, floating_tz=floating_tz, problems=problems)
        )


def _parse(calendar_text: str, problems: list[str]) -> list[Any]:
    """icalendar's parse, its warnings turned into problems; [] when the data is unreadable."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # Bytes on purpose: icalendar reads a one-line *string* as a file path to open.
            components = Calendar.from_ical(calendar_text.encode("utf-8"), multiple=True)
        except Exception as exc:  # Hostile input raises many types; never crash on it.
            problems.append(f"calendar data could not be parsed: {str(exc)[:200]}")
            components = []
    problems.extend(str(w.message)[:200] for w in caught)
    return [c for c in components if getattr(c, "name", "") == "VCALENDAR"]


def _bounded(calendar_text: str, problems: list[str]) -> str:
    """The calendar text cut to MAX_EVENTS VEVENTs and MAX_ATTENDEES ATTENDEEs per VEVENT."""
    upper = calendar_text.upper()
    if upper.count("BEGIN:VEVENT") <= MAX_EVENTS and upper.count("ATTENDEE") <= MAX_ATTENDEES:
        return calendar_text
    kept: list[str] = []
    events = attendees = dropped_events = dropped_attendees = 0
    skipping = False
    for line in _FOLD.sub("", calendar_text).splitlines():
        head = line[:16].upper()
        if head.startswith("BEGIN:VEVENT"):
            events += 1
            attendees = 0
            skipping = events > MAX_EVENTS
            dropped_events += skipping
        if skipping:
            skipping = not head.startswith("END:VEVENT")
            continue
        if head.startswith("ATTENDEE"):
            attendees += 1
            if attendees > MAX_ATTENDEES:
                dropped_attendees += 1
                continue
        kept.append(line)
    if dropped_events:
        problems.append(f"{events} VEVENTs: only the first {MAX_EVENTS} were read")
    if dropped_attendees:
        problems.append(
            f"{dropped_attendees} ATTENDEEs beyond {MAX_ATTENDEES} per VEVENT were dropped"
        )
    return "\r\n".join(kept) + "\r\n"
