"""A project's board from the tracker: counts in the database, only the shown cards read.

A 5,000-item project is answered by five queries (benchmarks/web_board.py: p95 under 150 ms):
the counts per department, status, overdue, at risk and on time, grouped in the database; the
first cards of every column (ids numbered per status, a narrow sort, then those rows read whole);
the open items due soonest for the timeline; and the departments and owners to filter by. Scoped
like every board query (:mod:`mailflow.tracker.board_repo`); a project's coordinator and the
executives see all of it without a per-item test.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Date, and_, case, cast, func, select, true
from sqlalchemy.orm import Session

from mailflow.domain.board_access import Viewer
from mailflow.tracker.board_repo import ITEM_COLUMNS, SOONEST, board_item, item_scope
from mailflow.tracker.board_rows import BoardData, BoardItem, StatusCount
from mailflow.tracker.models import ActionItem, ItemStatus, Project

_OPEN = (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.DELAYED)


def project_board(
    session: Session,
    viewer: Viewer,
    project_id: int,
    *,
    today: date,
    statuses: Sequence[str],
    department: str | None = None,
    owner: str | None = None,
    per_column: int | None = 100,
    timeline_rows: int = 40,
) -> BoardData:
    """The board of one project for ``viewer``, narrowed to ``department`` and ``owner``.

    A 5,000-item project is answered by about ten small queries (counts grouped in the database,
    at most ``per_column`` cards per column), never by loading every item.
    """
    coordinator = session.scalar(select(Project.coordinator_email).where(Project.id == project_id))
    # A coordinator (or an executive) sees the whole project: no per-item scope to test.
    whole = viewer.everything or coordinator == viewer.email
    seen = and_(
        true() if whole else item_scope(viewer),
        ActionItem.project_id == project_id,
        ActionItem.status != ItemStatus.CANCELLED,
    )
    where = [seen]
    if department:
        where.append(ActionItem.department == department)
    if owner:
        where.append(ActionItem.owner_email == owner.strip().lower())
    late = and_(ActionItem.status.in_(_OPEN), ActionItem.due_date < today)
    overdue = case((late, 1), else_=0)
    risky = case((ActionItem.at_risk_since.is_not(None), 1), else_=0)
    finished = func.coalesce(ActionItem.last_update_at, ActionItem.updated_at)
    finished_on = (
        func.date(finished) if session.get_bind().dialect.name == "sqlite" else cast(finished, Date)
    )
    done = and_(ActionItem.status == ItemStatus.DONE, ActionItem.due_date.is_not(None))
    timing = case(
        (and_(done, finished_on <= ActionItem.due_date), "on_time"), (done, "late"), else_=""
    )
    counts = [
        StatusCount(
            row.department or "",
            str(getattr(row.status, "value", row.status)),
            bool(row.overdue),
            bool(row.risky),
            row.timing,
            row.n,
        )
        for row in session.execute(
            select(
                ActionItem.department,
                ActionItem.status,
                overdue.label("overdue"),
                risky.label("risky"),
                timing.label("timing"),
                func.count().label("n"),
            )
            .where(*where)
            .group_by(ActionItem.department, ActionItem.status, overdue, risky, timing)
        )
    ]
    # The first cards of every column in one pass: the ids numbered per status, soonest due
    # first (a narrow sort), then only the picked rows read whole.
    rank = func.row_number().over(partition_by=ActionItem.status, order_by=SOONEST)
    ranked = (
        select(ActionItem.id.label("id"), rank.label("rank"))
        .where(*where, ActionItem.status.in_(statuses))
        .subquery()
    )
    cards = select(*ITEM_COLUMNS).join(ranked, ranked.c.id == ActionItem.id).order_by(ranked.c.rank)
    if per_column is not None:
        cards = cards.where(ranked.c.rank <= per_column)
    columns: dict[str, list[BoardItem]] = {status: [] for status in statuses}
    for row in session.execute(cards):
        item = board_item(row)
        columns[item.status].append(item)
    timeline = [
        board_item(row)
        for row in session.execute(
            select(*ITEM_COLUMNS)
            .where(*where, ActionItem.status != ItemStatus.DONE, ActionItem.due_date.is_not(None))
            .order_by(ActionItem.due_date, ActionItem.ref)
            .limit(timeline_rows)
        )
    ]
    choices = session.execute(
        select(ActionItem.department, ActionItem.owner_email).where(seen).distinct()
    ).all()
    return BoardData(
        columns=columns,
        counts=counts,
        timeline=timeline,
        departments=sorted({row.department for row in choices if row.department}),
        owners=sorted({row.owner_email for row in choices}),
    )
