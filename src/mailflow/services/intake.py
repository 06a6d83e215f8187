"""Meeting intake three ways, one result: the organiser's calendar invite, a MEETING: mail, a file.

Each intake parses (pure), checks who is asking, stores the meeting (``services/meetings``) and
answers the organiser once with a receipt: the meeting as understood, or what to fix. A meeting
with any problem is not created at all: nothing half-created.

Who may: a calendar invite counts only from its ORGANIZER (a forwarded invite is someone else's);
when the people directory is configured, organisers must be in it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.meeting import MeetingSpec
from mailflow.domain.meeting_draft import MeetingDraft, Problem
from mailflow.outbound import outbox
from mailflow.outbound.receipt import receipt_payload
from mailflow.services.meetings import IntakeResult, apply_spec
from mailflow.services.readers import directory_of, reader
from mailflow.tracker.models import MeetingSource

SOURCE_NAMES = {MeetingSource.ITIP: "itip", MeetingSource.MAIL: "mail", MeetingSource.CLI: "cli"}


@dataclasses.dataclass
class IntakeReport:
    """What one intake did, for the inbound record, the CLI and tests."""

    outcome: str  # created | updated | cancelled | ignored | rejected
    results: list[IntakeResult]
    problems: list[Problem]

    @property
    def summary(self) -> str:
        if self.problems:
            return f"rejected: {len(self.problems)} problem(s)"
        return ", ".join(
            f"{r.outcome} {r.spec.uid if r.spec else ''}".strip() for r in self.results
        )


def without_bot(spec: MeetingSpec, bot_address: str) -> MeetingSpec:
    """The organiser invited the bot as an attendee; the bot does not invite itself."""
    bot = bot_address.lower()
    kept = tuple(a for a in spec.attendees if a.email.lower() != bot)
    return dataclasses.replace(spec, attendees=kept)


def organiser_problems(spec: MeetingSpec, sender: str | None, config: Config) -> list[Problem]:
    problems: list[Problem] = []
    organiser = spec.organiser.email.lower()
    if sender is not None and sender.lower() != organiser:
        problems.append(
            Problem(
                "organiser",
                f"this invitation is organised by {organiser}, not by you ({sender})",
                "ask the organiser to invite the bot from their own calendar",
            )
        )
    if config.people.people and directory_of(config).by_email(organiser) is None:
        problems.append(
            Problem(
                "organiser",
                f"{organiser} is not in the people directory",
                "ask an administrator to add you to the people directory",
            )
        )
    return problems


_TOO_FREQUENT = re.compile(r"FREQ=(SECONDLY|MINUTELY|HOURLY)", re.IGNORECASE)


def recurrence_problems(spec: MeetingSpec) -> list[Problem]:
    """Meetings repeat at most daily: a SECONDLY rule would make every planning run expand
    millions of occurrences (a hostile .ics), so it is refused, not capped silently."""
    if spec.rrule and _TOO_FREQUENT.search(spec.rrule):
        return [
            Problem(
                "recurrence",
                f"a meeting cannot repeat that often ({spec.rrule})",
                "use a daily, weekly, monthly or yearly recurrence",
            )
        ]
    return []


def take_specs(
    session: Session,
    specs: Sequence[MeetingSpec],
    *,
    source: MeetingSource,
    sender: str | None,
    config: Config,
    now: datetime,
    receipt_to: str,
    receipt_key: str,
    in_reply_to: str | None = None,
    subject: str | None = None,
    notes: Sequence[str] = (),
) -> IntakeReport:
    """Store each spec (or reject them all) and enqueue one receipt to ``receipt_to``."""
    problems = [
        p
        for spec in specs
        for p in (*organiser_problems(spec, sender, config), *recurrence_problems(spec))
    ]
    results: list[IntakeResult] = []
    if not problems:
        for spec in specs:
            results.append(
                apply_spec(
                    session,
                    without_bot(spec, config.mail.bot_address),
                    source=source,
                    domain=config.mail.domain,
                    now=now,
                )
            )
    outcome = "rejected" if problems else (results[0].outcome if results else "ignored")
    first = results[0] if results else None
    _enqueue_receipt(
        session,
        config,
        now,
        to=receipt_to,
        key=receipt_key,
        outcome=outcome,
        spec=first.spec if first else (specs[0] if specs else None),
        previous=first.previous if first else None,
        problems=problems,
        notes=[*notes, *(n for r in results for n in r.notes)],
        source=source,
        in_reply_to=in_reply_to,
        subject=subject,
    )
    return IntakeReport(outcome, results, problems)


def take_draft(
    session: Session,
    draft: MeetingDraft,
    *,
    source: MeetingSource,
    organiser: str,
    config: Config,
    now: datetime,
    receipt_key: str,
    in_reply_to: str | None = None,
    subject: str | None = None,
) -> IntakeReport:
    """A parsed "MEETING:" mail or meeting file: created only when it has no problem."""
    if draft.ok and draft.spec is not None:
        return take_specs(
            session,
            [draft.spec],
            source=source,
            sender=organiser,
            config=config,
            now=now,
            receipt_to=organiser,
            receipt_key=receipt_key,
            in_reply_to=in_reply_to,
            subject=subject,
            notes=draft.notes,
        )
    _enqueue_receipt(
        session,
        config,
        now,
        to=organiser,
        key=receipt_key,
        outcome="rejected",
        spec=draft.spec,
        previous=None,
        problems=draft.problems,
        notes=draft.notes,
        source=source,
        in_reply_to=in_reply_to,
        subject=subject,
    )
    return IntakeReport("rejected", [], list(draft.problems))


def _enqueue_receipt(
    session: Session,
    config: Config,
    now: datetime,
    *,
    to: str,
    key: str,
    outcome: str,
    spec: MeetingSpec | None,
    previous: MeetingSpec | None,
    problems: Sequence[Problem],
    notes: Sequence[str],
    source: MeetingSource,
    in_reply_to: str | None,
    subject: str | None,
) -> None:
    who = reader(config, to)
    payload = receipt_payload(
        outcome=outcome,  # type: ignore[arg-type]
        spec=spec,
        previous=previous,
        problems=problems,
        notes=notes,
        locale=who.locale,
        timezone=who.timezone,
        source=SOURCE_NAMES[source],  # type: ignore[arg-type]
        in_reply_to=in_reply_to,
        subject=subject,
    )
    outbox.enqueue(
        session, key=f"receipt:{key}", kind="receipt", recipients=[to], payload=payload, now=now
    )
