"""MeetingSpec to and from JSON-safe dicts: how a meeting travels in the DB and in outbox payloads.

Datetimes are ISO 8601 with their offset; on the way back they are put in the meeting's zone
(``tzid``) again so wall-clock times and DST rules are the zone's, not a fixed offset's.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec, OccurrenceSpec


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _scalars(value: AttendeeSpec | AgendaSpec) -> dict[str, Any]:
    # What asdict() gives for these two, without its deep copy: every field is a str, an int or
    # None (test_meeting_codec checks the output against asdict's).
    return {f.name: getattr(value, f.name) for f in fields(value)}


def to_json(spec: MeetingSpec) -> dict[str, Any]:
    # Field by field rather than asdict(spec): asdict deep-copies every value, and the nested
    # lists it built were then built again below; the meeting is encoded once per recipient.
    data: dict[str, Any] = {f.name: getattr(spec, f.name) for f in fields(spec)}
    data["organiser"] = _scalars(spec.organiser)
    data["extra"] = dict(spec.extra)
    for key in ("start", "end", "recurrence_id"):
        data[key] = _dt(getattr(spec, key))
    data["exdates"] = [value.isoformat() for value in spec.exdates]
    data["overrides"] = [
        {
            "recurrence_id": o.recurrence_id.isoformat(),
            "start": o.start.isoformat(),
            "end": o.end.isoformat(),
            "title": o.title,
            "location": o.location,
            "online_url": o.online_url,
            "sequence": o.sequence,
        }
        for o in spec.overrides
    ]
    data["attendees"] = [_scalars(a) for a in spec.attendees]
    data["agenda"] = [_scalars(a) for a in spec.agenda]
    data["materials"] = list(spec.materials)
    return data


def from_json(data: dict[str, Any]) -> MeetingSpec:
    zone = ZoneInfo(data["tzid"])

    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value).astimezone(zone) if value else None

    start, end = when(data["start"]), when(data["end"])
    if start is None or end is None:
        # A ValueError, not an assert: callers map it to a bad-payload error, and -O drops asserts.
        raise ValueError("a stored meeting needs a start and an end")
    return MeetingSpec(
        uid=data["uid"],
        title=data["title"],
        organiser=AttendeeSpec(**data["organiser"]),
        start=start,
        end=end,
        tzid=data["tzid"],
        sequence=int(data.get("sequence", 0)),
        attendees=tuple(AttendeeSpec(**a) for a in data.get("attendees", ())),
        location=data.get("location"),
        online_url=data.get("online_url"),
        description=data.get("description"),
        rrule=data.get("rrule"),
        exdates=tuple(datetime.fromisoformat(v).astimezone(zone) for v in data.get("exdates", ())),
        recurrence_id=when(data.get("recurrence_id")),
        overrides=tuple(
            OccurrenceSpec(
                recurrence_id=datetime.fromisoformat(o["recurrence_id"]).astimezone(zone),
                start=datetime.fromisoformat(o["start"]).astimezone(zone),
                end=datetime.fromisoformat(o["end"]).astimezone(zone),
                title=o.get("title"),
                location=o.get("location"),
                online_url=o.get("online_url"),
                sequence=int(o.get("sequence", 0)),
            )
            for o in data.get("overrides", ())
        ),
        scribe=data.get("scribe"),
        agenda=tuple(AgendaSpec(**a) for a in data.get("agenda", ())),
        materials=tuple(data.get("materials", ())),
        status=data.get("status", "CONFIRMED"),
        extra=dict(data.get("extra", {})),
    )
