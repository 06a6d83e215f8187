"""The payloads of outbox kinds ``digest`` and ``digest_details``: typed, versioned, checked when
read back (see :mod:`mailflow.outbound.rendering.payload_fields`). The figures are
:mod:`mailflow.outbound.kinds.digest.digest_data`'s values;
:mod:`mailflow.outbound.kinds.digest.digest_mail` renders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, cast

from mailflow.outbound.kinds.digest.digest_data import (
    PERIODS,
    Decision,
    DigestPeriod,
    MeetingAhead,
    MinutesGap,
    OverdueItem,
    ProjectLine,
    counts_from_json,
    counts_json,
    decision_from_json,
    decision_json,
    delays_from_json,
    gap_from_json,
    gap_json,
    meeting_from_json,
    meeting_json,
    overdue_from_json,
    overdue_json,
    project_from_json,
    project_json,
)
from mailflow.outbound.kinds.minutes.minutes_parts import (
    aware,
    item_json,
    items_of,
    list_of,
    strings,
    text_of,
)
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.payload_fields import (
    JSONObject,
    StoredJSON,
    decoding,
    iso,
    version,
)

# Department → item status → how many items, every status present (``counts_json``).
Counts = Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class DigestPayload:
    """One executive's digest as of ``as_of``; ``since`` is the last digest (None: the first).

    ``counts`` are items by department and status now, ``previous_counts`` as the last digest
    reported them (None: no change is shown).
    """

    KIND: ClassVar[str] = "digest"
    VERSION: ClassVar[int] = 1

    period: DigestPeriod
    as_of: datetime
    since: datetime | None
    departments: tuple[str, ...]
    counts: Counts
    previous_counts: Counts | None = None
    decisions: tuple[Decision, ...] = ()
    overdue: tuple[OverdueItem, ...] = ()
    due_soon: tuple[ItemRow, ...] = ()
    meetings: tuple[MeetingAhead, ...] = ()
    minutes: tuple[MinutesGap, ...] = ()
    at_risk: tuple[ItemRow, ...] = ()
    awaiting: tuple[ItemRow, ...] = ()
    delays: Mapping[str, int] = field(default_factory=dict)
    projects: tuple[ProjectLine, ...] = ()
    locale: str | None = None
    timezone: str | None = None
    reply_to: str | None = None

    def to_json(self) -> JSONObject:
        previous = self.previous_counts
        return {
            "v": self.VERSION,
            "period": self.period,
            "as_of": self.as_of.isoformat(),
            "since": iso(self.since),
            "departments": list(self.departments),
            "counts": counts_json(self.counts),
            "previous_counts": None if previous is None else counts_json(previous),
            "decisions": [decision_json(decision) for decision in self.decisions],
            "overdue": [overdue_json(entry) for entry in self.overdue],
            "due_soon": [item_json(item) for item in self.due_soon],
            "meetings": [meeting_json(meeting) for meeting in self.meetings],
            "minutes": [gap_json(gap) for gap in self.minutes],
            "at_risk": [item_json(item) for item in self.at_risk],
            "awaiting": [item_json(item) for item in self.awaiting],
            "delays": dict(self.delays),
            "projects": [project_json(line) for line in self.projects],
            "locale": self.locale,
            "timezone": self.timezone,
            "reply_to": self.reply_to,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> DigestPayload:
        version(data, cls.VERSION)
        with decoding():
            period = str(data["period"])
            if period not in PERIODS:
                raise ValueError(f"unknown digest period {period!r}")
            since = text_of(data, "since")
            before = data.get("previous_counts")
            return cls(
                period=cast("DigestPeriod", period),
                as_of=aware(str(data["as_of"])),
                since=aware(since) if since else None,
                departments=tuple(strings(data, "departments")),
                counts=counts_from_json(data["counts"]),
                previous_counts=None if before is None else counts_from_json(before),
                decisions=tuple(decision_from_json(e) for e in list_of(data, "decisions")),
                overdue=tuple(overdue_from_json(e) for e in list_of(data, "overdue")),
                due_soon=tuple(items_of(data, "due_soon")),
                meetings=tuple(meeting_from_json(e) for e in list_of(data, "meetings")),
                minutes=tuple(gap_from_json(e) for e in list_of(data, "minutes")),
                # Digests planned before projects and acceptance carry none of these.
                at_risk=tuple(items_of(data, "at_risk")) if data.get("at_risk") else (),
                awaiting=tuple(items_of(data, "awaiting")) if data.get("awaiting") else (),
                delays=delays_from_json(data.get("delays") or {}),
                projects=tuple(project_from_json(e) for e in list_of(data, "projects")),
                locale=text_of(data, "locale"),
                timezone=text_of(data, "timezone"),
                reply_to=text_of(data, "reply_to"),
            )


@dataclass(frozen=True)
class DigestDetails:
    """Every item of ``department`` as of ``as_of``, in answer to ``DETAILS <department>``.

    ``departments``: the ones the executive may ask about, named at the end; ``in_reply_to`` and
    ``subject``: the executive's mail this answers.
    """

    KIND: ClassVar[str] = "digest_details"
    VERSION: ClassVar[int] = 1

    department: str
    items: tuple[ItemRow, ...]
    as_of: datetime
    departments: tuple[str, ...] = ()
    locale: str | None = None
    timezone: str | None = None
    in_reply_to: str | None = None
    subject: str | None = None
    reply_to: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "department": self.department,
            "items": [item_json(item) for item in self.items],
            "as_of": self.as_of.isoformat(),
            "departments": list(self.departments),
            "locale": self.locale,
            "timezone": self.timezone,
            "in_reply_to": self.in_reply_to,
            "subject": self.subject,
            "reply_to": self.reply_to,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> DigestDetails:
        version(data, cls.VERSION)
        with decoding():
            return cls(
                department=str(data["department"]),
                items=tuple(items_of(data, "items")),
                as_of=aware(str(data["as_of"])),
                departments=tuple(strings(data, "departments")),
                locale=text_of(data, "locale"),
                timezone=text_of(data, "timezone"),
                in_reply_to=text_of(data, "in_reply_to"),
                subject=text_of(data, "subject"),
                reply_to=text_of(data, "reply_to"),
            )
