"""A hard bounce marks the address as failing and tells each affected organiser once.

Temporary failures (4.x.x, "delayed" warnings) change nothing: the message may still arrive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.outbound.kinds.answers.answer_texts import bounce_notice
from mailflow.services.replies import locale_of
from mailflow.tracker import meeting_repo, people_repo
from mailflow.tracker.models import Meeting, Person


def record_hard_bounce(
    session: Session,
    config: Config,
    *,
    recipients: Sequence[str],
    reason: str,
    now: datetime,
) -> int:
    """Mark each address failing; queue one notice per (address, organiser). Returns notices."""
    notices = 0
    for address in {r.lower() for r in recipients}:
        person = people_repo.person_by_email(session, address)
        if person is None:
            person = Person(email=address, bounce_count=0, created_at=now, updated_at=now)
            session.add(person)
        people_repo.mark_failing(session, person, now)
        person.bounce_count += 1
        person.last_bounce_at = now
        person.last_bounce_reason = reason[:2000]
        person.updated_at = now
        notices += _tell_organisers(session, config, address, reason, now)
    return notices


def _tell_organisers(
    session: Session, config: Config, address: str, reason: str, now: datetime
) -> int:
    meetings = meeting_repo.upcoming_inviting(session, address, now)
    by_organiser: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_organiser[meeting.organiser_email].append(meeting)
    told = 0
    for organiser, affected in by_organiser.items():
        locale = locale_of(config, organiser)
        payload = answer_payload(
            locale=locale,
            subject=f"Bounce: {address}" if not locale.startswith("zh") else f"退信：{address}",
            paragraphs=bounce_notice(locale, address, reason, [m.title for m in affected]),
        )
        told += outbox.enqueue(
            session,
            key=f"bounce:{address}:{organiser}",
            recipients=[organiser],
            payload=payload,
            now=now,
            meeting_id=affected[0].id,
        )
    return told
