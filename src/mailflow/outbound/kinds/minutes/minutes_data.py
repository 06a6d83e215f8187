"""The payloads of outbox kinds ``minutes_skeleton``, ``minutes_reminder`` and
``minutes_receipt``: typed, versioned, checked when read back (see
:mod:`mailflow.outbound.rendering.payload_fields`). Their builders and renderers are in
:mod:`mailflow.outbound.kinds.minutes.minutes_mail` and
:mod:`mailflow.outbound.kinds.minutes.minutes_receipt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Literal, cast, get_args

from mailflow.domain.meeting import AttendeeSpec, MeetingSpec, PartStat
from mailflow.domain.meeting_codec import from_json, to_json
from mailflow.domain.minutes import Problem
from mailflow.outbound.kinds.minutes.minutes_parts import (
    aware,
    item_json,
    items_of,
    list_of,
    problem_json,
    problems_of,
    strings,
    text_of,
)
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.payload_fields import (
    JSONObject,
    StoredJSON,
    decoding,
    iso,
    obj,
    version,
)

# Who is reminded: the scribe 2 h before the minutes deadline, the organiser at it.
ReminderStage = Literal["scribe", "organiser"]
STAGES: tuple[str, ...] = get_args(ReminderStage)


def _int(value: object) -> int:
    """A count as older payloads may hold it (a number, or its text)."""
    if not isinstance(value, int | float | str):
        raise TypeError(f"expected a number, not {type(value).__name__}")
    return int(value)


def meeting_of(data: StoredJSON, key: str = "spec") -> MeetingSpec:
    """The meeting a payload carries (:mod:`mailflow.domain.meeting_codec`)."""
    return from_json(dict(obj(data[key], key)))


@dataclass(frozen=True)
class MinutesSkeleton:
    """Outbox kind ``minutes_skeleton``: the form for the scribe (else the organiser);
    ``attendees`` carry their latest RSVP, ``deadline`` is when the minutes are due."""

    KIND: ClassVar[str] = "minutes_skeleton"
    VERSION: ClassVar[int] = 1

    spec: MeetingSpec
    attendees: tuple[AttendeeSpec, ...]
    locale: str | None = None
    timezone: str | None = None
    deadline: datetime | None = None
    thread_root: str | None = None
    reply_to: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "spec": to_json(self.spec),
            "attendees": [
                {"email": a.email, "name": a.name, "partstat": a.partstat} for a in self.attendees
            ],
            "locale": self.locale,
            "timezone": self.timezone,
            "deadline": iso(self.deadline),
            "thread_root": self.thread_root,
            "reply_to": self.reply_to,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> MinutesSkeleton:
        version(data, cls.VERSION)
        with decoding():
            locale = text_of(data, "locale")
            spec = meeting_of(data)
            attendees = tuple(
                AttendeeSpec(
                    str(a["email"]),
                    text_of(a, "name"),
                    partstat=cast("PartStat", str(a.get("partstat", "NEEDS-ACTION"))),
                )
                for a in (obj(value, "attendees") for value in list_of(data, "attendees"))
            )
            deadline = text_of(data, "deadline")
            return cls(
                spec,
                attendees,
                locale,
                text_of(data, "timezone"),
                aware(deadline) if deadline else None,
                text_of(data, "thread_root"),
                text_of(data, "reply_to"),
            )


@dataclass(frozen=True)
class MinutesReminder:
    """Outbox kind ``minutes_reminder``: to the scribe before the deadline (``stage="scribe"``)
    or to the organiser at it."""

    KIND: ClassVar[str] = "minutes_reminder"
    VERSION: ClassVar[int] = 1

    spec: MeetingSpec
    stage: ReminderStage
    deadline: datetime
    locale: str | None = None
    timezone: str | None = None
    thread_root: str | None = None
    reply_to: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "spec": to_json(self.spec),
            "stage": self.stage,
            "deadline": self.deadline.isoformat(),
            "locale": self.locale,
            "timezone": self.timezone,
            "thread_root": self.thread_root,
            "reply_to": self.reply_to,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> MinutesReminder:
        version(data, cls.VERSION)
        with decoding():
            locale = text_of(data, "locale")
            spec = meeting_of(data)
            stage = str(data["stage"])
            if stage not in STAGES:
                raise ValueError(f"unknown reminder stage {stage!r}")
            return cls(
                spec,
                cast("ReminderStage", stage),
                aware(str(data["deadline"])),
                locale,
                text_of(data, "timezone"),
                text_of(data, "thread_root"),
                text_of(data, "reply_to"),
            )


@dataclass(frozen=True)
class MinutesReceipt:
    """Outbox kind ``minutes_receipt``: what the scribe's minutes recorded (``actions``,
    ``disputes`` with their refs), the lines not used (``problems``), and ``held``: why nothing
    was applied yet, if so. ``counts``: decisions, actions (new ones) and disputes."""

    KIND: ClassVar[str] = "minutes_receipt"
    VERSION: ClassVar[int] = 1

    title: str
    decisions: tuple[str, ...]
    actions: tuple[ItemRow, ...]
    disputes: tuple[ItemRow, ...] = ()
    problems: tuple[Problem, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    version: int = 1
    correction: bool = False
    changes: tuple[str, ...] = ()
    locale: str | None = None
    timezone: str | None = None
    in_reply_to: str | None = None
    subject: str | None = None
    thread_root: str | None = None
    held: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "title": self.title,
            "counts": dict(self.counts),
            "decisions": list(self.decisions),
            "items": [item_json(item) for item in self.actions],
            "disputes": [item_json(item) for item in self.disputes],
            "problems": [problem_json(problem) for problem in self.problems],
            "version": self.version,
            "correction": self.correction,
            "changes": list(self.changes),
            "locale": self.locale,
            "timezone": self.timezone,
            "in_reply_to": self.in_reply_to,
            "subject": self.subject,
            "thread_root": self.thread_root,
            "held": self.held,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> MinutesReceipt:
        version(data, cls.VERSION)
        with decoding():
            locale = text_of(data, "locale")
            title = str(data["title"])
            decisions = tuple(strings(data, "decisions"))
            actions, disputes = tuple(items_of(data, "items")), tuple(items_of(data, "disputes"))
            problems = tuple(problems_of(data, "problems"))
            stored = obj(data.get("counts") or {}, "counts")
            # A correction keeps the refs of items still there: it counts only those it created.
            counts = {
                "decisions": _int(stored.get("decisions", len(decisions))),
                "actions": _int(stored.get("actions", len(actions))),
                "disputes": _int(stored.get("disputes", len(disputes))),
            }
            return cls(
                title=title,
                decisions=decisions,
                actions=actions,
                disputes=disputes,
                problems=problems,
                counts=counts,
                version=_int(data.get("version") or 1),
                correction=bool(data.get("correction")),
                held=text_of(data, "held"),
                changes=tuple(strings(data, "changes")),
                locale=locale,
                timezone=text_of(data, "timezone"),
                subject=text_of(data, "subject"),
                thread_root=text_of(data, "thread_root"),
                in_reply_to=text_of(data, "in_reply_to"),
            )
