"""A recurring meeting and its exceptions: moved, retimed, re-located or cancelled occurrences.

Pure. An organiser's calendar sends a series as a master VEVENT (RRULE, EXDATE) and, for each
occurrence that differs, a VEVENT with the same UID and a RECURRENCE-ID (RFC 5545 3.8.4.4):
Thunderbird and Google put them all in one message, Outlook sends one message per changed
occurrence. mailflow keeps the series as one :class:`MeetingSpec` whose ``overrides`` are the
moved occurrences and whose ``exdates`` are the cancelled ones, and sends it back the same way.

- :func:`merge_events` folds the VEVENTs of one message into one spec per UID;
- :func:`with_exception` applies one occurrence's change (or cancellation) to a stored series;
- :func:`pruned` drops the exceptions of occurrences a changed rule no longer has;
- :func:`occurrence` says where and when one occurrence is, exceptions included.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from dateutil.rrule import rrulestr

from mailflow.domain.meeting import MeetingSpec, OccurrenceSpec

_ONE_SECOND = timedelta(seconds=1)


def merge_events(specs: Sequence[MeetingSpec]) -> list[MeetingSpec]:
    """The VEVENTs of one message, one spec per UID: a master with the exceptions sent with it
    folded in; an exception sent alone (Outlook) stays an exception spec."""
    masters: dict[str, MeetingSpec] = {}
    order: list[str] = []
    exceptions: dict[str, list[MeetingSpec]] = {}
    for spec in specs:
        if spec.uid not in order:
            order.append(spec.uid)
        if spec.recurrence_id is None:
            masters.setdefault(spec.uid, spec)
        else:
            exceptions.setdefault(spec.uid, []).append(spec)
    merged: list[MeetingSpec] = []
    for uid in order:
        master = masters.get(uid)
        if master is None:
            merged.extend(exceptions.get(uid, []))
            continue
        # The master in a message replaces the series, exceptions included (RFC 5546 3.2.2).
        series = dataclasses.replace(master, overrides=())
        for exception in exceptions.get(uid, []):
            series = with_exception(series, exception)
        merged.append(series)
    return merged


def with_exception(series: MeetingSpec, exception: MeetingSpec) -> MeetingSpec:
    """``series`` with one occurrence changed, moved back or cancelled as ``exception`` says."""
    rid = exception.recurrence_id
    assert rid is not None
    others = tuple(o for o in series.overrides if not _same_instant(o.recurrence_id, rid))
    if exception.status == "CANCELLED":
        exdates = series.exdates
        if not any(_same_instant(d, rid) for d in exdates):
            exdates = (*exdates, rid)
        return dataclasses.replace(series, overrides=others, exdates=exdates)
    override = OccurrenceSpec(
        recurrence_id=rid,
        start=exception.start,
        end=exception.end,
        title=exception.title if exception.title and exception.title != series.title else None,
        location=exception.location if exception.location != series.location else None,
        online_url=exception.online_url if exception.online_url != series.online_url else None,
        sequence=exception.sequence,
    )
    exdates = tuple(d for d in series.exdates if not _same_instant(d, rid))
    as_ruled = override.start == rid and override.end - override.start == _length(series)
    if as_ruled and not (override.title or override.location or override.online_url):
        return dataclasses.replace(series, overrides=others, exdates=exdates)
    return dataclasses.replace(
        series,
        overrides=tuple(sorted((*others, override), key=lambda o: o.recurrence_id)),
        exdates=exdates,
    )


def pruned(series: MeetingSpec) -> MeetingSpec:
    """``series`` without exceptions for occurrences its rule does not have (after a change)."""
    if not series.rrule:
        return dataclasses.replace(series, overrides=(), exdates=())
    kept_overrides = tuple(o for o in series.overrides if is_occurrence(series, o.recurrence_id))
    kept_exdates = tuple(d for d in series.exdates if is_occurrence(series, d))
    if kept_overrides == series.overrides and kept_exdates == series.exdates:
        return series
    return dataclasses.replace(series, overrides=kept_overrides, exdates=kept_exdates)


def is_occurrence(series: MeetingSpec, recurrence_id: datetime) -> bool:
    """Whether the series has an occurrence starting at ``recurrence_id``: DTSTART is always
    one, even off the rule (RFC 5545 3.8.5.3), as for the notice planner and intake's limits."""
    if not series.rrule or _same_instant(series.start, recurrence_id):
        return _same_instant(series.start, recurrence_id)
    try:
        rule = rrulestr(series.rrule, dtstart=series.start)
        found = rule.between(recurrence_id - _ONE_SECOND, recurrence_id + _ONE_SECOND, inc=True)
    except (ValueError, TypeError):  # a rule dateutil cannot read: keep what was said
        return True
    return bool(found)


def occurrence(series: MeetingSpec, recurrence_id: datetime) -> MeetingSpec:
    """The occurrence named ``recurrence_id`` as a single-meeting spec: its own time, place and
    title (the exception's, else the series')."""
    for override in series.overrides:
        if _same_instant(override.recurrence_id, recurrence_id):
            return dataclasses.replace(
                series,
                start=override.start,
                end=override.end,
                title=override.title or series.title,
                location=override.location or series.location,
                online_url=override.online_url or series.online_url,
                recurrence_id=recurrence_id,
            )
    start = recurrence_id.astimezone(series.start.tzinfo)
    return dataclasses.replace(
        series, start=start, end=start + _length(series), recurrence_id=recurrence_id
    )


def moved(overrides: Iterable[OccurrenceSpec], rid: datetime) -> OccurrenceSpec | None:
    return next((o for o in overrides if _same_instant(o.recurrence_id, rid)), None)


def _length(series: MeetingSpec) -> timedelta:
    return series.end - series.start


def _same_instant(one: datetime, other: datetime) -> bool:
    return abs(one - other) < _ONE_SECOND
