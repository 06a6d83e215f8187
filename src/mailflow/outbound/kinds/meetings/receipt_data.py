"""The payload of outbox kind ``receipt``: the organiser's answer for one meeting intake, typed,
versioned and checked when read back (see :mod:`mailflow.outbound.rendering.payload_fields`).
:mod:`mailflow.outbound.kinds.meetings.receipt` builds and renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, cast, get_args

from mailflow.domain.meeting import MeetingSpec
from mailflow.domain.meeting_codec import from_json, to_json
from mailflow.domain.meeting_draft import Problem
from mailflow.outbound.rendering.payload_fields import (
    JSONObject,
    StoredJSON,
    decoding,
    items,
    obj,
    opt_text,
    version,
)

Outcome = Literal["created", "updated", "cancelled", "rejected", "ignored"]
Source = Literal["itip", "mail", "cli"]

OUTCOMES: tuple[str, ...] = get_args(Outcome)
SOURCES: tuple[str, ...] = get_args(Source)


def check(outcome: object, source: object, spec: MeetingSpec | None) -> None:
    if outcome not in OUTCOMES or source not in SOURCES:
        raise ValueError(f"unknown receipt outcome {outcome!r} or source {source!r}")
    # Nothing may be understood of a rejected or ignored message; the other outcomes stored one.
    if spec is None and outcome not in ("rejected", "ignored"):
        raise ValueError(f"a {outcome!r} receipt needs the meeting")


@dataclass(frozen=True)
class CalendarReply:
    """mailflow's iTIP REPLY to the organiser's invitation, carried by the receipt."""

    attendee: str
    partstat: str
    name: str = ""
    comment: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "attendee": self.attendee,
            "name": self.name,
            "partstat": self.partstat,
            "comment": self.comment,
        }

    @classmethod
    def from_json(cls, value: object) -> CalendarReply:
        data = obj(value, "calendar_reply")
        comment = data.get("comment")
        return cls(
            attendee=str(data["attendee"]),
            partstat=str(data["partstat"]),
            name=str(data.get("name") or ""),
            comment=str(comment) if comment else None,
        )


@dataclass(frozen=True)
class Receipt:
    """Outbox kind ``receipt``; ``locale``/``timezone`` are the organiser's.

    ``spec`` is the meeting as understood (for ``rejected`` whatever could be read, or None;
    ``ignored`` may have none either); ``previous`` is the version recorded before an update, or
    the one that stands when an invitation is ``ignored``.
    """

    KIND: ClassVar[str] = "receipt"
    VERSION: ClassVar[int] = 1

    outcome: Outcome
    source: Source
    spec: MeetingSpec | None
    previous: MeetingSpec | None = None
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    locale: str | None = None
    timezone: str | None = None
    in_reply_to: str | None = None
    subject: str | None = None
    calendar_reply: CalendarReply | None = None

    def to_json(self) -> JSONObject:
        spec, previous, reply = self.spec, self.previous, self.calendar_reply
        return {
            "v": self.VERSION,
            "outcome": self.outcome,
            "spec": to_json(spec) if spec is not None else None,
            "previous": to_json(previous) if previous is not None else None,
            "problems": [{"field": p.field, "text": p.text, "hint": p.hint} for p in self.problems],
            "notes": list(self.notes),
            "locale": self.locale,
            "timezone": self.timezone,
            "source": self.source,
            "in_reply_to": self.in_reply_to,
            "subject": self.subject,
            "calendar_reply": reply.to_json() if reply is not None else None,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> Receipt:
        version(data, cls.VERSION)
        with decoding():
            outcome, source = data["outcome"], data.get("source", "mail")
            spec = _meeting(data, "spec") if data.get("spec") is not None else None
            check(outcome, source, spec)
            previous = _meeting(data, "previous") if data.get("previous") else None
            problems = []
            for n, value in enumerate(items(data.get("problems") or [], "problems")):
                p = obj(value, f"problems[{n}]")
                hint = p.get("hint")
                problems.append(
                    Problem(str(p["field"]), str(p["text"]), None if hint is None else str(hint))
                )
            reply = data.get("calendar_reply")
            return cls(
                outcome=cast("Outcome", outcome),
                source=cast("Source", source),
                spec=spec,
                previous=previous,
                problems=tuple(problems),
                notes=tuple(str(note) for note in items(data.get("notes") or [], "notes")),
                locale=opt_text(data, "locale"),
                timezone=opt_text(data, "timezone"),
                in_reply_to=opt_text(data, "in_reply_to"),
                subject=opt_text(data, "subject"),
                calendar_reply=CalendarReply.from_json(reply) if reply else None,
            )


def _meeting(data: StoredJSON, key: str) -> MeetingSpec:
    return from_json(dict(obj(data[key], key)))
