"""What changed between two versions of a meeting, for the update notice.

:func:`diff_meetings` compares two :class:`MeetingSpec` values and lists the changes a recipient
cares about, in the order a notice shows them. Values stay typed (datetimes, agenda items,
attendees) so each recipient's notice can format them in that recipient's zone and language; a
caller that must store an update stores both specs and diffs them again when rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mailflow.domain.meeting import MeetingSpec

ChangeField = Literal[
    "title",
    "time",
    "recurrence",
    "location",
    "online_url",
    "agenda",
    "materials",
    "scribe",
    "attendees_added",
    "attendees_removed",
]


@dataclass(frozen=True)
class Change:
    """One changed fact. ``old``/``new`` by field:

    - ``title``, ``location``, ``online_url``, ``scribe``, ``recurrence``: ``str | None``
    - ``time``: ``(start, end)`` aware datetimes
    - ``agenda``: ``tuple[AgendaSpec, ...]``; ``materials``: ``tuple[str, ...]``
    - ``attendees_added``: old ``()``, new the added ``AttendeeSpec``\\ s;
      ``attendees_removed``: old the removed ones, new ``()``
    """

    field: ChangeField
    old: object
    new: object


def diff_meetings(old: MeetingSpec, new: MeetingSpec) -> list[Change]:
    """The changes from ``old`` to ``new``; times compare as instants, addresses case-blind."""
    changes: list[Change] = []
    if old.title != new.title:
        changes.append(Change("title", old.title, new.title))
    if (old.start, old.end) != (new.start, new.end):
        changes.append(Change("time", (old.start, old.end), (new.start, new.end)))
    if old.rrule != new.rrule:
        changes.append(Change("recurrence", old.rrule, new.rrule))
    if old.location != new.location:
        changes.append(Change("location", old.location, new.location))
    if old.online_url != new.online_url:
        changes.append(Change("online_url", old.online_url, new.online_url))
    if old.agenda != new.agenda:
        changes.append(Change("agenda", old.agenda, new.agenda))
    if old.materials != new.materials:
        changes.append(Change("materials", old.materials, new.materials))
    if (old.scribe or "").lower() != (new.scribe or "").lower():
        changes.append(Change("scribe", old.scribe, new.scribe))
    before = {a.email.lower() for a in old.attendees}
    after = {a.email.lower() for a in new.attendees}
    added = tuple(a for a in new.attendees if a.email.lower() not in before)
    removed = tuple(a for a in old.attendees if a.email.lower() not in after)
    if added:
        changes.append(Change("attendees_added", (), added))
    if removed:
        changes.append(Change("attendees_removed", removed, ()))
    return changes
