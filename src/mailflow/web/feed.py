"""A person's calendar feed: their items' deadlines and their meetings, as one VCALENDAR.

Each item with a due date is a VTODO (``DUE`` a date, as the item export writes it, with the
same UID so a task app that imported the export updates rather than duplicates) and an all-day
VEVENT on the due date, for calendar clients that ignore VTODO (Google Calendar, Outlook). Each
meeting is a VEVENT at its UTC instants with its RRULE; moved or cancelled occurrences of a
series are not in the feed (the invitations carry them). Pure: rows in, bytes out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Todo, vRecur

from mailflow.outbound.rendering.items_export import item_uid
from mailflow.tracker.board_rows import BoardItem, MeetingRow

_VTODO_STATUS = {
    "not_started": "NEEDS-ACTION",
    "in_progress": "IN-PROCESS",
    "awaiting_acceptance": "IN-PROCESS",
    "done": "COMPLETED",
    "delayed": "IN-PROCESS",
}


def _summary(item: BoardItem) -> str:
    return f"[{item.ref}] {' '.join(item.description.split())}"


def person_feed(
    items: Iterable[BoardItem],
    meetings: Iterable[MeetingRow],
    *,
    name: str,
    domain: str,
    now: datetime,
    link: str = "",
) -> bytes:
    """The feed of ``items`` and ``meetings``; ``link`` (the board's base URL) adds URLs."""
    calendar = Calendar()
    calendar.add("PRODID", "-//mailflow//board feed//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("X-WR-CALNAME", f"mailflow: {name}")
    calendar.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = now.astimezone(UTC)
    for item in items:
        if item.due is None:
            continue
        todo = Todo()
        todo.add("UID", item_uid(item.ref, domain))
        todo.add("DTSTAMP", stamp)
        todo.add("SUMMARY", _summary(item))
        todo.add("DUE", item.due)
        todo.add("STATUS", _VTODO_STATUS.get(item.status, "NEEDS-ACTION"))
        todo.add("PERCENT-COMPLETE", 100 if item.status == "done" else item.progress)
        if item.department:
            todo.add("CATEGORIES", [item.department])
        if link:
            todo.add("URL", f"{link}/item/{item.ref}")
        calendar.add_component(todo)
        event = Event()
        event.add("UID", f"due-{item_uid(item.ref, domain)}")
        event.add("DTSTAMP", stamp)
        event.add("SUMMARY", _summary(item))
        event.add("DTSTART", item.due)
        event.add("DTEND", item.due + timedelta(days=1))
        event.add("TRANSP", "TRANSPARENT")
        if link:
            event.add("URL", f"{link}/item/{item.ref}")
        calendar.add_component(event)
    for meeting in meetings:
        event = Event()
        event.add("UID", meeting.uid)
        event.add("DTSTAMP", stamp)
        event.add("SUMMARY", meeting.title)
        event.add("DTSTART", meeting.starts_at.astimezone(UTC))
        event.add("DTEND", meeting.ends_at.astimezone(UTC))
        if meeting.location:
            event.add("LOCATION", meeting.location)
        if meeting.rrule:
            event.add("RRULE", vRecur.from_ical(meeting.rrule.removeprefix("RRULE:")))
        event.add("STATUS", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
        if link:
            event.add("URL", f"{link}/meeting/{meeting.id}")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
