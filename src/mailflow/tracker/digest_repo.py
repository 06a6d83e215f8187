"""What the executive digests read, and which periodic mails are queued already.

A digest covers every item and meeting in its executive's departments, so it reads them whole;
it is planned once per period, which the outbox keys tell
(:func:`~mailflow.tracker.mail_log_repo.queued_keys`). Each function takes the caller's
``Session`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailflow.tracker.models import ActionItem, Decision, ItemHistory, Meeting, OutboxRow


def previous_digest(session: Session, email: str, period: str) -> OutboxRow | None:
    """The newest ``period`` digest (``daily`` or ``weekly``) queued for ``email``."""
    rows = session.scalars(
        select(OutboxRow)
        .where(OutboxRow.kind == "digest", OutboxRow.idempotency_key.like(f"digest:{period}:%"))
        .order_by(OutboxRow.created_at.desc())
    )
    # Read newest first and stopped at the first match: older digests are not loaded.
    return next((r for r in rows if r.recipients and r.recipients[0] == email), None)


def every_item(session: Session, *, by_id: bool = False) -> list[ActionItem]:
    """Every item, in the database's order (``by_id``: by id)."""
    query = select(ActionItem)
    if by_id:
        query = query.order_by(ActionItem.id)
    return list(session.scalars(query))


def every_meeting(session: Session) -> dict[int, Meeting]:
    """Every meeting, by id."""
    return {m.id: m for m in session.scalars(select(Meeting))}


def every_decision(session: Session) -> list[Decision]:
    """Every decision recorded, oldest first."""
    return list(session.scalars(select(Decision).order_by(Decision.id)))


def daily_reports_since(
    session: Session, item_ids: Collection[int], since: datetime
) -> dict[int, int]:
    """How many daily reports (当日进展) each of ``item_ids`` received after ``since``; items
    without one are absent."""
    rows = session.execute(
        select(ItemHistory.item_id, func.count())
        .where(
            ItemHistory.kind == "daily",
            ItemHistory.at > since,
            ItemHistory.item_id.in_(item_ids),
        )
        .group_by(ItemHistory.item_id)
    )
    return {item_id: count for item_id, count in rows}
