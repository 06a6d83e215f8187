"""Projects (跨部门协作项目) in the tracker: found by name, listed for their planners, counted.

Each function takes the caller's ``Session`` and leaves committing to the caller. Time is an
argument (``today``); nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.tracker.models import ActionItem, ItemStatus, Meeting, Project


@dataclass(frozen=True)
class ProjectTally:
    """A project's items by state: open, open and overdue, open and at risk, awaiting
    acceptance, done."""

    open: int = 0
    overdue: int = 0
    at_risk: int = 0
    awaiting: int = 0
    done: int = 0


def project_by_name(session: Session, name: str) -> Project | None:
    """The project called ``name``, case aside (the caller tidies its spacing)."""
    return session.scalar(select(Project).where(func.lower(Project.name) == name.lower()))


def open_project_names(session: Session, limit: int) -> list[str]:
    """The names of the first ``limit`` projects not closed, by name."""
    return list(
        session.scalars(
            select(Project.name)
            .where(Project.closed_at.is_(None))
            .order_by(Project.name)
            .limit(limit)
        )
    )


def projects_by_name(session: Session) -> list[Project]:
    """Every project, by name."""
    return list(session.scalars(select(Project).order_by(Project.name)))


def project_names(session: Session, project_ids: Collection[int]) -> dict[int, str]:
    """The name of each of ``project_ids`` that exists."""
    rows = session.execute(select(Project.id, Project.name).where(Project.id.in_(project_ids)))
    return {project_id: name for project_id, name in rows}


def organises_a_meeting_of(session: Session, project_id: int, email: str) -> bool:
    """Whether ``email`` (lower-case) organises one of the project's meetings."""
    found = session.scalar(
        select(Meeting.id)
        .where(Meeting.project_id == project_id, func.lower(Meeting.organiser_email) == email)
        .limit(1)
    )
    return found is not None


# --- what the project planners read -------------------------------------------------------------


def projects_past_end(session: Session, today: date) -> Sequence[Project]:
    """Projects still open whose end date is before ``today``, by id."""
    return session.scalars(
        select(Project)
        .where(Project.closed_at.is_(None), Project.end_date.is_not(None), Project.end_date < today)
        .order_by(Project.id)
    ).all()


def closed_projects_without_retro(session: Session) -> Sequence[Project]:
    """Closed projects whose retrospective was not queued, by id."""
    return session.scalars(
        select(Project)
        .where(Project.closed_at.is_not(None), Project.retro_requested_at.is_(None))
        .order_by(Project.id)
    ).all()


def projects_awaiting_retro_meeting(session: Session) -> Sequence[Project]:
    """Projects whose retrospective was requested and whose retro meeting is not known yet."""
    return session.scalars(
        select(Project).where(
            Project.retro_requested_at.is_not(None), Project.retro_meeting_id.is_(None)
        )
    ).all()


def first_meeting_since(session: Session, project_id: int, since: datetime) -> int | None:
    """The id of the project's first meeting made at or after ``since``, if any."""
    return session.scalar(
        select(Meeting.id)
        .where(Meeting.project_id == project_id, Meeting.created_at >= since)
        .order_by(Meeting.created_at, Meeting.id)
        .limit(1)
    )


def closed_projects_not_archived(session: Session) -> Sequence[Project]:
    """Closed projects whose archive was not written yet, by id."""
    return session.scalars(
        select(Project)
        .where(Project.closed_at.is_not(None), Project.archived_at.is_(None))
        .order_by(Project.id)
    ).all()


def open_projects_with_daily_update(session: Session) -> Sequence[Project]:
    """Projects not closed that ask for the daily update (当日进展)."""
    return session.scalars(
        select(Project).where(Project.daily_update_at.is_not(None), Project.closed_at.is_(None))
    ).all()


def daily_update_project_ids(session: Session) -> set[int]:
    """The ids of the projects with a daily update time, closed or not."""
    return set(session.scalars(select(Project.id).where(Project.daily_update_at.is_not(None))))


# --- figures ------------------------------------------------------------------------------------


def item_tallies(session: Session, today: date) -> dict[int, ProjectTally]:
    """Each project's items by state (overdue: due before ``today``): one grouped query,
    however many items there are. Projects without items are absent."""
    is_open = ActionItem.status.in_(OPEN_STATUSES)
    rows = session.execute(
        select(
            ActionItem.project_id,
            func.sum(case((is_open, 1), else_=0)),
            func.sum(case((is_open & (ActionItem.due_date < today), 1), else_=0)),
            func.sum(case((is_open & ActionItem.at_risk_since.is_not(None), 1), else_=0)),
            func.sum(case((ActionItem.status == ItemStatus.AWAITING_ACCEPTANCE, 1), else_=0)),
            func.sum(case((ActionItem.status == ItemStatus.DONE, 1), else_=0)),
        )
        .where(ActionItem.project_id.is_not(None))
        .group_by(ActionItem.project_id)
    ).all()
    return {row[0]: ProjectTally(*(int(n or 0) for n in row[1:])) for row in rows}
