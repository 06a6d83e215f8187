"""Inbound handlers that take meetings in: the organiser's calendar invite and "MEETING:" mail."""

from __future__ import annotations

from mailflow.domain.readers import directory_of, reader
from mailflow.errors import MessageError
from mailflow.inbound.handlers.apply import ApplyContext, Outcome, refs
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.calendar.itip import itip_of
from mailflow.inbound.understanding.classify import Classification
from mailflow.inbound.understanding.meeting_mail import parse_meeting_mail
from mailflow.outbound.kinds.answers import answer_texts as texts
from mailflow.services.intake import IntakeReport, take_draft, take_specs
from mailflow.services.replies import answer, is_automatic, locale_of
from mailflow.tracker import repo
from mailflow.tracker.models import MeetingSource


def _outcome(report: IntakeReport) -> Outcome:
    # A rejected intake was still understood and answered: it is filed, not quarantined.
    done = report.outcome in ("created", "updated", "cancelled")
    uids = ", ".join(r.spec.uid for r in report.results if r.spec is not None)
    return Outcome("applied" if done else "ignored", "processed", report.summary, refs(uids))


def _sender_zone(ctx: ApplyContext, sender: str) -> str:
    return reader(ctx.config, sender).timezone


def take_calendar_invite(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    """REQUEST or CANCEL from the organiser's calendar (Outlook, Google, Apple, Thunderbird).

    A PUBLISH (an event file: a party invitation, a shop's booking) is information, not a request
    to run a meeting: nothing is stored, a person is told how to invite mailflow, a machine is
    not answered.
    """
    if not mail.sender:
        raise MessageError("a calendar invitation without a usable From address")
    itip = itip_of(mail, floating_tz=_sender_zone(ctx, mail.sender))
    if itip is None or not itip.requests:
        raise MessageError("calendar data without a usable event")
    if itip.method == "PUBLISH":
        title = itip.requests[0].title or (mail.subject or "")
        if mail.sender:
            answer(
                ctx.session,
                ctx.config,
                mail,
                key=f"publish:{repo.message_key(mail.message_id, mail.raw)}",
                to=mail.sender,
                paragraphs=texts.publish_ignored(
                    locale_of(ctx.config, mail.sender), title, ctx.config.mail.bot_address
                ),
                now=ctx.now,
            )
        return Outcome("ignored", "processed", "a published event (PUBLISH) is not a request")
    report = take_specs(
        ctx.session,
        itip.requests,
        source=MeetingSource.ITIP,
        sender=mail.sender,
        config=ctx.config,
        now=ctx.now,
        receipt_to=mail.sender,
        receipt_key=repo.message_key(mail.message_id, mail.raw),
        in_reply_to=mail.message_id,
        subject=mail.subject,
        notes=itip.problems,
        automatic=is_automatic(mail),
    )
    return _outcome(report)


def take_meeting_mail(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    """A plain "MEETING: <title>" / "会议通知：<title>" mail with field lines."""
    if not mail.sender:
        raise MessageError("a meeting request without a From address cannot be answered")
    draft = parse_meeting_mail(
        mail.message,
        directory=directory_of(ctx.config),
        now=ctx.now,
        default_timezone=_sender_zone(ctx, mail.sender),
        domain=ctx.config.mail.domain,
    )
    report = take_draft(
        ctx.session,
        draft,
        source=MeetingSource.MAIL,
        organiser=mail.sender,
        config=ctx.config,
        now=ctx.now,
        receipt_key=repo.message_key(mail.message_id, mail.raw),
        in_reply_to=mail.message_id,
        subject=mail.subject,
    )
    return _outcome(report)
