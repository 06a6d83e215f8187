"""What an executive digest reports, as plain values, and how those values travel in a payload.

The digest planner reads the tracker and fills these in;
:mod:`~mailflow.outbound.kinds.digest.digest_mail` stores them in the outbox row as JSON and renders
them, so the mail shows exactly the numbers the DB held when it was planned. Items travel as
:class:`~mailflow.outbound.rendering.items_export.ItemRow`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, get_args

from mailflow.outbound.kinds.minutes.minutes_parts import aware, item_from_json, item_json
from mailflow.outbound.rendering.items_export import ITEM_STATUSES, ItemRow
from mailflow.outbound.rendering.payload_fields import JSONObject, obj

DigestPeriod = Literal["daily", "weekly"]
PERIODS: tuple[str, ...] = get_args(DigestPeriod)
# Department → item status → how many items; statuses are ItemStatus values.
StatusCounts = Mapping[str, Mapping[str, int]]


def _aware(when: datetime, what: str) -> None:
    if when.tzinfo is None:
        raise ValueError(f"{what} must be timezone-aware")


def _count(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{what} must be a whole number of at least 0, not {value!r}")
    return value


@dataclass(frozen=True)
class Decision:
    """A decision recorded in a meeting's minutes since the last digest."""

    meeting: str
    day: date  # the meeting's date
    text: str


@dataclass(frozen=True)
class OverdueItem:
    """An open item past its due date: by how many days, and how far it has been escalated."""

    item: ItemRow
    days_late: int
    level: int  # 0 none yet, 1 owner, 2 organiser/coordinator, 3 executive

    def __post_init__(self) -> None:
        if _count(self.days_late, "days_late") < 1:
            raise ValueError("an overdue item is at least one day late")
        if self.level not in (0, 1, 2, 3):
            raise ValueError(f"unknown escalation level {self.level!r}")


@dataclass(frozen=True)
class MeetingAhead:
    """A meeting in the coming days and how its invitees have answered."""

    title: str
    start: datetime
    organiser: str = ""  # a name or an address
    accepted: int = 0
    declined: int = 0
    tentative: int = 0
    no_answer: int = 0

    def __post_init__(self) -> None:
        _aware(self.start, "a meeting's start")
        for what in ("accepted", "declined", "tentative", "no_answer"):
            _count(getattr(self, what), what)


@dataclass(frozen=True)
class MinutesGap:
    """Minutes past their deadline: still missing (``received`` None) or received late."""

    title: str
    start: datetime  # when the meeting was held
    deadline: datetime
    received: datetime | None = None
    scribe: str = ""  # a name or an address

    def __post_init__(self) -> None:
        _aware(self.start, "a meeting's start")
        _aware(self.deadline, "the minutes deadline")
        if self.received is not None:
            _aware(self.received, "when the minutes came")


def counts_json(counts: StatusCounts) -> dict[str, dict[str, int]]:
    """The counts as JSON, checked: known statuses and whole numbers only."""
    out: dict[str, dict[str, int]] = {}
    for department, by_status in counts.items():
        unknown = set(by_status) - set(ITEM_STATUSES)
        if unknown:
            raise ValueError(f"unknown item statuses {sorted(unknown)} for {department!r}")
        out[str(department)] = {
            status: _count(by_status.get(status, 0), f"the {status} count of {department!r}")
            for status in ITEM_STATUSES
        }
    return out


def counts_from_json(data: object) -> dict[str, dict[str, int]]:
    if not isinstance(data, Mapping):
        raise TypeError(f"status counts must be an object, not {type(data).__name__}")
    return counts_json(data)


def decision_json(decision: Decision) -> JSONObject:
    return {"meeting": decision.meeting, "day": decision.day.isoformat(), "text": decision.text}


def decision_from_json(value: object) -> Decision:
    data = obj(value, "decisions")
    return Decision(str(data["meeting"]), date.fromisoformat(str(data["day"])), str(data["text"]))


def overdue_json(entry: OverdueItem) -> JSONObject:
    return {**item_json(entry.item), "days_late": entry.days_late, "level": entry.level}


def overdue_from_json(value: object) -> OverdueItem:
    data = obj(value, "overdue")
    days, level = data["days_late"], data.get("level") or 0
    return OverdueItem(item_from_json(data), _count(days, "days_late"), _count(level, "level"))


def meeting_json(meeting: MeetingAhead) -> JSONObject:
    return {
        "title": meeting.title,
        "start": meeting.start.isoformat(),
        "organiser": meeting.organiser,
        "accepted": meeting.accepted,
        "declined": meeting.declined,
        "tentative": meeting.tentative,
        "no_answer": meeting.no_answer,
    }


def meeting_from_json(value: object) -> MeetingAhead:
    data = obj(value, "meetings")
    return MeetingAhead(
        title=str(data["title"]),
        start=aware(str(data["start"])),
        organiser=str(data.get("organiser") or ""),
        accepted=_count(data.get("accepted", 0), "accepted"),
        declined=_count(data.get("declined", 0), "declined"),
        tentative=_count(data.get("tentative", 0), "tentative"),
        no_answer=_count(data.get("no_answer", 0), "no_answer"),
    )


def gap_json(gap: MinutesGap) -> JSONObject:
    return {
        "title": gap.title,
        "start": gap.start.isoformat(),
        "deadline": gap.deadline.isoformat(),
        "received": gap.received.isoformat() if gap.received else None,
        "scribe": gap.scribe,
    }


def gap_from_json(value: object) -> MinutesGap:
    data = obj(value, "minutes")
    received = data.get("received")
    return MinutesGap(
        title=str(data["title"]),
        start=aware(str(data["start"])),
        deadline=aware(str(data["deadline"])),
        received=aware(str(received)) if received else None,
        scribe=str(data.get("scribe") or ""),
    )


@dataclass(frozen=True)
class ProjectLine:
    """One project's items in the executive's scope: open, overdue, at risk, awaiting acceptance."""

    name: str
    open: int = 0
    overdue: int = 0
    at_risk: int = 0
    awaiting: int = 0
    daily: int = 0  # daily reports (当日进展) received since the last digest

    def __post_init__(self) -> None:
        for what in ("open", "overdue", "at_risk", "awaiting", "daily"):
            _count(getattr(self, what), what)


def project_json(line: ProjectLine) -> JSONObject:
    return {
        "name": line.name,
        "open": line.open,
        "overdue": line.overdue,
        "at_risk": line.at_risk,
        "awaiting": line.awaiting,
        "daily": line.daily,
    }


def project_from_json(value: object) -> ProjectLine:
    data = obj(value, "projects")
    return ProjectLine(
        name=str(data["name"]),
        open=_count(data.get("open", 0), "open"),
        overdue=_count(data.get("overdue", 0), "overdue"),
        at_risk=_count(data.get("at_risk", 0), "at_risk"),
        awaiting=_count(data.get("awaiting", 0), "awaiting"),
        daily=_count(data.get("daily", 0), "daily"),
    )


def project_view(line: ProjectLine) -> dict[str, Any]:
    return project_json(line)


def delays_from_json(data: object) -> dict[str, int]:
    """Delayed items by reason category (resources, scope, external, other)."""
    if not isinstance(data, Mapping):
        raise TypeError(f"delays must be an object, not {type(data).__name__}")
    return {str(k): _count(v, f"the {k} delay count") for k, v in data.items()}
