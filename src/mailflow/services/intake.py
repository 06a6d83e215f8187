"""Meeting intake three ways, one result: the organiser's calendar invite, a MEETING: mail, a file.

Each intake parses (pure), checks who is asking, stores the meeting (``services/meetings``) and
answers the organiser once with a receipt: the meeting as understood, or what to fix. A meeting
with any problem is not created at all: nothing half-created.

Who may (see the README's "Who may change or cancel a meeting"):

- a new meeting: from its ORGANIZER (or a configured delegate), who must be in the people
  directory when one is configured; a calendar REQUEST also needs mailflow (or one of
  ``[meetings] mailboxes``) among its attendees, or its organiser in the directory;
- a change or cancel of a stored meeting: only from the organiser stored for that UID (or their
  delegate), the incoming ORGANIZER unchanged, compared after alias domains. Anything else is
  refused: the sender is told why and the real organiser is told who tried (an ``Intrusion``);
- mailflow's own invitation UID (which every attendee holds) never names a meeting to change;
- a recurrence rule within ``[meetings]`` limits (:mod:`mailflow.domain.recurrence_limits`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.domain.meeting_draft import MeetingDraft, Problem
from mailflow.domain.readers import directory_of, reader
from mailflow.domain.recurrence_limits import RecurrenceLimits, recurrence_problem
from mailflow.domain.series import merge_events
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers import answer_texts as texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.outbound.kinds.meetings.receipt import receipt_payload
from mailflow.outbound.kinds.meetings.receipt_data import CalendarReply
from mailflow.services.meetings import IntakeResult, apply_spec, find_by_invite_uid, find_meeting
from mailflow.services.projects import link_meeting
from mailflow.tracker.models import Meeting, MeetingSource, MeetingStatus

SOURCE_NAMES = {MeetingSource.ITIP: "itip", MeetingSource.MAIL: "mail", MeetingSource.CLI: "cli"}


@dataclasses.dataclass(frozen=True)
class Intrusion:
    """Someone not the organiser tried to change or cancel a stored meeting: the organiser hears."""

    organiser: str
    title: str
    sender: str
    action: str  # "cancel" | "change"
    meeting_id: int


@dataclasses.dataclass
class IntakeReport:
    """What one intake did, for the inbound record, the CLI and tests."""

    outcome: str  # created | updated | cancelled | ignored | rejected
    results: list[IntakeResult]
    problems: list[Problem]
    intrusions: list[Intrusion] = dataclasses.field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.problems:
            refused = f", {len(self.intrusions)} intrusion(s)" if self.intrusions else ""
            return f"rejected: {len(self.problems)} problem(s){refused}"
        return ", ".join(
            f"{r.outcome} {r.spec.uid if r.spec else ''}".strip() for r in self.results
        )


def without_bot(spec: MeetingSpec, config: Config) -> MeetingSpec:
    """The organiser invited the bot as an attendee; the bot does not invite itself."""
    kept = tuple(a for a in spec.attendees if not is_mailflow(a.email, config))
    return dataclasses.replace(spec, attendees=kept)


def is_mailflow(address: str, config: Config) -> bool:
    """``address`` is mailflow's own (its bot address, a plus-address of it, a configured
    mailbox), compared after alias domains."""
    ids = directory_of(config).identities
    local, _, domain = ids.canonical(address).rpartition("@")
    plain = f"{local.split('+', 1)[0]}@{domain}"
    own = {ids.canonical(config.mail.bot_address), *map(ids.canonical, config.meetings.mailboxes)}
    return plain in own


def invited_address(spec: MeetingSpec, config: Config) -> AttendeeSpec | None:
    """The attendee of ``spec`` that is mailflow, as the organiser wrote it (for the REPLY)."""
    return next((a for a in spec.attendees if is_mailflow(a.email, config)), None)


def acts_for(sender: str | None, organiser: str, config: Config) -> bool:
    """``sender`` is ``organiser`` or one of their configured delegates."""
    ids = directory_of(config).identities
    if ids.same(sender, organiser):
        return True
    helpers = dict(config.meetings.delegates).get(ids.canonical(organiser), ())
    return any(ids.same(sender, helper) for helper in helpers)


def with_chair(spec: MeetingSpec) -> MeetingSpec:
    """A MEETING: mail's or file's organiser gets mailflow's invitation too: as its chair, already
    accepted, so their calendar shows the meeting without asking them to answer it."""
    organiser = spec.organiser.email.lower()
    others = tuple(a for a in spec.attendees if a.email.lower() != organiser)
    chair = AttendeeSpec(spec.organiser.email, spec.organiser.name, "CHAIR", "ACCEPTED")
    return dataclasses.replace(spec, attendees=(chair, *others))


def organiser_problems(
    session: Session, spec: MeetingSpec, sender: str | None, config: Config
) -> tuple[list[Problem], Intrusion | None]:
    """Who may: see the module docstring. An intrusion is a refused change to a stored meeting."""
    organiser = spec.organiser.email.lower()
    action = "cancel" if spec.status == "CANCELLED" else "change"
    stored = find_meeting(session, spec.uid)
    own = find_by_invite_uid(session, spec.uid) if stored is None else None
    if own is not None:
        text = (
            f"this is mailflow's own invitation to “{own.title}”, organised by "
            f"{own.organiser_email}: an attendee's calendar cannot {action} the meeting"
        )
        hint = f"ask {own.organiser_email} to {action} it from their calendar"
        return [Problem("organiser", text, hint)], _intrusion(own, sender, action)
    if stored is not None:
        owner = stored.organiser_email
        if acts_for(sender, owner, config) and directory_of(config).identities.same(
            organiser, owner
        ):
            return [], None
        text = f"“{stored.title}” is organised by {owner}: only they can {action} it"
        if sender is not None and acts_for(sender, owner, config):
            text = f"the organiser of “{stored.title}” cannot change (ORGANIZER {organiser})"
        hint = f"ask {owner} to {action} it from their calendar"
        return [Problem("organiser", text, hint)], _intrusion(stored, sender, action)
    problems: list[Problem] = []
    if sender is not None and not acts_for(sender, organiser, config):
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
    return problems, None


def _intrusion(meeting: Meeting, sender: str | None, action: str) -> Intrusion | None:
    if meeting.status is MeetingStatus.CANCELLED and action == "cancel":
        return None
    return Intrusion(meeting.organiser_email, meeting.title, sender or "?", action, meeting.id)


def invitation_problems(spec: MeetingSpec, config: Config) -> list[Problem]:
    """A calendar REQUEST makes a meeting only when mailflow was invited to it, or its organiser
    is a configured one: an event sent to the inbox for another reason is not a request to run it.
    """
    if invited_address(spec, config) is not None:
        return []
    if config.people.people and directory_of(config).by_email(spec.organiser.email):
        return []
    return [
        Problem(
            "attendees",
            f"mailflow ({config.mail.bot_address}) is not among the attendees of this invitation",
            f"add {config.mail.bot_address} as an attendee in your calendar and send it again",
        )
    ]


def recurrence_problems(spec: MeetingSpec, config: Config) -> list[Problem]:
    """A rule beyond ``[meetings]`` limits is refused, never capped silently (see
    :mod:`mailflow.domain.recurrence_limits`)."""
    if not spec.rrule or spec.status == "CANCELLED":
        return []
    limits = RecurrenceLimits(
        per_day=config.meetings.max_occurrences_per_day,
        per_year=config.meetings.max_occurrences_per_year,
    )
    problem = recurrence_problem(spec.rrule, spec.start, limits)
    if problem is None:
        return []
    return [
        Problem(
            "recurrence",
            problem,
            "use a daily, weekly, monthly or yearly recurrence with at most "
            f"{limits.per_day} meeting(s) a day",
        )
    ]


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
    automatic: bool = False,
) -> IntakeReport:
    """Store each spec (or reject them all) and enqueue one receipt to ``receipt_to`` (none to a
    machine); an intrusion is also told to the meeting's real organiser."""
    if source is MeetingSource.ITIP:
        specs = merge_events(specs)
    problems: list[Problem] = []
    intrusions: list[Intrusion] = []
    for spec in specs:
        found, intrusion = organiser_problems(session, spec, sender, config)
        problems.extend(found)
        if intrusion is not None:
            intrusions.append(intrusion)
        elif (
            not found
            and source is MeetingSource.ITIP
            and spec.status != "CANCELLED"
            and find_meeting(session, spec.uid) is None
        ):
            problems.extend(invitation_problems(spec, config))
        problems.extend(recurrence_problems(spec, config))
    results: list[IntakeResult] = []
    if not problems:
        for spec in specs:
            if source is not MeetingSource.ITIP:
                spec = with_chair(spec)
            result = apply_spec(
                session,
                without_bot(spec, config),
                source=source,
                domain=config.mail.domain,
                now=now,
            )
            if result.meeting is not None and result.outcome in ("created", "updated"):
                link_meeting(session, result.meeting, spec.extra, now=now, notes=result.notes)
            results.append(result)
    outcome = "rejected" if problems else (results[0].outcome if results else "ignored")
    first = results[0] if results else None
    shown = first.spec if first else (specs[0] if specs else None)
    if not automatic:
        _enqueue_receipt(
            session,
            config,
            now,
            to=receipt_to,
            key=receipt_key,
            outcome=outcome,
            spec=shown,
            previous=first.previous if first else None,
            problems=problems,
            notes=[*notes, *(n for r in results for n in r.notes)],
            source=source,
            in_reply_to=in_reply_to,
            subject=subject,
            calendar_reply=_calendar_reply(specs, outcome, problems, config, source),
        )
    for intrusion in intrusions:
        _tell_organiser(session, config, intrusion, now, receipt_key)
    return IntakeReport(outcome, results, problems, intrusions)


