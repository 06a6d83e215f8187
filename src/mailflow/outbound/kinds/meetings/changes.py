"""What changed between two versions of a meeting, for the update notice.

:func:`diff_meetings` compares two :class:`MeetingSpec` values and lists the changes a recipient
cares about, in the order a notice shows them. Values stay typed (datetimes, agenda items,
attendees) so each recipient's notice can format them in that recipient's zone and language; a
caller that must store an update stores both specs and diffs them again when rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from mailflow.domain.meeting import MeetingSpec, OccurrenceSpec
from mailflow.domain.recurrence_text import describe
from mailflow.domain.series import occurrence
from mailflow.outbound.rendering.templating import format_when, is_chinese, taiwan, wording

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
    "occurrence",
    "occurrence_cancelled",
    "occurrence_restored",
]


@dataclass(frozen=True)
class Change:
    """One changed fact. ``old``/``new`` by field:

    - ``title``, ``location``, ``online_url``, ``scribe``, ``recurrence``: ``str | None``
    - ``time``: ``(start, end)`` aware datetimes
    - ``agenda``: ``tuple[AgendaSpec, ...]``; ``materials``: ``tuple[str, ...]``
    - ``attendees_added``: old ``()``, new the added ``AttendeeSpec``\\ s;
      ``attendees_removed``: old the removed ones, new ``()``
    - ``occurrence`` (one occurrence of a series moved, retimed, re-located or retitled): old and
      new an :class:`Occurrence` as it was and as it is;
      ``occurrence_cancelled``: old the :class:`Occurrence`, new None;
      ``occurrence_restored``: old None, new the :class:`Occurrence`
    """

    field: ChangeField
    old: object
    new: object


@dataclass(frozen=True)
class Occurrence:
    """One occurrence as a recipient sees it."""

    start: datetime
    end: datetime
    title: str
    location: str | None


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
    if old.rrule and new.rrule and (old.start, old.rrule) == (new.start, new.rrule):
        changes.extend(_occurrence_changes(old, new))
    return changes


def _occurrence_changes(old: MeetingSpec, new: MeetingSpec) -> list[Change]:
    """Occurrences moved, changed, cancelled or put back, in date order (same rule and start)."""
    changes: list[tuple[datetime, Change]] = []
    was_off, now_off = _instants(old.exdates), _instants(new.exdates)
    for rid in sorted(now_off - was_off):
        changes.append((rid, Change("occurrence_cancelled", _view(old, rid), None)))
    for rid in sorted(was_off - now_off):
        changes.append((rid, Change("occurrence_restored", None, _view(new, rid))))
    before = {_instant(o.recurrence_id): o for o in old.overrides}
    after = {_instant(o.recurrence_id): o for o in new.overrides}
    for rid in sorted(set(before) | set(after)):
        if rid in now_off or rid in was_off:
            continue
        one, other = before.get(rid), after.get(rid)
        if one is not None and other is not None and _same(one, other):
            continue
        changes.append((rid, Change("occurrence", _view(old, rid), _view(new, rid))))
    return [change for _, change in sorted(changes, key=lambda pair: pair[0])]


def _instant(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(microsecond=0)


def _instants(days: tuple[datetime, ...]) -> set[datetime]:
    return {_instant(day) for day in days}


def _same(one: OccurrenceSpec, other: OccurrenceSpec) -> bool:
    return (one.start, one.end, one.title, one.location, one.online_url) == (
        other.start,
        other.end,
        other.title,
        other.location,
        other.online_url,
    )


def _view(series: MeetingSpec, rid: datetime) -> Occurrence:
    one = occurrence(series, rid)
    return Occurrence(one.start, one.end, one.title, one.location)


def occurrence_text(value: object, zone: str, locale: str, *, title: str) -> str:
    """An occurrence in a "What changed" line: its time in ``zone``, then its place, and its
    title when it is not the series' ``title``; a missing one reads "cancelled"."""
    chinese = is_chinese(locale)
    if not isinstance(value, Occurrence):
        return "取消" if chinese else "cancelled"
    parts = [format_when(value.start, zone, locale, value.end)]
    if value.location:
        parts.append(value.location)
    if value.title and value.title != title:
        # Each locale's own title quotes: “…” in English and Simplified Chinese, 「…」 in Taiwan.
        parts.append(f"「{value.title}」" if wording(locale) == "zh_TW" else f"“{value.title}”")
    return ("，" if chinese else ", ").join(parts)


def change_text(change: Change, value: object, zone: str, locale: str, *, title: str) -> str | None:
    """The words for the values only this module knows (occurrences, rules); None for the rest."""
    if change.field.startswith("occurrence"):
        return occurrence_text(value, zone, locale, title=title)
    if change.field == "recurrence":
        return taiwan(describe(value, locale), locale) if isinstance(value, str) else ""
    return None
