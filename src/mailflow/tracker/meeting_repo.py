"""Reading meetings: by UID, by thread, and the indexed windows the planners and handlers need.

Each function takes the caller's ``Session`` and leaves committing to the caller. Time is an
argument (``now``); nothing here reads the clock. The planners' queries read only due work (the
``ends_at`` and ``rrule`` indexes), never every meeting there was.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from mailflow.tracker.models import Attendee, Meeting, MeetingRevision, MeetingStatus

# Built once: every calendar answer looks its meeting up, and building costs more than running.
_BY_UID = select(Meeting).where(Meeting.uid == bindparam("uid"))
_BY_INVITE_UID = select(Meeting).where(Meeting.invite_uid == bindparam("uid"))
_BY_THREAD_ROOT = select(Meeting).where(Meeting.thread_root.in_(bindparam("ids", expanding=True)))


def meeting_by_uid(session: Session, uid: str) -> Meeting | None:
    return session.scalar(_BY_UID, {"uid": uid})


def meeting_by_invite_uid(session: Session, invite_uid: str) -> Meeting | None:
    return session.scalar(_BY_INVITE_UID, {"uid": invite_uid})


def meeting_by_thread_root(session: Session, message_ids: Sequence[str]) -> Meeting | None:
    """A meeting whose thread starts at one of ``message_ids`` (the database's first match)."""
    return session.scalar(_BY_THREAD_ROOT, {"ids": list(message_ids)})


def revision_spec(session: Session, meeting: Meeting, sequence: int) -> dict[str, Any] | None:
    """The stored spec (JSON) of ``meeting`` as its invite ``sequence`` described it."""
    return session.scalar(
        select(MeetingRevision.spec).where(
            MeetingRevision.meeting_id == meeting.id, MeetingRevision.invite_sequence == sequence
        )
    )


def meetings_by_id(session: Session, ids: Collection[int]) -> dict[int, Meeting]:
    """The meetings with ``ids``, by id: only those."""
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Meeting).where(Meeting.id.in_(ids)))}


def not_over_or_series(
    session: Session, now: datetime, statuses: Collection[MeetingStatus]
) -> list[Meeting]:
    """Meetings with one of ``statuses`` not yet over, and series (whose next occurrence may be
    ahead), by id, their attendees loaded. Two indexed queries (``ends_at``; series by
    ``rrule``), their attendees loaded with them in one more each."""
    wanted = tuple(statuses)
    ahead = session.scalars(
        select(Meeting)
        .where(Meeting.ends_at > now, Meeting.status.in_(wanted))
        .options(selectinload(Meeting.attendees))
    ).all()
    # "rrule > ''" rather than IS NOT NULL: a range both SQLite and PostgreSQL read from the
    # rrule index (IS NOT NULL would scan every meeting on SQLite).
    series = session.scalars(
        select(Meeting)
        .where(Meeting.rrule > "", Meeting.status.in_(wanted))
        .options(selectinload(Meeting.attendees))
    ).all()
    return sorted({m.id: m for m in [*ahead, *series]}.values(), key=lambda m: m.id)


def ended_within(session: Session, now: datetime, window: timedelta) -> list[Meeting]:
    """Meetings (any status, series too) that ended in the ``window`` before ``now``, by the
    ``ends_at`` index; the caller filters status and series in Python, where "rrule IS NULL"
    cannot tempt SQLite's planner into the rrule index and every single meeting ever held."""
    return list(
        session.scalars(
            select(Meeting).where(Meeting.ends_at <= now, Meeting.ends_at > now - window)
        )
    )


def minutes_candidates(
    session: Session, sender: str, now: datetime, *, since: timedelta, ahead: timedelta
) -> list[Meeting]:
    """Scheduled meetings ``sender`` organises or scribes that started between ``since`` before
    ``now`` and ``ahead`` after it, and their series, newest first."""
    return list(
        session.scalars(
            select(Meeting)
            .where(
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at <= now + ahead,
                # A series started long ago still meets: its minutes belong to it.
                (Meeting.starts_at >= now - since) | Meeting.rrule.is_not(None),
                (Meeting.organiser_email == sender) | (Meeting.scribe_email == sender),
            )
            .order_by(Meeting.starts_at.desc())
        )
    )


def upcoming_inviting(session: Session, address: str, now: datetime) -> list[Meeting]:
    """Scheduled meetings not yet over to which ``address`` is invited (not removed)."""
    # A subquery rather than DISTINCT: PostgreSQL cannot compare the JSON columns DISTINCT needs.
    invited = select(Attendee.meeting_id).where(
        Attendee.email == address, Attendee.removed_at.is_(None)
    )
    return list(
        session.scalars(
            select(Meeting).where(
                Meeting.id.in_(invited),
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.ends_at > now,
            )
        )
    )
