"""Reads for reports: meetings and items as people name them, an item's history, and what a
project's retrospective (复盘) counts.

Each function takes the caller's ``Session`` and changes nothing. Projections are small frozen
records; the retrospective's two reads are streamed, so a large project is never whole in memory.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.domain.retro_counts import EVENT_FIELDS, EVENT_KINDS
from mailflow.tracker.models import (
    ActionItem,
    Attendee,
    ItemHistory,
    ItemStatus,
    Meeting,
)

# Rows are fetched from the database this many at a time while a stream is read.
_STREAM = {"yield_per": 2000}


@dataclass(frozen=True)
class MeetingTitle:
    id: int
    title: str


@dataclass(frozen=True)
class RetroItem:
    """The columns of an item the retrospective counts."""

    id: int
    department: str | None
    owner_email: str
    kind: str
    status: ItemStatus
    due_date: date | None
    rework_count: int


@dataclass(frozen=True)
class RetroEvent:
    """A history row the retrospective counts (see :mod:`mailflow.domain.retro_counts`)."""

    item_id: int
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None
    at: datetime


# --- meetings -----------------------------------------------------------------------------------


def meeting_by_any_uid(session: Session, uid: str) -> Meeting | None:
    """The meeting whose UID or invite UID is ``uid``, in one query."""
    return session.scalar(select(Meeting).where(or_(Meeting.uid == uid, Meeting.invite_uid == uid)))


def meeting_titles(session: Session) -> list[MeetingTitle]:
    """The id and title of every meeting (titles are matched in Python: see ``find_meeting``)."""
    return [MeetingTitle(*row) for row in session.execute(select(Meeting.id, Meeting.title))]


def titles_of_meetings(session: Session, ids: Collection[int]) -> dict[int, str]:
    """The title of each meeting of ``ids`` that exists."""
    rows = session.execute(select(Meeting.id, Meeting.title).where(Meeting.id.in_(ids)))
    return {meeting_id: title for meeting_id, title in rows}


def meetings_by_start(session: Session, ids: Collection[int]) -> list[Meeting]:
    """The meetings of ``ids``, by start (then id)."""
    return list(
        session.scalars(
            select(Meeting).where(Meeting.id.in_(ids)).order_by(Meeting.starts_at, Meeting.id)
        )
    )


# --- items --------------------------------------------------------------------------------------


def history_of_item(session: Session, item_id: int) -> list[ItemHistory]:
    """The item's whole history, oldest first."""
    return list(
        session.scalars(
            select(ItemHistory).where(ItemHistory.item_id == item_id).order_by(ItemHistory.id)
        ).all()
    )


def items_matching(
    session: Session,
    *,
    owner: str | None = None,
    status: ItemStatus | None = None,
    overdue_on: date | None = None,
    department: str | None = None,
) -> list[ActionItem]:
    """Items by id, filtered by owner address and department (given lower-case, compared case
    aside), by status, and by being open and due before ``overdue_on``; None: any."""
    query = select(ActionItem)
    if owner is not None:
        query = query.where(func.lower(ActionItem.owner_email) == owner)
    if status is not None:
        query = query.where(ActionItem.status == status)
    if overdue_on is not None:
        query = query.where(ActionItem.due_date < overdue_on, ActionItem.status.in_(OPEN_STATUSES))
    if department is not None:
        query = query.where(func.lower(ActionItem.department) == department)
    return list(session.scalars(query.order_by(ActionItem.id)))


# --- the retrospective --------------------------------------------------------------------------


def retro_items(session: Session, project_id: int) -> Iterator[RetroItem]:
    """The project's items, by id, streamed."""
    result = session.execute(
        select(
            ActionItem.id,
            ActionItem.department,
            ActionItem.owner_email,
            ActionItem.kind,
            ActionItem.status,
            ActionItem.due_date,
            ActionItem.rework_count,
        )
        .where(ActionItem.project_id == project_id)
        .order_by(ActionItem.id)
        .execution_options(**_STREAM)
    )
    return (RetroItem(*row) for row in result)


def retro_events(session: Session, project_id: int) -> Iterator[RetroEvent]:
    """The history rows of the project's items that the retrospective counts, item by item
    (in :func:`retro_items` order), oldest first, streamed."""
    result = session.execute(
        select(
            ItemHistory.item_id,
            ItemHistory.kind,
            ItemHistory.field,
            ItemHistory.old_value,
            ItemHistory.new_value,
            ItemHistory.at,
        )
        .join(ActionItem, ActionItem.id == ItemHistory.item_id)
        .where(
            ActionItem.project_id == project_id,
            or_(ItemHistory.kind.in_(EVENT_KINDS), ItemHistory.field.in_(EVENT_FIELDS)),
        )
        .order_by(ItemHistory.item_id, ItemHistory.id)
        .execution_options(**_STREAM)
    )
    return (RetroEvent(*row) for row in result)


def people_of_project(session: Session, project_id: int) -> list[str]:
    """The addresses of the project's meetings' organisers and attendees (not removed) and of
    its items' owners and requesters, as written: case kept, repeats possible."""
    meeting_ids = select(Meeting.id).where(Meeting.project_id == project_id)
    found = list(
        session.scalars(
            select(Meeting.organiser_email).where(Meeting.project_id == project_id).distinct()
        )
    )
    found += session.scalars(
        select(Attendee.email)
        .where(Attendee.meeting_id.in_(meeting_ids), Attendee.removed_at.is_(None))
        .distinct()
    )
    for owner, requester in session.execute(
        select(ActionItem.owner_email, ActionItem.requester_email)
        .where(ActionItem.project_id == project_id)
        .distinct()
    ):
        found.append(owner)
        if requester:
            found.append(requester)
    return found
