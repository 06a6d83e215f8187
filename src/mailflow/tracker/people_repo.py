"""The people the tracker knows by address: their bounces and mail preferences.

Each function takes the caller's ``Session`` and leaves committing to the caller. Addresses are
stored lower-case; callers pass them so. Time is an argument (``now``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mailflow.tracker.models import Person
from mailflow.tracker.session_memo import forget, remembered


def person_by_email(session: Session, email: str) -> Person | None:
    return session.scalar(select(Person).where(Person.email == email))


def reminders_withheld(session: Session) -> set[str]:
    """Addresses that opted out of reminders or whose mail is failing (hard bounces)."""
    return set(
        session.scalars(
            select(Person.email).where(
                Person.reminders_opt_out.is_(True) | Person.failing_since.is_not(None)
            )
        )
    )


_FAILING = "failing_addresses"


def failing_addresses(session: Session) -> set[str]:
    """The addresses whose mail is failing (hard bounces): few, read once per transaction."""
    return remembered(
        session,
        _FAILING,
        lambda: set(session.scalars(select(Person.email).where(Person.failing_since.is_not(None)))),
    )


def mark_failing(session: Session, person: Person, now: datetime) -> None:
    """``person``'s mail bounced for good: failing since the first time (kept if already)."""
    person.failing_since = person.failing_since or now
    forget(session, _FAILING)


def clear_failing(session: Session, email: str, now: datetime) -> None:
    """Forget that ``email`` was failing: one UPDATE when it was, nothing at all when it was not
    (every reply asks, so the common case costs no statement)."""
    failing = failing_addresses(session)
    if email not in failing:
        return
    session.execute(
        update(Person)
        .where(Person.email == email, Person.failing_since.is_not(None))
        .values(failing_since=None, updated_at=now)
    )
    failing.discard(email)
