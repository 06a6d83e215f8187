"""Reading action items and their history: by reference, by owner, by meeting, by lead.

Each function takes the caller's ``Session`` and leaves committing to the caller. Lists come in
``ActionItem.id`` order (the order items were created), so answers list them stably.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mailflow.tracker.models import ActionItem, ItemHistory, ItemStatus, Meeting, Project


def item_by_ref(session: Session, ref: str) -> ActionItem | None:
    """The item with reference ``ref`` (stored upper-case, e.g. ``MF-0042``)."""
    return session.scalar(select(ActionItem).where(ActionItem.ref == ref))


def items_of_meeting(session: Session, meeting_id: int) -> list[ActionItem]:
    """Every item of the meeting, whatever its status, in id order."""
    return list(
        session.scalars(
            select(ActionItem).where(ActionItem.meeting_id == meeting_id).order_by(ActionItem.id)
        )
    )


def tracked_items_of_meeting(session: Session, meeting_id: int, kind: str) -> list[ActionItem]:
    """The meeting's items of ``kind`` not cancelled, in id order."""
    query = select(ActionItem).where(
        ActionItem.meeting_id == meeting_id,
        ActionItem.kind == kind,
        ActionItem.status != ItemStatus.CANCELLED,
    )
    return list(session.scalars(query.order_by(ActionItem.id)))


def items_of_meeting_unordered(session: Session, meeting_id: int) -> list[ActionItem]:
    """Every item of the meeting, in the database's order (for mails that sort them anyway)."""
    return list(session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting_id)))


def items_with_status(session: Session, statuses: Collection[ItemStatus]) -> list[ActionItem]:
    """Every item in one of ``statuses``, in id order."""
    return list(
        session.scalars(
            select(ActionItem).where(ActionItem.status.in_(statuses)).order_by(ActionItem.id)
        )
    )


def awaiting_acceptance_of(session: Session, acceptor: str) -> list[ActionItem]:
    """The items waiting for ``acceptor``'s verdict (stored lower-case), oldest first."""
    query = select(ActionItem).where(
        ActionItem.acceptor_email == acceptor,
        ActionItem.status == ItemStatus.AWAITING_ACCEPTANCE,
    )
    return list(session.scalars(query.order_by(ActionItem.id)))


def at_risk_coordinated_by(session: Session, lead: str) -> list[ActionItem]:
    """The at-risk items ``lead`` coordinates: their project's coordinator, else (an item of no
    project) their meeting's organiser; compared case-insensitively, in id order."""
    query = (
        select(ActionItem)
        .outerjoin(Project, Project.id == ActionItem.project_id)
        .outerjoin(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(
            ActionItem.at_risk_since.is_not(None),
            or_(
                func.lower(Project.coordinator_email) == lead.lower(),
                (ActionItem.project_id.is_(None))
                & (func.lower(Meeting.organiser_email) == lead.lower()),
            ),
        )
    )
    return list(session.scalars(query.order_by(ActionItem.id)))


def items_of_owner(
    session: Session, owner: str, statuses: Collection[ItemStatus], meeting_id: int | None
) -> list[ActionItem]:
    """``owner``'s items (stored lower-case) in one of ``statuses``, of one meeting when
    ``meeting_id`` is given, in id order."""
    query = select(ActionItem).where(
        ActionItem.owner_email == owner, ActionItem.status.in_(statuses)
    )
    if meeting_id is not None:
        query = query.where(ActionItem.meeting_id == meeting_id)
    return list(session.scalars(query.order_by(ActionItem.id)))


def history_values(
    session: Session, kinds: str | Collection[str], item_ids: Iterable[int]
) -> set[str]:
    """The non-empty new values of the history entries of ``kinds`` of the items ``item_ids``
    (one query)."""
    ids = list(item_ids)
    if not ids:
        return set()
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    query = select(ItemHistory.new_value).where(
        ItemHistory.item_id.in_(ids), ItemHistory.kind.in_(wanted)
    )
    return {value for value in session.scalars(query) if value}


@dataclass(frozen=True)
class ItemFacts:
    """What the planners judge an item by, with its meeting's organiser and time zone.

    Read as plain columns in one query: a planning tick looks at every open item, but loads (and
    tracks) only the few whose mail is due, so its cost is the due work, not the open list.
    """

    id: int
    ref: str
    owner_email: str
    meeting_id: int | None
    status: ItemStatus
    due_date: date | None
    due_time: time | None
    last_update_at: datetime | None
    created_at: datetime
    escalation_level: int
    meeting_organiser: str | None
    meeting_tzid: str | None


def item_facts(session: Session, statuses: Collection[ItemStatus]) -> list[ItemFacts]:
    """The facts of every item in one of ``statuses``, in id order, without loading the items."""
    query = (
        select(
            ActionItem.id,
            ActionItem.ref,
            ActionItem.owner_email,
            ActionItem.meeting_id,
            ActionItem.status,
            ActionItem.due_date,
            ActionItem.due_time,
            ActionItem.last_update_at,
            ActionItem.created_at,
            ActionItem.escalation_level,
            Meeting.organiser_email,
            Meeting.tzid,
        )
        .outerjoin(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(ActionItem.status.in_(statuses))
        .order_by(ActionItem.id)
    )
    rows: Iterable[tuple[Any, ...]] = session.execute(query)
    return [ItemFacts(*row) for row in rows]


def items_by_id(session: Session, ids: Collection[int]) -> dict[int, ActionItem]:
    """The items ``ids``, loaded, by id: only those."""
    if not ids:
        return {}
    return {i.id: i for i in session.scalars(select(ActionItem).where(ActionItem.id.in_(ids)))}
