"""What an attendee's calendar makes of the iTIP mails it received: a small, independent client.

Replays the ``text/calendar`` parts of a mailbox in order into a fresh calendar, the way RFC 5546
asks a client to (section 3.2): a REQUEST carrying the master replaces the event and all its
exceptions; a REQUEST of occurrences alone updates those; an older SEQUENCE is ignored; a CANCEL
of the whole event removes it, a CANCEL with RECURRENCE-ID removes one occurrence. The result is
expanded with ``recurring-ical-events`` (not mailflow's code) so a test can compare what the
attendee would see with what the organiser meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage

import icalendar
import recurring_ical_events


def calendar_parts(msg: EmailMessage) -> list[icalendar.Calendar]:
    """The calendar of each ``text/calendar`` part (the .ics attachment repeats it: not counted)."""
    found = []
    for part in msg.walk():
        if part.get_content_type() != "text/calendar":
            continue
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        found.append(icalendar.Calendar.from_ical(payload))
    return found


def _rid(event: icalendar.Event) -> datetime | None:
    prop = event.get("RECURRENCE-ID")
    return None if prop is None else prop.dt.astimezone(UTC)


@dataclass
class _Stored:
    master: icalendar.Event | None = None
    exceptions: dict[datetime, icalendar.Event] = field(default_factory=dict)
    cancelled: set[datetime] = field(default_factory=set)
    sequence: int = -1


@dataclass
class ReplayedCalendar:
    """One attendee's calendar after replaying their mail."""

    events: dict[str, _Stored] = field(default_factory=dict)

    def apply(self, calendar: icalendar.Calendar) -> None:
        method = str(calendar.get("METHOD", "")).upper()
        by_uid: dict[str, list[icalendar.Event]] = {}
        for event in calendar.walk("VEVENT"):
            assert isinstance(event, icalendar.Event)
            by_uid.setdefault(str(event["UID"]), []).append(event)
        for uid, events in by_uid.items():
            if method == "REQUEST":
                self._request(uid, events)
            elif method == "CANCEL":
                self._cancel(uid, events)

    def _request(self, uid: str, events: list[icalendar.Event]) -> None:
        stored = self.events.get(uid)
        master = next((e for e in events if _rid(e) is None), None)
        sequence = max(int(e.get("SEQUENCE", 0)) for e in events)
        if stored is not None and sequence < stored.sequence:
            return  # an older version: ignored
        if master is not None:
            stored = _Stored(master=master, sequence=sequence)
            self.events[uid] = stored
        elif stored is None:
            return
        for event in events:
            rid = _rid(event)
            if rid is not None:
                stored.exceptions[rid] = event
                stored.cancelled.discard(rid)
        stored.sequence = max(stored.sequence, sequence)

    def _cancel(self, uid: str, events: list[icalendar.Event]) -> None:
        stored = self.events.get(uid)
        if stored is None:
            return
        for event in events:
            rid = _rid(event)
            if rid is None:
                del self.events[uid]
                return
            stored.exceptions.pop(rid, None)
            stored.cancelled.add(rid)

    def occurrences(self, start: datetime, end: datetime) -> list[tuple[datetime, str, str]]:
        """(start in UTC, SUMMARY, LOCATION) of every occurrence in [start, end)."""
        found: list[tuple[datetime, str, str]] = []
        for stored in self.events.values():
            if stored.master is None:
                continue
            calendar = icalendar.Calendar()
            master = icalendar.Event.from_ical(stored.master.to_ical())
            for rid in stored.cancelled:
                master.add("EXDATE", rid)
            calendar.add_component(master)
            for event in stored.exceptions.values():
                calendar.add_component(event)
            for occurrence in recurring_ical_events.of(calendar).between(start, end):
                found.append(
                    (
                        occurrence.decoded("DTSTART").astimezone(UTC),
                        str(occurrence.get("SUMMARY", "")),
                        str(occurrence.get("LOCATION", "")),
                    )
                )
        return sorted(found)


def replay(mails: list[EmailMessage]) -> ReplayedCalendar:
    calendar = ReplayedCalendar()
    for msg in mails:
        for part in calendar_parts(msg):
            calendar.apply(part)
    return calendar
