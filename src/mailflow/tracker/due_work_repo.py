"""What the item planners read: only the work in flight, never every item there ever was.

The at-risk planner reads open items still ahead of their due date and those flagged; the
daily-update planner the open items of the projects whose time has come; the acceptance
reminders when each waiting item was handed in. Each function takes the caller's ``Session``
and changes nothing; time is an argument.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.tracker.models import ActionItem, ItemHistory, ItemStatus


def open_items_of_projects(session: Session, project_ids: Collection[int]) -> Sequence[ActionItem]:
    """The open items of the projects of ``project_ids``, by id."""
    return session.scalars(
        select(ActionItem)
        .where(ActionItem.project_id.in_(project_ids), ActionItem.status.in_(OPEN_STATUSES))
        .order_by(ActionItem.id)
    ).all()


@dataclass(frozen=True)
class RiskFacts:
    """What the at-risk rule reads of an item, as plain columns: nothing is loaded until an item's
    flag changes or its talk is overdue."""

    id: int
    status: ItemStatus
    due_date: date | None
    created_at: datetime
    progress: int
    at_risk_since: datetime | None
    talked_at: datetime | None


_RISK_COLUMNS = (
    ActionItem.id,
    ActionItem.status,
    ActionItem.due_date,
    ActionItem.created_at,
    ActionItem.progress,
    ActionItem.at_risk_since,
    ActionItem.talked_at,
)


def at_risk_candidates(session: Session, today: date) -> list[RiskFacts]:
    """The open items due on or after ``today`` and every item flagged at risk, by id.

    Two indexed reads, not one OR (which scans every item ever made): the status and due-date
    index for the first, a range on ``at_risk_since`` (not IS NOT NULL, so SQLite uses its index)
    for the second.
    """
    ahead = select(*_RISK_COLUMNS).where(
        ActionItem.status.in_(OPEN_STATUSES), ActionItem.due_date >= today
    )
    flagged = select(*_RISK_COLUMNS).where(
        ActionItem.at_risk_since >= datetime(1970, 1, 1, tzinfo=UTC)
    )
    found: dict[int, RiskFacts] = {}
    for query in (ahead, flagged):
        rows: Iterable[tuple[Any, ...]] = session.execute(query)
        for row in rows:
            found[row[0]] = RiskFacts(*row)
    return [found[key] for key in sorted(found)]


def last_status_change_at(session: Session, item_id: int) -> datetime | None:
    """When the item's status last changed, by its history."""
    return session.scalar(
        select(ItemHistory.at)
        .where(ItemHistory.item_id == item_id, ItemHistory.field == "status")
        .order_by(ItemHistory.id.desc())
        .limit(1)
    )
