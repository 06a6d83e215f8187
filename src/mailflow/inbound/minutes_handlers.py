"""Inbound minutes and item replies: the scribe's minutes, owners' commands on their items.

Minutes count only from the meeting's scribe or organiser; item commands only from the item's
owner or the meeting's organiser/scribe (checked per item in ``services/items``).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mailflow.domain.business_calendar import calendar_for
from mailflow.domain.item_commands import parse_item_commands
from mailflow.domain.minutes import MinutesDoc
from mailflow.domain.minutes_parser import parse_minutes
from mailflow.inbound.apply import ApplyContext, Outcome, refs
from mailflow.inbound.classify import Classification
from mailflow.inbound.mail import InboundMail
from mailflow.inbound.minutes_source import minutes_source
from mailflow.outbound import answer_texts as texts
from mailflow.outbound import outbox
from mailflow.outbound.items_mail import item_receipt_payload
from mailflow.services.items import apply_item_commands
from mailflow.services.minutes import apply_minutes
from mailflow.services.minutes_mails import announce_minutes, assign, item_row
from mailflow.services.readers import directory_of
from mailflow.services.replies import answer, is_automatic, locale_of
from mailflow.tracker import repo
from mailflow.tracker.models import Meeting, MeetingStatus

MINUTES_KINDS = {"minutes_skeleton", "minutes_receipt", "minutes_reminder", "official_minutes"}
ITEM_KINDS = {"item_assignment", "item_receipt"}


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
    return doc


def has_minutes(doc: MinutesDoc) -> bool:
    return bool(doc.decisions or doc.actions or doc.disputes or doc.next_meeting or doc.info)


def take_minutes(
    ctx: ApplyContext, mail: InboundMail, meeting: Meeting, doc: MinutesDoc, text: str
) -> Outcome:
    result = apply_minutes(
        ctx.session,
        meeting,
        doc,
        raw_text=text,
        submitted_by=mail.sender,
        source_message_id=mail.message_id,
        directory=directory_of(ctx.config),
        now=ctx.now,
    )
    announce_minutes(
        ctx.session,
        ctx.config,
        meeting,
        doc,
        result,
        submitted_by=mail.sender,
        receipt_key=repo.message_key(mail.message_id, mail.raw),
        in_reply_to=mail.message_id,
        subject=mail.subject,
        now=ctx.now,
    )
    what = "correction" if result.correction else "minutes"
    return Outcome(
        "applied",
        "processed",
        f"{what} v{result.minutes.version}: {len(doc.decisions)} decision(s), "
        f"{len(result.new_items)} new item(s), {len(doc.problems)} problem(s)",
        refs(meeting.uid, (item.ref for item in result.new_items)),
    )


def take_item_commands(
    ctx: ApplyContext, mail: InboundMail, meeting: Meeting | None, text: str
) -> Outcome | None:
    """Apply the item commands in ``text``; None when it has none (the caller tries RSVP words)."""
    directory = directory_of(ctx.config)
    parsed = parse_item_commands(
        text,
        now=ctx.now,
        directory=directory,
        calendar=calendar_for(ctx.config.schedule.calendar),
    )
    if not parsed.commands and not parsed.errors:
        return None
    result = apply_item_commands(
        ctx.session,
        parsed.commands,
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
            kind="item_receipt",
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
    for item, _previous in result.reassigned:
        owner_meeting = ctx.session.get(Meeting, item.meeting_id) if item.meeting_id else None
        if owner_meeting is not None:
            assign(ctx.session, ctx.config, owner_meeting, [item], version=f"r{key}", now=ctx.now)
    touched = refs(meeting.uid if meeting else None, (item.ref for item in result.touched))
    if not result.applied:
        return Outcome(
            "ignored", "processed", f"{len(errors)} command line(s) not applied", touched
        )
    return Outcome(
        "applied", "processed", f"{len(result.applied)} item command(s) applied", touched
    )


def find_meeting_for_minutes(ctx: ApplyContext, mail: InboundMail) -> Meeting | None:
    """A "Minutes: <title>" mail: the sender's meeting (as organiser or scribe) named in the
    subject, the most recently started one first."""
    subject = mail.subject.casefold()
    sender = mail.sender
    candidates = ctx.session.scalars(
        select(Meeting)
        .where(
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at <= ctx.now + timedelta(days=1),
            (Meeting.organiser_email == sender) | (Meeting.scribe_email == sender),
        )
        .order_by(Meeting.starts_at.desc())
    )
    return next((m for m in candidates if m.title.casefold() in subject), None)


def take_minutes_mail(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    meeting = find_meeting_for_minutes(ctx, mail)
    if meeting is None:
        answer(
            ctx.session,
            ctx.config,
            mail,
            key=f"minutes-unknown:{repo.message_key(mail.message_id, mail.raw)}",
            to=mail.sender,
            paragraphs=texts.refused(
                locale_of(ctx.config, mail.sender),
                "no meeting of yours matches this subject; reply to the minutes skeleton, or "
                "write the meeting's exact title after “Minutes:” / “会议纪要：”",
            ),
            now=ctx.now,
        )
        return Outcome("ignored", "processed", "minutes for an unknown meeting")
    doc = read_minutes(ctx, meeting, mail)
    return take_minutes(ctx, mail, meeting, doc, minutes_source(mail).text)
