"""Reading minutes and what they decided: versions, decisions and disputes of a meeting.

Each function takes the caller's ``Session`` and leaves committing to the caller.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.tracker.models import Decision, Dispute, Minutes


def latest_minutes(session: Session, meeting_id: int, *, published: bool = False) -> Minutes | None:
    """The meeting's latest minutes version; with ``published``, the latest one not held."""
    query = select(Minutes).where(Minutes.meeting_id == meeting_id)
    if published:
        query = query.where(Minutes.held_reason.is_(None))
    return session.scalar(query.order_by(Minutes.version.desc()))


def published_other_than(session: Session, meeting_id: int, minutes_id: int) -> bool:
    """Whether the meeting has published minutes (not held) other than ``minutes_id``."""
    found = session.scalar(
        select(Minutes.id).where(
            Minutes.meeting_id == meeting_id,
            Minutes.held_reason.is_(None),
            Minutes.id != minutes_id,
        )
    )
    return found is not None


def decisions_of(session: Session, meeting_id: int) -> list[Decision]:
    return list(session.scalars(select(Decision).where(Decision.meeting_id == meeting_id)))


def disputes_of(session: Session, meeting_id: int) -> list[Dispute]:
    return list(session.scalars(select(Dispute).where(Dispute.meeting_id == meeting_id)))
