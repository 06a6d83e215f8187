"""Export action items for people's own tools: a CSV for Excel and a VTODO calendar for task apps.

Pure: item rows in, text or bytes out. :class:`ItemRow` is also how the minutes and item mails
receive items (:mod:`mailflow.outbound.kinds.minutes.minutes_parts` turns it to and from payload
JSON), so a table in a mail and a line in an export say the same thing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Literal, get_args

from icalendar import Calendar, Todo

__all__ = ["CSV_COLUMNS", "ITEM_STATUSES", "ItemRow", "ItemStatus", "items_csv", "items_ics"]

ItemStatus = Literal[
    "not_started", "in_progress", "awaiting_acceptance", "done", "delayed", "cancelled"
]
ITEM_STATUSES: tuple[str, ...] = get_args(ItemStatus)

CSV_COLUMNS = (
    "ref",
    "meeting",
    "owner",
    "department",
    "task",
    "deliverable",
    "due",
    "status",
    "progress",
    "delay_reason",
    "last_update",
)

# A delayed item is still being worked on, towards its new due date; RFC 5545 has no "late".
_VTODO_STATUS: dict[str, str] = {
    "not_started": "NEEDS-ACTION",
    "in_progress": "IN-PROCESS",
    "awaiting_acceptance": "IN-PROCESS",
    "done": "COMPLETED",
    "delayed": "IN-PROCESS",
    "cancelled": "CANCELLED",
}
# Excel runs a cell that starts with one of these as a formula, even from a CSV file.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ItemRow:
    """One tracked action item (or dispute) as mails and exports show it."""

    ref: str  # e.g. "MF-0042"
    task: str
    owner: str = ""  # email once resolved
    owner_name: str = ""
    department: str = ""
    meeting: str = ""  # the meeting's title
    deliverable: str = ""
    due: date | None = None
    due_time: time | None = None
    status: ItemStatus = "not_started"
    progress: int = 0  # percent, 0–100
    delay_reason: str = ""
    last_update: datetime | None = None  # timezone-aware
    at_risk: bool = False  # progress lags the share of its time already used (进度滞后)
    delay_category: str = ""  # resources / scope / external / other, when delayed

    def __post_init__(self) -> None:
        if self.status not in ITEM_STATUSES:
            raise ValueError(f"unknown item status {self.status!r}")
        if not 0 <= self.progress <= 100:
            raise ValueError(f"progress must be 0–100, not {self.progress}")
        if self.last_update is not None and self.last_update.tzinfo is None:
            raise ValueError("last_update must be timezone-aware")


def _cell(value: str) -> str:
    # Task text is written by people: it must stay text in Excel, never run as a formula.
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def items_csv(items: Sequence[ItemRow]) -> str:
    """The items as CSV text, starting with a BOM so Excel reads the Chinese in it as UTF-8.

    Write it with ``encoding="utf-8"`` (not ``utf-8-sig``, the BOM is already there).
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(
            [
                _cell(item.ref),
                _cell(item.meeting),
                _cell(item.owner_name or item.owner),
                _cell(item.department),
                _cell(item.task),
                _cell(item.deliverable),
                item.due.isoformat() if item.due else "",
                item.status,
                str(item.progress),
                _cell(item.delay_reason),
                item.last_update.isoformat(timespec="minutes") if item.last_update else "",
            ]
        )
    return out.getvalue()


def item_uid(ref: str, domain: str) -> str:
    """The VTODO UID of an item: the same on every export, so a task app updates, not duplicates."""
    return f"item-{ref.strip().lower()}@{domain.strip().lower()}"


def _description(item: ItemRow) -> str:
    lines = [
        f"{label}: {value}"
        for label, value in (
            ("Meeting", item.meeting),
            ("Owner", item.owner_name or item.owner),
            ("Department", item.department),
            ("Deliverable", item.deliverable),
            ("Delay reason", item.delay_reason),
        )
        if value
    ]
    return "\n".join([item.task, *lines])


def _todo(item: ItemRow, domain: str, now: datetime) -> Todo:
    todo = Todo()
    todo.add("UID", item_uid(item.ref, domain))
    todo.add("DTSTAMP", now.astimezone(UTC))
    todo.add("SUMMARY", f"[{item.ref}] {' '.join(item.task.split())}")
    todo.add("DESCRIPTION", _description(item))
    if item.due is not None:
        # A date, not a time: task apps show an all-day due date, whatever the reader's zone.
        todo.add("DUE", item.due)
    todo.add("STATUS", _VTODO_STATUS[item.status])
    todo.add("PERCENT-COMPLETE", 100 if item.status == "done" else item.progress)
    if item.last_update is not None:
        todo.add("LAST-MODIFIED", item.last_update.astimezone(UTC))
        if item.status == "done":
            todo.add("COMPLETED", item.last_update.astimezone(UTC))
    if item.department:
        todo.add("CATEGORIES", [item.department])
    return todo


def items_ics(items: Sequence[ItemRow], *, prodid: str, domain: str, now: datetime) -> bytes:
    """The items as one VCALENDAR of VTODOs (UTF-8, CRLF), ready to import into a task app.

    ``domain`` makes the UIDs unique to the deployment; ``now`` is the DTSTAMP of every VTODO.
    No METHOD: the file is published for import, not an iTIP request anyone must answer.
    """
    calendar = Calendar()
    calendar.add("PRODID", prodid)
    calendar.add("VERSION", "2.0")
    for item in items:
        calendar.add_component(_todo(item, domain, now))
    return bytes(calendar.to_ical())
