"""When a mail cannot be delivered for good, the meeting's organiser is told: nothing fails
silently. (The operator sees the row in ``mailflow status``.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.readers import reader
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers import answer_texts as texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.tracker.models import Meeting


def tell_organiser(
    session: Session,
    config: Config,
    *,
    row_id: int,
    kind: str,
    recipients: Sequence[str],
    meeting_id: int | None,
    error: str,
    now: datetime,
) -> bool:
    """Queue one note to the organiser of ``meeting_id`` that the mail ``row_id`` to
    ``recipients`` failed with ``error``; nothing for mail without a meeting, or to the organiser
    about their own address (that note would fail the same way). True when queued."""
    if meeting_id is None:
        return False
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return False
    organiser = meeting.organiser_email
    if organiser.lower() in {r.lower() for r in recipients}:
        return False
    locale = reader(config, organiser).locale
    return outbox.enqueue(
        session,
        key=f"undelivered:{row_id}",
        recipients=[organiser],
        payload=answer_payload(
            locale=locale,
            subject=texts.undelivered_subject(locale, meeting.title),
            paragraphs=texts.undelivered(locale, meeting.title, list(recipients), kind, error),
        ),
        now=now,
        meeting_id=meeting_id,
    )
