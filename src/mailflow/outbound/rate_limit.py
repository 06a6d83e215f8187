"""The per-recipient hourly limit: never more than N mails to one address in any hour.

Every delivered recipient is logged (``send_log``); before a row is sent, each of its recipients'
sends in the past hour are counted. A row over the limit is deferred to when the oldest of those
sends leaves the window, without counting a failed attempt: the mail is late, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mailflow.tracker.models import SendLog

WINDOW = timedelta(hours=1)
KEEP = timedelta(days=1)


def blocked_until(
    session: Session, recipients: Sequence[str], *, now: datetime, limit: int
) -> datetime | None:
    """When the row may go, if any recipient is at the limit; None when it may go now."""
    if limit <= 0:
        return None
    latest: datetime | None = None
    for recipient in {r.lower() for r in recipients}:
        recent = select(SendLog.sent_at).where(
            SendLog.recipient == recipient, SendLog.sent_at > now - WINDOW
        )
        count = session.scalar(select(func.count()).select_from(recent.subquery())) or 0
        if count >= limit:
            # The slot frees when the (count - limit + 1)-th oldest send leaves the window.
            times = sorted(session.scalars(recent))
            frees = times[count - limit] + WINDOW
            latest = frees if latest is None or frees > latest else latest
    return latest


def record(session: Session, recipients: Sequence[str], *, now: datetime) -> None:
    for recipient in {r.lower() for r in recipients}:
        session.add(SendLog(recipient=recipient, sent_at=now))


def prune(session: Session, *, now: datetime) -> None:
    session.execute(delete(SendLog).where(SendLog.sent_at < now - KEEP))
