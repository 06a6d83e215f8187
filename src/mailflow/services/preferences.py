"""People's mail preferences kept in the tracker: opting out of reminders (STOP REMINDERS).

Opting out stops non-essential mail only (reminders, weekly progress requests and nudges); a person
still receives notices, minutes, assignments, answers, and escalations addressed to them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from mailflow.tracker import people_repo
from mailflow.tracker.models import Person


def tracked_person(session: Session, email: str, now: datetime) -> Person:
    email = email.lower()
    person = people_repo.person_by_email(session, email)
    if person is None:
        person = Person(email=email, bounce_count=0, created_at=now, updated_at=now)
        session.add(person)
    return person


def stop_reminders(session: Session, email: str, now: datetime) -> bool:
    """Opt ``email`` out; True when it was opted in before."""
    person = tracked_person(session, email, now)
    changed = not person.reminders_opt_out
    person.reminders_opt_out = True
    person.updated_at = now
    return changed


def opted_out(session: Session) -> set[str]:
    """Who gets no reminders: who asked for none, and whose address hard-bounces (until they
    write again; the organisers were told of the bounce)."""
    return people_repo.reminders_withheld(session)


def heard_from(session: Session, address: str, now: datetime) -> None:
    """A person wrote: their address works again, whatever bounced before."""
    if not address:
        return
    people_repo.clear_failing(session, address.lower(), now)
