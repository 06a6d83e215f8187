"""Inbound handlers for answers: calendar RSVPs (REPLY), proposals (COUNTER), plain-text replies.

A calendar answer is recorded and not answered: the person's calendar already shows it. A
plain-text reply is answered once: the RSVP recorded, the RSVP summary (STATUS, organiser or
scribe only), or the list of valid commands. Whatever is refused is recorded, quarantined and
answered once with the reason.
"""

from __future__ import annotations

from mailflow.domain.minutes_response import minutes_response
from mailflow.domain.readers import directory_of
from mailflow.domain.reply_commands import (
    details_request,
    parse_commands,
    wants_publish,
    wants_stop_reminders,
)
from mailflow.errors import MessageError
from mailflow.inbound.handlers.apply import ApplyContext, Outcome, refs
from mailflow.inbound.handlers.daily import take_daily
from mailflow.inbound.handlers.minutes import (
    ITEM_KINDS,
    MINUTES_KINDS,
    has_minutes,
    leads,
    names_item_work,
    read_minutes,
    take_item_commands,
    take_minutes,
    take_minutes_response,
    take_publish,
)
from mailflow.inbound.handlers.request import request_answered
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.calendar.itip import itip_of
from mailflow.inbound.understanding.classify import Classification
from mailflow.inbound.understanding.minutes_source import minutes_source
from mailflow.inbound.understanding.replies.reply_text import reply_text_of
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers import answer_texts as texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.services.digests import details_payload
from mailflow.services.notices import resend_invitation
from mailflow.services.preferences import heard_from, stop_reminders
from mailflow.services.replies import answer, is_automatic, locale_of, resolve_target
from mailflow.services.rsvp import meeting_for_uid, record_rsvp, summary
from mailflow.tracker import repo
from mailflow.tracker.models import Meeting


def _key(mail: InboundMail, purpose: str) -> str:
    return f"{purpose}:{repo.message_key(mail.message_id, mail.raw)}"


def refuse(ctx: ApplyContext, mail: InboundMail, reason: str) -> Outcome:
    """Refused: recorded and quarantined, and the person is told why, once."""
    if mail.sender:
        answer(
            ctx.session,
            ctx.config,
            mail,
            key=_key(mail, "refused"),
            to=mail.sender,
            paragraphs=texts.refused(locale_of(ctx.config, mail.sender), reason),
            now=ctx.now,
        )
    return Outcome("refused", "quarantine", reason)