def _calendar_reply(
    specs: Sequence[MeetingSpec],
    outcome: str,
    problems: Sequence[Problem],
    config: Config,
    source: MeetingSource,
) -> CalendarReply | None:
    """mailflow's iTIP REPLY to the organiser's invitation: ACCEPTED when the meeting was taken,
    DECLINED (with the reason) when not, so the organiser's calendar shows mailflow's answer."""
    if source is not MeetingSource.ITIP or not specs or outcome in ("cancelled", "ignored"):
        return None
    spec = specs[0]
    if spec.status == "CANCELLED":
        return None
    invited = invited_address(spec, config)
    if invited is None:
        return None  # not invited: there is nothing to answer in the organiser's calendar
    declined = outcome == "rejected"
    return CalendarReply(
        attendee=invited.email,
        name=invited.name or config.mail.bot_name,
        partstat="DECLINED" if declined else "ACCEPTED",
        comment="; ".join(p.text for p in problems)[:900] if declined else None,
    )


def _tell_organiser(
    session: Session, config: Config, intrusion: Intrusion, now: datetime, key: str
) -> None:
    locale = reader(config, intrusion.organiser).locale
    outbox.enqueue_soon(
        session,
        key=f"intrusion:{key}:{intrusion.meeting_id}",
        recipients=[intrusion.organiser],
        payload=answer_payload(
            locale=locale,
            subject=texts.intrusion_subject(locale, intrusion.title),
            paragraphs=texts.intrusion(locale, intrusion.title, intrusion.sender, intrusion.action),
        ),
        now=now,
        meeting_id=intrusion.meeting_id,
    )


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
    calendar_reply: CalendarReply | None = None,
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
        calendar_reply=calendar_reply,
    )
    outbox.enqueue(session, key=f"receipt:{key}", recipients=[to], payload=payload, now=now)
