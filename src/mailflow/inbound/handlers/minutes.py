"""Inbound minutes and item replies: the scribe's minutes, owners' commands on their items.

Minutes count only from the meeting's scribe or organiser; item commands only from the item's
owner or the meeting's organiser/scribe (checked per item in ``services/items``).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from mailflow.domain.business_calendar import calendar_for
from mailflow.domain.item_commands import parse_item_commands
from mailflow.domain.minutes import MinutesDoc, hold_reason
from mailflow.domain.minutes import Problem as MinutesProblem
from mailflow.domain.minutes_match import Candidate, Mail, choose
from mailflow.domain.minutes_parser import parse_minutes
from mailflow.domain.minutes_response import MinutesResponse
from mailflow.domain.readers import directory_of
from mailflow.inbound.handlers.apply import ApplyContext, Outcome, refs
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import Classification
from mailflow.inbound.understanding.deliverables import attached_files
from mailflow.inbound.understanding.minutes_source import minutes_source, system_notes
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers import answer_texts as texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.outbound.kinds.items.items_mail import item_receipt_payload
from mailflow.services.acceptance import request_acceptance, tell_owner_of_verdict
from mailflow.services.issues import tell_escalation
from mailflow.services.items import apply_item_commands
from mailflow.services.minutes import (
    apply_minutes,
    doc_from_content,
    latest_minutes,
    publish_held,
)
from mailflow.services.minutes_mails import announce_minutes, assign, item_row
from mailflow.services.replies import answer, is_automatic, locale_of
from mailflow.services.requests import announce as announce_requests
from mailflow.tracker import meeting_repo, repo
from mailflow.tracker.models import Meeting

MINUTES_KINDS = {"minutes_skeleton", "minutes_receipt", "minutes_reminder", "official_minutes"}
ITEM_KINDS = {"item_assignment", "item_receipt", "acceptance_request", "at_risk_prompt"}


def leads(meeting: Meeting) -> set[str]:
    return {meeting.organiser_email.lower(), (meeting.scribe_email or "").lower()} - {""}


def read_minutes(ctx: ApplyContext, meeting: Meeting, mail: InboundMail) -> MinutesDoc:
    """The minutes in ``mail`` (its text, tables and attachments), dated from the meeting."""
    source = minutes_source(mail)
    doc = parse_minutes(
        source.text,
        meeting_start=meeting.starts_at.astimezone(ZoneInfo(meeting.tzid)),
        directory=directory_of(ctx.config),
        calendar=calendar_for(ctx.config.schedule.calendar),
        tables=source.tables,
        sender=mail.sender,
    )
    if source.problems:
        doc = dataclasses.replace(doc, problems=(*doc.problems, *source.problems))
    return bounded(doc)


# One minutes mail makes at most this many items and lists at most this many lines it could not
# use: real minutes have dozens; 10,000 ACTION lines would mail every attendee a 17 MiB page.
MAX_ACTIONS = 300
MAX_LISTED_PROBLEMS = 200
MAX_COMMANDS = 100


def bounded(doc: MinutesDoc) -> MinutesDoc:
    """``doc`` within the limits above; whatever is cut is said in one line of its own."""
    actions, problems = doc.actions, list(doc.problems)
    if len(actions) > MAX_ACTIONS:
        extra = len(actions) - MAX_ACTIONS
        problems.insert(
            0,
            MinutesProblem(
                f"{extra} more action items",
                f"one minutes mail records at most {MAX_ACTIONS} action items; "
                f"the first {MAX_ACTIONS} were recorded, the other {extra} not",
                "send the rest as a correction in smaller parts, or split the meeting's minutes",
                code="too_many_items",
            ),
        )
        actions = actions[:MAX_ACTIONS]
    if len(problems) > MAX_LISTED_PROBLEMS:
        rest = len(problems) - MAX_LISTED_PROBLEMS + 1
        problems = problems[: MAX_LISTED_PROBLEMS - 1]
        problems.append(
            MinutesProblem(
                f"… {rest} more lines",
                f"{rest} more lines could not be used either; they are not listed one by one",
                "check the minutes for lines written like the ones above",
                code="too_many_problems",
            )
        )
    if actions is doc.actions and len(problems) == len(doc.problems):
        return doc
    return dataclasses.replace(doc, actions=actions, problems=tuple(problems))


def has_minutes(doc: MinutesDoc) -> bool:
    return bool(doc.decisions or doc.actions or doc.disputes or doc.next_meeting or doc.info)


def take_minutes(
    ctx: ApplyContext, mail: InboundMail, meeting: Meeting, doc: MinutesDoc, text: str
) -> Outcome:
    """Record the minutes in ``mail``; apply and announce them, or hold them for PUBLISH."""
    held = hold_reason(doc, forwarded_summary=minutes_source(mail).forwarded_summary)
    result = apply_minutes(
        ctx.session,
        meeting,
        doc,
        raw_text=text,
        submitted_by=mail.sender,
        source_message_id=mail.message_id,
        directory=directory_of(ctx.config),
        now=ctx.now,
        hold=held,
    )
    key = repo.message_key(mail.message_id, mail.raw)
    announce_minutes(
        ctx.session,
        ctx.config,
        meeting,
        doc,
        result,
        submitted_by=mail.sender,
        receipt_key=key,
        in_reply_to=mail.message_id,
        subject=mail.subject,
        now=ctx.now,
        held=held,
    )
    version = f"v{result.minutes.version}"
    if held is not None:
        _tell_organiser(ctx, mail, meeting, held, doc, key)
        return Outcome(
            "applied",
            "processed",
            f"minutes {version} held ({held}): {len(doc.unused)} line(s) not used; "
            "waiting for PUBLISH",
            refs(meeting.uid),
        )
    what = "correction" if result.correction else "minutes"
    return Outcome(
        "applied",
        "processed",
        f"{what} {version}: {len(doc.decisions)} decision(s), "
        f"{len(result.new_items)} new item(s), {len(doc.problems)} problem(s)",
        refs(meeting.uid, (item.ref for item in result.new_items)),
    )


def _tell_organiser(
    ctx: ApplyContext, mail: InboundMail, meeting: Meeting, held: str, doc: MinutesDoc, key: str
) -> None:
    organiser = meeting.organiser_email
    if organiser.lower() == mail.sender.lower():
        return  # the receipt already told them
    scribe = directory_of(ctx.config).by_email(mail.sender)
    answer(
        ctx.session,
        ctx.config,
        mail,
        key=f"minutes-held:{key}",
        to=organiser,
        subject=f"Minutes held: {meeting.title}"
        if locale_of(ctx.config, organiser) == "en"
        else f"会议纪要暂未发布：{meeting.title}",
        paragraphs=texts.minutes_held_for_organiser(
            locale_of(ctx.config, organiser),
            meeting.title,
            scribe.name if scribe else mail.sender,
            held,
            len(doc.unused),
        ),
        now=ctx.now,
        meeting_id=meeting.id,
    )


def take_publish(ctx: ApplyContext, mail: InboundMail, meeting: Meeting) -> Outcome:
    """PUBLISH / 发布 from the organiser or scribe: apply and send the held minutes as written."""
    held = latest_minutes(ctx.session, meeting)
    if held is None or held.held_reason is None:
        answer(
            ctx.session,
            ctx.config,
            mail,
            key=f"nothing-held:{repo.message_key(mail.message_id, mail.raw)}",
            to=mail.sender,
            paragraphs=texts.nothing_held(locale_of(ctx.config, mail.sender), meeting.title),
            now=ctx.now,
            meeting_id=meeting.id,
        )
        return Outcome("ignored", "processed", "PUBLISH with no held minutes", refs(meeting.uid))
    result = publish_held(
        ctx.session,
        meeting,
        held,
        actor=mail.sender,
        directory=directory_of(ctx.config),
        now=ctx.now,
    )
    announce_minutes(
        ctx.session,
        ctx.config,
        meeting,
        doc_from_content(held.content or {}),
        result,
        submitted_by=mail.sender,
        receipt_key=repo.message_key(mail.message_id, mail.raw),
        in_reply_to=mail.message_id,
        subject=mail.subject,
        now=ctx.now,
    )
    return Outcome(
        "applied",
        "processed",
        f"held minutes v{held.version} published: {len(result.new_items)} new item(s)",
        refs(meeting.uid, (item.ref for item in result.new_items)),
    )


def take_item_commands(
    ctx: ApplyContext,
    mail: InboundMail,
    meeting: Meeting | None,
    text: str,
    *,
    acceptance: bool = False,
    default_ref: str | None = None,
) -> Outcome | None:
    """Apply the item commands in ``text``; None when it has none (the caller tries RSVP words).

    ``acceptance``: the mail answers an acceptance request, where a bare ACCEPT is the verdict.
    ``default_ref``: the item the mail answers (a collaboration request), for lines without a ref.
    """
    directory = directory_of(ctx.config)
    calendar = calendar_for(ctx.config.schedule.calendar)
    parsed = parse_item_commands(
        text, now=ctx.now, directory=directory, calendar=calendar, acceptance=acceptance
    )
    if not parsed.commands and not parsed.errors:
        return None
    commands = [
        dataclasses.replace(c, ref=default_ref) if c.ref is None and default_ref else c
        for c in parsed.commands[:MAX_COMMANDS]
    ]
    if len(parsed.commands) > MAX_COMMANDS:
        extra = len(parsed.commands) - MAX_COMMANDS
        parsed.errors.insert(
            0,
            MinutesProblem(
                f"{extra} more commands",
                f"one mail carries at most {MAX_COMMANDS} item commands; the other {extra} were "
                "not applied",
                "send them in several mails",
                code="too_many_commands",
            ),
        )
    del parsed.errors[MAX_LISTED_PROBLEMS:]
    today = ctx.now.astimezone(ZoneInfo(ctx.config.schedule.timezone)).date()
    result = apply_item_commands(
        ctx.session,
        commands,
        rework_due=calendar.add_business_days(today, ctx.config.schedule.rework_business_days),
        sender=mail.sender,
        context_meeting=meeting,
        now=ctx.now,
        source=mail.message_id,
        directory=directory,
    )
    errors = [*parsed.errors, *result.errors]
    locale = locale_of(ctx.config, mail.sender)
    key = repo.message_key(mail.message_id, mail.raw)
    if not is_automatic(mail):
        outbox.enqueue(
            ctx.session,
            key=f"item-receipt:{key}",
            recipients=[mail.sender],
            payload=item_receipt_payload(
                [item_row(i, directory) for i in result.touched],
                applied=result.applied,
                errors=errors,
                show_commands=bool(errors),
                locale=locale,
                in_reply_to=mail.message_id,
                subject=mail.subject,
                thread_root=meeting.thread_root if meeting else None,
            ),
            now=ctx.now,
            meeting_id=meeting.id if meeting else None,
        )
    for item in result.declined:
        owner_meeting = ctx.session.get(Meeting, item.meeting_id) if item.meeting_id else None
        if owner_meeting is None:
            continue
        organiser = owner_meeting.organiser_email
        answer(
            ctx.session,
            ctx.config,
            mail,
            key=f"declined:{item.ref}:{key}",
            to=organiser,
            subject=f"DECLINED {item.ref}: {item.description}",
            paragraphs=[
                f"{mail.sender} declined {item.ref} “{item.description}”.",
                f"Reason: {item.history[-1].new_value}",
                f"Reply “{item.ref} REASSIGN @someone” to give it to another person.",
            ],
            now=ctx.now,
            meeting_id=owner_meeting.id,
        )
    files = attached_files(mail.message) if result.awaiting else []
    for item in result.awaiting:
        request_acceptance(ctx.session, ctx.config, item, ctx.now, source=key, files=files)
    for item in result.accepted:
        tell_owner_of_verdict(ctx.session, ctx.config, item, None, ctx.now, source=key)
    for item, reason in result.rejected:
        tell_owner_of_verdict(ctx.session, ctx.config, item, reason, ctx.now, source=key)
    for item, reason in result.escalated:
        tell_escalation(ctx.session, ctx.config, mail, item, reason, now=ctx.now, key=key)
    for item, _previous in result.reassigned:
        owner_meeting = ctx.session.get(Meeting, item.meeting_id) if item.meeting_id else None
        if owner_meeting is not None:
            assign(ctx.session, ctx.config, owner_meeting, [item], version=f"r{key}", now=ctx.now)
    announce_requests(
        ctx.session, ctx.config, result.requests, ctx.now, source=key, touched=result.touched
    )
    touched = refs(meeting.uid if meeting else None, (item.ref for item in result.touched))
    if not result.applied:
        return Outcome(
            "ignored", "processed", f"{len(errors)} command line(s) not applied", touched
        )
    return Outcome(
        "applied", "processed", f"{len(result.applied)} item command(s) applied", touched
    )


MATCH_WINDOW = timedelta(days=30)  # minutes come days after a meeting, not months


def meeting_candidates(ctx: ApplyContext, sender: str) -> list[Meeting]:
    """The sender's meetings (as organiser or scribe) of the last 30 days and the next day, and
    their series."""
    return meeting_repo.minutes_candidates(
        ctx.session, sender, ctx.now, since=MATCH_WINDOW, ahead=timedelta(days=1)
    )


def find_meeting_for_minutes(
    ctx: ApplyContext, mail: InboundMail, meetings: list[Meeting]
) -> Meeting | None:
    """The meeting of ``meetings`` a minutes mail is about (see ``domain.minutes_match``)."""
    by_id = {m.id: m for m in meetings}
    candidates = [
        Candidate(
            key=m.id,
            title=m.title,
            day=m.starts_at.astimezone(ZoneInfo(m.tzid)).date(),
            starts_at=m.starts_at,
            ends_at=m.ends_at,
            thread_ids=frozenset({m.thread_root}),
            attendees=frozenset(a.email.lower() for a in m.attendees if a.removed_at is None),
        )
        for m in meetings
    ]
    threads = " ".join([mail.header("In-Reply-To"), mail.header("References")])
    written = Mail(
        subject=mail.subject,
        text=minutes_source(mail).text,
        thread_ids=frozenset(re.findall(r"<[^<>\s]+>", threads)),
        recipients=frozenset(mail.recipients()),
        now=ctx.now,
    )
    chosen = choose(written, candidates)
    return by_id[chosen.key] if chosen is not None else None


def take_minutes_mail(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    meetings = meeting_candidates(ctx, mail.sender)
    meeting = find_meeting_for_minutes(ctx, mail, meetings)
    stranger = directory_of(ctx.config).by_email(mail.sender) is None
    if meeting is None and stranger and system_notes(mail.subject + minutes_source(mail).text):
        # An OA system's 会议纪要通知 or a meeting tool's summary: recorded, never answered.
        return Outcome("ignored", "processed", "a system's notice about minutes")
    if meeting is None:
        locale = locale_of(ctx.config, mail.sender)
        answer(
            ctx.session,
            ctx.config,
            mail,
            key=f"minutes-unknown:{repo.message_key(mail.message_id, mail.raw)}",
            to=mail.sender,
            paragraphs=texts.minutes_which_meeting(
                locale,
                [
                    (m.title, m.starts_at.astimezone(ZoneInfo(m.tzid)).strftime("%Y-%m-%d %H:%M"))
                    for m in meetings[:10]
                ],
            ),
            now=ctx.now,
        )
        how = "no meeting of the sender's matches" if meetings else "the sender has no meeting"
        return Outcome("ignored", "processed", f"minutes for an unknown meeting: {how}")
    doc = read_minutes(ctx, meeting, mail)
    return take_minutes(ctx, mail, meeting, doc, minutes_source(mail).text)


def names_item_work(ctx: ApplyContext, text: str) -> bool:
    """Whether ``text`` holds item commands beyond a bare CONFIRM (a ref, progress, DONE, …)."""
    parsed = parse_item_commands(
        text,
        now=ctx.now,
        directory=directory_of(ctx.config),
        calendar=calendar_for(ctx.config.schedule.calendar),
    )
    return any(c.ref is not None or c.verb != "confirm" for c in parsed.commands)


# Attendees have this long after the official minutes went out to object (确认期限).
OBJECTION_WINDOW = timedelta(hours=24)


def take_minutes_response(
    ctx: ApplyContext, mail: InboundMail, meeting: Meeting, response: MinutesResponse
) -> Outcome:
    """An attendee confirms the official minutes or objects to them: recorded on the minutes
    version they answer; an objection goes to the organiser and the scribe at once."""
    minutes = latest_minutes(ctx.session, meeting)
    if minutes is None or minutes.official_sent_at is None:
        return Outcome("ignored", "processed", "no official minutes to answer")
    responses = dict(minutes.responses or {})
    responses[mail.sender] = {
        "verdict": response.verdict,
        "text": response.text[:2000],
        "at": ctx.now.isoformat(),
    }
    minutes.responses = responses
    counted = [r.get("verdict") for r in responses.values() if isinstance(r, dict)]
    confirmed, objected = counted.count("confirm"), counted.count("object")
    objection = response.verdict == "object"
    key = repo.message_key(mail.message_id, mail.raw)
    if objection:
        sent = minutes.official_sent_at
        late = sent is not None and ctx.now - _aware(sent, ctx.now) > OBJECTION_WINDOW
        who = directory_of(ctx.config).by_email(mail.sender)
        name = f"{who.name} <{mail.sender}>" if who else mail.sender
        for lead in sorted(leads(meeting)):
            locale = locale_of(ctx.config, lead)
            outbox.enqueue_soon(
                ctx.session,
                key=f"minutes-objection:{key}:{lead}",
                recipients=[lead],
                payload=answer_payload(
                    locale=locale,
                    subject=texts.minutes_response_subject(locale, meeting.title, True),
                    paragraphs=texts.minutes_objection(
                        locale, meeting.title, name, response.text, confirmed, objected, late
                    ),
                    references=[meeting.thread_root],
                ),
                now=ctx.now,
                meeting_id=meeting.id,
            )
    answer(
        ctx.session,
        ctx.config,
        mail,
        key=f"minutes-response:{key}",
        to=mail.sender,
        paragraphs=texts.minutes_response_recorded(
            locale_of(ctx.config, mail.sender), meeting.title, objection
        ),
        now=ctx.now,
        meeting_id=meeting.id,
    )
    what = "objection" if objection else "confirmation"
    return Outcome("applied", "processed", f"minutes {what} recorded", refs(meeting.uid))


def _aware(at: datetime, like: datetime) -> datetime:
    return at if at.tzinfo is not None or like.tzinfo is None else at.replace(tzinfo=UTC)