def take_calendar_reply(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    """An attendee's calendar answer (REPLY) is recorded and not answered — their calendar shows
    it — except when it changed nothing: an older answer than the one recorded (stale) or one
    that says no answer at all is answered with how to answer. A note with the answer goes to
    the organiser. A REFRESH (the attendee asks for the invitation again) is sent it again.
    """
    if not mail.sender:
        return refuse(ctx, mail, "a calendar answer without a usable From address")
    itip = itip_of(mail, floating_tz=ctx.config.schedule.timezone)
    if itip is not None and itip.method == "REFRESH":
        return take_refresh(ctx, mail, itip.refreshes)
    if itip is None or not itip.replies:
        raise MessageError("a calendar REPLY without any attendee's answer")
    identities = directory_of(ctx.config).identities
    recorded, uids, unchanged = 0, [], []
    for reply in itip.replies:
        meeting = meeting_for_uid(ctx.session, reply.uid)
        if meeting is None:
            continue
        uids.append(meeting.uid)
        if reply.partstat == "NEEDS-ACTION":
            _forward_comment(ctx, mail, meeting, reply.attendee, reply.partstat, reply.comment)
            locale = locale_of(ctx.config, mail.sender)
            unchanged.append(texts.rsvp_without_answer(locale, meeting.title))
            continue
        result = record_rsvp(
            ctx.session,
            meeting,
            attendee=reply.attendee,
            sender=mail.sender,
            partstat=reply.partstat,
            comment=reply.comment,
            recurrence_id=reply.recurrence_id,
            now=ctx.now,
            dtstamp=reply.dtstamp,
            identities=identities,
        )
        if result.status == "not_sender":
            return refuse(ctx, mail, f"an answer for {reply.attendee} must come from that address")
        if result.status == "stale":
            unchanged.append(
                texts.rsvp_stale(
                    locale_of(ctx.config, mail.sender),
                    meeting.title,
                    reply.partstat,
                    result.partstat or "NEEDS-ACTION",
                )
            )
        elif result.status == "recorded":
            recorded += 1
            _forward_comment(ctx, mail, meeting, reply.attendee, reply.partstat, reply.comment)
    if unchanged:
        answer(
            ctx.session,
            ctx.config,
            mail,
            key=_key(mail, "rsvp-unchanged"),
            to=mail.sender,
            paragraphs=[line for paragraphs in unchanged for line in paragraphs],
            now=ctx.now,
        )
    if not recorded:
        why = "answer not newer than the one recorded" if unchanged else "no meeting mailflow knows"
        return Outcome("ignored", "processed", why, refs(", ".join(sorted(set(uids)))))
    return Outcome(
        "applied", "processed", f"{recorded} RSVP(s) recorded", refs(", ".join(sorted(set(uids))))
    )


def _forward_comment(
    ctx: ApplyContext,
    mail: InboundMail,
    meeting: Meeting,
    who: str,
    partstat: str,
    comment: str | None,
) -> None:
    """An attendee's note with their answer reaches the organiser (it is also in STATUS)."""
    if not comment or not comment.strip():
        return
    organiser = meeting.organiser_email
    locale = locale_of(ctx.config, organiser)
    person = directory_of(ctx.config).by_email(who)
    who = f"{person.name} <{person.email}>" if person is not None else who
    outbox.enqueue_soon(
        ctx.session,
        key=_key(mail, f"rsvp-comment:{meeting.id}:{who.lower()}"),
        recipients=[organiser],
        payload=answer_payload(
            locale=locale,
            subject=texts.rsvp_comment_subject(locale, meeting.title),
            paragraphs=texts.rsvp_comment(locale, meeting.title, who, partstat, comment.strip()),
        ),
        now=ctx.now,
        meeting_id=meeting.id,
    )


def take_refresh(ctx: ApplyContext, mail: InboundMail, uids: list[str]) -> Outcome:
    """REFRESH (RFC 5546 3.2.6): the invitation as it stands, sent again to that attendee."""
    sent = 0
    for uid in uids:
        meeting = meeting_for_uid(ctx.session, uid)
        if meeting is None:
            continue
        key = _key(mail, "refresh")
        sent += resend_invitation(ctx.session, ctx.config, meeting, mail.sender, ctx.now, key)
    if not sent:
        return Outcome("ignored", "processed", "REFRESH from someone not invited, or unknown UID")
    return Outcome("applied", "processed", "invitation sent again")


def take_counter(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    """A proposed new time goes to the organiser, who decides in their own calendar. A
    DECLINECOUNTER (an organiser refusing a proposal) is recorded: mailflow proposes nothing."""
    itip = itip_of(mail, floating_tz=ctx.config.schedule.timezone)
    if itip is not None and itip.method == "DECLINECOUNTER":
        return Outcome("ignored", "processed", "DECLINECOUNTER: mailflow sends no proposals")
    if itip is None or not itip.counters:
        raise MessageError("a COUNTER without a proposal")
    forwarded = 0
    for counter in itip.counters:
        meeting = meeting_for_uid(ctx.session, counter.uid)
        if meeting is None:
            continue
        organiser = meeting.organiser_email
        when = "?"
        if counter.start is not None:
            when = counter.start.strftime("%Y-%m-%d %H:%M %Z")
            if counter.end is not None:
                when += counter.end.strftime(" – %H:%M")
        answer(
            ctx.session,
            ctx.config,
            mail,
            key=_key(mail, f"counter:{meeting.id}"),
            to=organiser,
            subject=f"COUNTER: {meeting.title}",
            paragraphs=texts.counter_forward(
                locale_of(ctx.config, organiser),
                meeting.title,
                counter.attendee or mail.sender,
                when,
                counter.comment,
            ),
            now=ctx.now,
            meeting_id=meeting.id,
        )
        forwarded += 1
    if not forwarded:
        return Outcome("ignored", "processed", "a proposal for a meeting mailflow does not know")
    return Outcome("applied", "processed", "proposal forwarded to the organiser")


def take_reply(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    """Route a reply by what it answers, then by what it says.

    Replies to item mails carry item commands; the scribe's or organiser's reply with minutes
    lines is the minutes (a later one a correction); replies to a notice carry RSVP words or
    STATUS; elsewhere item commands (``MF-0042 DONE``) are tried before RSVP words.
    """
    if not mail.sender:
        return refuse(ctx, mail, "a reply without a usable From address authorises nothing")
    if not is_automatic(mail):
        heard_from(ctx.session, mail.sender, ctx.now)
    text = reply_text_of(mail)
    if wants_stop_reminders(text, mail.subject):
        return take_stop_reminders(ctx, mail)
    department = details_request(text)
    if department is not None:
        return take_details(ctx, mail, department)
    target = resolve_target(ctx.session, mail, ctx.config)
    if target.forged:
        return refuse(ctx, mail, target.how)
    meeting = target.meeting
    kind = target.replied_kind
    if meeting is None:
        daily = take_daily(ctx, mail, text)
        if daily is not None:
            return daily
        # A reply to a collaboration request's mail: its lines without a ref are about it.
        by_ref = take_item_commands(
            ctx,
            mail,
            None,
            text,
            acceptance=kind == "acceptance_request",
            default_ref=request_answered(ctx, mail),
        )
        return by_ref or Outcome("left_for_person", "inbox", target.how)
    if kind == "official_minutes" and mail.sender not in leads(meeting):
        response = minutes_response(text)
        # "CONFIRM" alone answers the minutes; "CONFIRM\n60%" or "MF-0042 DONE" is item work.
        if response is not None and not names_item_work(ctx, text):
            return take_minutes_response(ctx, mail, meeting, response)
    if kind in ITEM_KINDS:
        # A reply to a mail about one item (an at-risk prompt, an acceptance request) is about
        # that item when its lines name no ref.
        one = kind in ("at_risk_prompt", "acceptance_request")
        by_items = take_item_commands(
            ctx,
            mail,
            meeting,
            text,
            acceptance=kind == "acceptance_request",
            default_ref=request_answered(ctx, mail) if one else None,
        )
        if by_items is not None:
            return by_items
    elif mail.sender in leads(meeting):
        if kind in MINUTES_KINDS and wants_publish(text):
            return take_publish(ctx, mail, meeting)
        doc = read_minutes(ctx, meeting, mail)
        # A reply to the notice is minutes only when it holds decisions or actions: "参加"
        # from the organiser is an RSVP.
        wanted = (
            bool(doc.decisions or doc.actions or doc.unused)
            if kind == "notice"
            else (has_minutes(doc) or (kind in MINUTES_KINDS and bool(doc.problems)))
        )
        if wanted:
            return take_minutes(ctx, mail, meeting, doc, minutes_source(mail).text)
    if kind not in ("notice", *ITEM_KINDS):
        by_items = take_item_commands(ctx, mail, meeting, text)
        if by_items is not None:
            return by_items
    return _meeting_reply(ctx, mail, meeting, text)


def take_details(ctx: ApplyContext, mail: InboundMail, department: str) -> Outcome:
    """``DETAILS <department>`` from an executive: the full item list of one of their own."""
    payload = details_payload(
        ctx.session,
        ctx.config,
        email=mail.sender,
        department=department,
        now=ctx.now,
        in_reply_to=mail.message_id,
        subject=mail.subject,
    )
    if payload is None:
        return refuse(ctx, mail, f"“{department}” is not a department in your digest")
    if not is_automatic(mail):
        outbox.enqueue(
            ctx.session,
            key=_key(mail, "details"),
            recipients=[mail.sender],
            payload=payload,
            now=ctx.now,
        )
    return Outcome("applied", "processed", f"details of {department} sent")


def take_stop_reminders(ctx: ApplyContext, mail: InboundMail) -> Outcome:
    stop_reminders(ctx.session, mail.sender, ctx.now)
    locale = locale_of(ctx.config, mail.sender)
    answer(
        ctx.session,
        ctx.config,
        mail,
        key=_key(mail, "stop"),
        to=mail.sender,
        paragraphs=texts.reminders_stopped(locale),
        now=ctx.now,
    )
    return Outcome("applied", "processed", "reminders stopped")


def _meeting_reply(ctx: ApplyContext, mail: InboundMail, meeting: Meeting, text: str) -> Outcome:
    sender = mail.sender
    locale = locale_of(ctx.config, sender)
    commands = parse_commands(text)
    status = next((c for c in commands if c.verb == "status"), None)
    rsvp = next((c for c in commands if c.verb == "rsvp"), None)
    if status is not None:
        if sender not in {meeting.organiser_email, meeting.scribe_email}:
            return refuse(
                ctx, mail, "only the organiser or the scribe may ask for the RSVP summary"
            )
        counts, rows = summary(meeting)
        answer(
            ctx.session,
            ctx.config,
            mail,
            key=_key(mail, "status"),
            to=sender,
            paragraphs=texts.rsvp_summary(locale, meeting.title, counts),
            table=(
                texts.summary_headers(locale),
                [(n, texts.PARTSTAT_LABEL[texts.lang(locale)].get(p, p), c) for n, p, c in rows],
            ),
            now=ctx.now,
            meeting_id=meeting.id,
        )
        return Outcome("applied", "processed", "RSVP summary sent", refs(meeting.uid))
    if rsvp is not None:
        result = record_rsvp(
            ctx.session,
            meeting,
            attendee=sender,
            sender=sender,
            partstat=rsvp.args["partstat"],
            comment=rsvp.args["comment"],
            recurrence_id=None,
            now=ctx.now,
            identities=directory_of(ctx.config).identities,
        )
        if result.status == "not_attendee":
            return refuse(ctx, mail, f"{sender} is not an attendee of “{meeting.title}”")
        if result.status == "stale":
            answer(
                ctx.session,
                ctx.config,
                mail,
                key=_key(mail, "rsvp"),
                to=sender,
                paragraphs=texts.rsvp_stale(
                    locale, meeting.title, rsvp.args["partstat"], result.partstat or "NEEDS-ACTION"
                ),
                now=ctx.now,
                meeting_id=meeting.id,
            )
            why = "RSVP older than the recorded one"
            return Outcome("ignored", "processed", why, refs(meeting.uid))
        _forward_comment(ctx, mail, meeting, sender, rsvp.args["partstat"], rsvp.args["comment"])
        answer(
            ctx.session,
            ctx.config,
            mail,
            key=_key(mail, "rsvp"),
            to=sender,
            paragraphs=texts.rsvp_recorded(
                locale, meeting.title, rsvp.args["partstat"], rsvp.args["comment"]
            ),
            now=ctx.now,
            meeting_id=meeting.id,
        )
        return Outcome(
            "applied",
            "processed",
            f"RSVP {rsvp.args['partstat']} recorded",
            refs(meeting.uid),
        )
    answer(
        ctx.session,
        ctx.config,
        mail,
        key=_key(mail, "help"),
        to=sender,
        paragraphs=texts.help_text(locale, meeting.title),
        now=ctx.now,
        meeting_id=meeting.id,
    )
    return Outcome("ignored", "processed", "no command in the reply: help sent", refs(meeting.uid))
