"""What the web board's queries answer: small frozen records, never ORM objects.

Datetimes are aware (UTC). :mod:`mailflow.tracker.board_repo` fills them; the web layer renders
them and holds no session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ProjectRow:
    id: int
    name: str
    coordinator: str
    lead_department: str
    end_date: date | None
    closed: bool


@dataclass(frozen=True)
class BoardItem:
    id: int
    ref: str
    kind: str
    description: str
    owner: str
    department: str
    status: str
    progress: int
    due: date | None
    at_risk: bool
    created_at: datetime
    finished_at: datetime | None  # the last update of a done item: when it was finished
    meeting_id: int | None
    project_id: int | None


@dataclass(frozen=True)
class MeetingRow:
    id: int
    title: str
    organiser: str
    starts_at: datetime
    ends_at: datetime
    tzid: str
    location: str
    online_url: str
    status: str
    rrule: str
    uid: str
    project_id: int | None


@dataclass(frozen=True)
class AgendaRow:
    position: int
    topic: str
    owner: str
    minutes: int | None
    conclusion: str


@dataclass(frozen=True)
class AttendeeRow:
    email: str
    name: str
    role: str
    partstat: str
    comment: str


@dataclass(frozen=True)
class MinutesRow:
    version: int
    submitted_by: str
    received_at: datetime
    official_sent_at: datetime | None
    is_correction: bool
    text: str


@dataclass(frozen=True)
class MeetingDetail:
    meeting: MeetingRow
    agenda: tuple[AgendaRow, ...]
    attendees: tuple[AttendeeRow, ...]
    minutes: tuple[MinutesRow, ...]
    items: tuple[BoardItem, ...]


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: str
    kind: str
    field: str
    old: str
    new: str
    message_id: str
    mail_subject: str
    mail_sender: str


@dataclass(frozen=True)
class ItemDetail:
    item: BoardItem
    deliverable: str
    acceptor: str
    requester: str
    delay_reason: str
    delay_category: str
    escalation_level: int
    meeting_title: str
    project_name: str
    history: tuple[HistoryRow, ...]


@dataclass(frozen=True)
class StatusCount:
    """How many items of a department are in a status, overdue or not, at risk or not."""

    department: str
    status: str
    overdue: bool
    at_risk: bool
    # A done item with a due date: "on_time" when finished (UTC date) by it, else "late".
    timing: str
    count: int


@dataclass(frozen=True)
class BoardData:
    """A project board as the tracker answers it: the first cards of each column, the counts
    of every item (not only the cards), the soonest-due open items, and the filters' choices."""

    columns: dict[str, list[BoardItem]]
    counts: list[StatusCount]
    timeline: list[BoardItem]
    departments: list[str]
    owners: list[str]
