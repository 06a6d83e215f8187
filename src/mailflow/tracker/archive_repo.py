"""What a project's archive (归档) reads: its meetings and items, in chunks of ids.

The archive keeps memory flat, so most reads are projections of a few columns (small frozen
records) or one chunk of rows at a time, each chunk in one query. Each function takes the
caller's ``Session`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mailflow.tracker.models import ActionItem, ItemHistory, ItemStatus, Meeting, Minutes


@dataclass(frozen=True)
class MeetingLine:
    """A meeting as the archive's index lists it."""

    id: int
    title: str
    starts_at: datetime
    organiser_email: str


@dataclass(frozen=True)
class ItemRef:
    id: int
    ref: str


@dataclass(frozen=True)
class MeetingItem:
    """An item as its meeting's page links it."""

    meeting_id: int | None
    ref: str
    description: str


@dataclass(frozen=True)
class HistoryLine:
    """One history row of an item, as its page shows it."""

    item_id: int
    at: datetime
    actor: str
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True)
class ItemSheet:
    """The facts of an item its page shows."""

    id: int
    ref: str
    meeting_id: int | None
    description: str
    owner_email: str
    department: str | None
    due_date: date | None
    status: ItemStatus
    progress: int
    deliverable: str | None
    acceptor_email: str | None
    rework_count: int
    delay_reason: str | None


def meetings_of_project(session: Session, project_id: int) -> list[MeetingLine]:
    """The project's meetings, by start (then id)."""
    rows = session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.organiser_email)
        .where(Meeting.project_id == project_id)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [MeetingLine(*row) for row in rows]


def item_refs_of_project(session: Session, project_id: int) -> list[ItemRef]:
    """The id and ref of each of the project's items, in no particular order."""
    rows = session.execute(
        select(ActionItem.id, ActionItem.ref).where(ActionItem.project_id == project_id)
    )
    return [ItemRef(*row) for row in rows]


def items_with_ids(session: Session, ids: Collection[int]) -> Sequence[ActionItem]:
    """The items of ``ids`` (one chunk), in no particular order."""
    return session.scalars(select(ActionItem).where(ActionItem.id.in_(ids))).all()


def history_of_items(session: Session, ids: Collection[int]) -> list[HistoryLine]:
    """The history of the items of ``ids`` (one chunk), item by item, oldest first."""
    rows = session.execute(
        select(
            ItemHistory.item_id,
            ItemHistory.at,
            ItemHistory.actor,
            ItemHistory.kind,
            ItemHistory.field,
            ItemHistory.old_value,
            ItemHistory.new_value,
        )
        .where(ItemHistory.item_id.in_(ids))
        .order_by(ItemHistory.item_id, ItemHistory.id)
    )
    return [HistoryLine(*row) for row in rows]


def item_sheets(session: Session, ids: Collection[int]) -> list[ItemSheet]:
    """The facts of the items of ``ids`` (one chunk), in no particular order."""
    rows = session.execute(
        select(
            ActionItem.id,
            ActionItem.ref,
            ActionItem.meeting_id,
            ActionItem.description,
            ActionItem.owner_email,
            ActionItem.department,
            ActionItem.due_date,
            ActionItem.status,
            ActionItem.progress,
            ActionItem.deliverable,
            ActionItem.acceptor_email,
            ActionItem.rework_count,
            ActionItem.delay_reason,
        ).where(ActionItem.id.in_(ids))
    )
    return [ItemSheet(**row._asdict()) for row in rows]


def meetings_with_agenda_and_attendees(session: Session, ids: Collection[int]) -> Sequence[Meeting]:
    """The meetings of ``ids`` (one chunk) by id, their agenda and attendees loaded with them."""
    return session.scalars(
        select(Meeting)
        .where(Meeting.id.in_(ids))
        .options(selectinload(Meeting.agenda), selectinload(Meeting.attendees))
        .order_by(Meeting.id)
    ).all()


def minutes_versions(session: Session, meeting_ids: Collection[int]) -> Sequence[Minutes]:
    """The minutes versions sent out (not held) of the meetings of ``meeting_ids``, meeting by
    meeting, by version."""
    return session.scalars(
        select(Minutes)
        .where(Minutes.meeting_id.in_(meeting_ids), Minutes.held_reason.is_(None))
        .order_by(Minutes.meeting_id, Minutes.version)
    ).all()


def items_of_meetings(session: Session, meeting_ids: Collection[int]) -> list[MeetingItem]:
    """The ref and task of every item of the meetings of ``meeting_ids``, in no particular
    order."""
    rows = session.execute(
        select(ActionItem.meeting_id, ActionItem.ref, ActionItem.description).where(
            ActionItem.meeting_id.in_(meeting_ids)
        )
    )
    return [MeetingItem(*row) for row in rows]
