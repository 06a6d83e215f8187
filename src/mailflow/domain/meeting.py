"""A meeting as plain values: what every intake produces and what the invite builder consumes.

Pure data, no ORM: the three intakes (an organiser's iTIP REQUEST, a "MEETING:" mail, a TOML file)
parse into a :class:`MeetingSpec`; the tracker stores it; the notice renderer and the .ics builder
read it back. Times are timezone-aware in the meeting's own zone (``tzid`` is an IANA name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Role = Literal["CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT", "NON-PARTICIPANT"]
PartStat = Literal["NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED"]


@dataclass(frozen=True)
class AttendeeSpec:
    email: str
    name: str | None = None
    role: Role = "REQ-PARTICIPANT"
    partstat: PartStat = "NEEDS-ACTION"


@dataclass(frozen=True)
class AgendaSpec:
    topic: str
    owner: str | None = None  # email once resolved against the people directory
    minutes: int | None = None
    expected_conclusion: str | None = None


@dataclass(frozen=True)
class OccurrenceSpec:
    """One occurrence of a series that differs from the rule: moved, retimed, re-located or
    retitled (a cancelled occurrence is an EXDATE of the series instead).

    ``recurrence_id`` is the occurrence's original start (RFC 5545 RECURRENCE-ID): it names the
    occurrence for good, wherever it moves. ``title``/``location``/``online_url`` None: the
    series' own.
    """

    recurrence_id: datetime
    start: datetime
    end: datetime
    title: str | None = None
    location: str | None = None
    online_url: str | None = None
    sequence: int = 0


@dataclass(frozen=True)
class MeetingSpec:
    uid: str
    title: str
    organiser: AttendeeSpec
    start: datetime
    end: datetime
    tzid: str
    sequence: int = 0
    attendees: tuple[AttendeeSpec, ...] = ()
    location: str | None = None
    online_url: str | None = None
    description: str | None = None
    rrule: str | None = None  # RFC 5545 RRULE value, e.g. "FREQ=WEEKLY;BYDAY=MO;COUNT=10"
    exdates: tuple[datetime, ...] = ()
    recurrence_id: datetime | None = None  # set when the spec is one occurrence of a series
    overrides: tuple[OccurrenceSpec, ...] = ()  # a series' occurrences that differ from its rule
    scribe: str | None = None
    agenda: tuple[AgendaSpec, ...] = ()
    materials: tuple[str, ...] = ()
    status: Literal["CONFIRMED", "CANCELLED"] = "CONFIRMED"
    extra: dict[str, str] = field(default_factory=dict)
