"""The retrospective pack's numbers (复盘数据): what happened to a project's items, counted.

Pure. An item's history rows (:class:`Event`) fold into its :class:`ItemFacts` — when it was
finished, its first due date, its delays by category, its at-risk episodes, escalations and
acceptance verdicts — and the facts of all items sum into one :class:`Tally` per department and
one overall. The service reads the rows in a bounded number of queries and never loads an item
with its history as objects, so 5,000 items cost what their rows cost.

An item is *on time* when it was finished on or before the first due date it was given (a DELAY
moves the due date, so a delayed item finished by its new date still counts as late, as the
collaboration guides count 延期); *late* when finished after it; *overdue* when still open past
its current due date; *open* otherwise. Cancelled items count only as cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.domain.delay_categories import CATEGORIES, delay_category

# The history kinds and fields the pack reads; the service asks the DB for these rows only.
EVENT_KINDS = ("acceptance", "escalated", "at_risk")
EVENT_FIELDS = ("status", "due_date", "delay_reason")
NO_DEPARTMENT = ""


@dataclass(frozen=True)
class Event:
    """One history row of an item, as much of it as the pack reads."""

    kind: str
    field: str | None
    old: str | None
    new: str | None
    at: datetime


@dataclass(frozen=True)
class ItemFacts:
    """What the pack needs to know about one item, from its row and its history."""

    department: str
    kind: str  # action / request / issue
    status: str
    due: date | None
    first_due: date | None
    done_on: date | None
    rework: int
    delays: tuple[str, ...] = ()  # one category per DELAY
    at_risk: int = 0  # episodes: times it became at risk
    escalations: int = 0
    accepted: int = 0
    rejected: int = 0


@dataclass
class Tally:
    """The counts of a set of items (a department's or the whole project's)."""

    items: int = 0
    actions: int = 0
    requests: int = 0
    issues: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0
    cancelled: int = 0
    rework: int = 0
    delays: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    at_risk: int = 0
    escalations: int = 0
    accepted: int = 0
    rejected: int = 0

    def add(self, facts: ItemFacts, today: date) -> None:
        self.items += 1
        if facts.kind == "request":
            self.requests += 1
        elif facts.kind == "issue":
            self.issues += 1
        else:
            self.actions += 1
        self.rework += facts.rework
        for category in facts.delays:
            self.delays[category] = self.delays.get(category, 0) + 1
        self.at_risk += facts.at_risk
        self.escalations += facts.escalations
        self.accepted += facts.accepted
        self.rejected += facts.rejected
        timing = timeliness(facts, today)
        setattr(self, timing, getattr(self, timing) + 1)

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tally:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        tally = cls(**known)
        tally.delays = {c: int(tally.delays.get(c, 0)) for c in CATEGORIES}
        return tally


@dataclass
class Pack:
    """The retrospective pack: the overall tally and one per department (sorted by name; the
    items without a department last, under ``NO_DEPARTMENT``)."""

    overall: Tally = field(default_factory=Tally)
    departments: dict[str, Tally] = field(default_factory=dict)

    def add(self, facts: ItemFacts, today: date) -> None:
        self.overall.add(facts, today)
        self.departments.setdefault(facts.department, Tally()).add(facts, today)

    def sorted_departments(self) -> list[tuple[str, Tally]]:
        return sorted(self.departments.items(), key=lambda kv: (kv[0] == NO_DEPARTMENT, kv[0]))

    def as_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall.as_json(),
            "departments": [[name, t.as_json()] for name, t in self.sorted_departments()],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pack:
        return cls(
            Tally.from_json(data.get("overall") or {}),
            {str(n): Tally.from_json(t) for n, t in data.get("departments") or ()},
        )


def timeliness(facts: ItemFacts, today: date) -> str:
    """``on_time``, ``late``, ``overdue``, ``open`` or ``cancelled`` (see the module docstring)."""
    if facts.status == "cancelled":
        return "cancelled"
    if facts.status == "done":
        deadline = facts.first_due or facts.due
        if deadline is None or facts.done_on is None or facts.done_on <= deadline:
            return "on_time"
        return "late"
    if facts.due is not None and facts.due < today:
        return "overdue"
    return "open"


def item_facts(
    *,
    department: str | None,
    kind: str,
    status: str,
    due: date | None,
    rework: int,
    events: Iterable[Event],
    zone: str,
) -> ItemFacts:
    """Fold one item's history into its facts; ``events`` in the order they happened."""
    tz = ZoneInfo(zone)
    first_due: date | None = None
    due_changed = False
    done_on: date | None = None
    delays: list[str] = []
    at_risk = escalations = accepted = rejected = 0
    for event in events:
        if event.field == "due_date" and not due_changed:
            due_changed = True
            first_due = _day(event.old)
        elif event.field == "status" and event.new == "done":
            done_on = event.at.astimezone(tz).date()
        elif event.field == "delay_reason" and event.new:
            delays.append(delay_category(event.new))
        elif event.kind == "at_risk" and event.new != "cleared":
            at_risk += 1
        elif event.kind == "escalated":
            escalations += 1
        elif event.kind == "acceptance" and event.new:
            if event.new.startswith("accepted"):
                accepted += 1
            elif event.new.startswith("rejected"):
                rejected += 1
    return ItemFacts(
        department=(department or "").strip() or NO_DEPARTMENT,
        kind=kind or "action",
        status=status,
        due=due,
        first_due=first_due if due_changed else due,
        done_on=done_on,
        rework=rework,
        delays=tuple(delays),
        at_risk=at_risk,
        escalations=escalations,
        accepted=accepted,
        rejected=rejected,
    )


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
