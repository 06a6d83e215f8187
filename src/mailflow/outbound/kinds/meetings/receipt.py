"""Outbox kind ``receipt``: the one answer an organiser gets for each meeting intake.

Whatever the intake (their calendar's iTIP REQUEST or CANCEL, a "MEETING:" mail, ``mailflow
meeting add``), the organiser learns what became of it: the meeting as understood (times in their
own zone and the meeting's, attendees as people, the agenda table) with the defaults that were
assumed, or what is missing or ambiguous and that nothing was created, or what an update changed,
or that a cancellation took effect, or that an invitation was ignored because its SEQUENCE is not
newer than the one recorded.

The payload carries the meeting as JSON (:mod:`mailflow.domain.meeting_codec`), so rendering reads
no DB; an update's changes are computed again at render time, as for notices. The mail answers a
person's mail, hence ``Auto-Submitted: auto-replied`` (RFC 3834) and In-Reply-To/References.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import vRecur
from jinja2 import TemplateError

from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec
from mailflow.domain.meeting_draft import Problem
from mailflow.outbound.kinds.meetings.changes import Change, change_text, diff_meetings
from mailflow.outbound.kinds.meetings.receipt_data import (
    CalendarReply,
    Outcome,
    Receipt,
    Source,
    check,
)
from mailflow.outbound.rendering.compose import RenderContext, RenderError, base_message
from mailflow.outbound.rendering.ics import build_reply
from mailflow.outbound.rendering.templating import (
    environment,
    format_when,
    get_template,
    is_chinese,
    wording,
)

_SUBJECTS: dict[str, dict[str, str]] = {
    "en": {
        "created": "Meeting received: {title}",
        "updated": "Meeting updated: {title}",
        "cancelled": "Meeting cancelled: {title}",
        "rejected": "Meeting not created: {title}",
        "ignored": "Invitation ignored: {title}",
    },
    "zh": {
        "created": "已收到会议：{title}",
        "updated": "会议已更新：{title}",
        "cancelled": "会议已取消：{title}",
        "rejected": "会议未创建：{title}",
        "ignored": "会议邀请已忽略：{title}",
    },
}
_UNTITLED = {"en": "(untitled)", "zh_CN": "（无标题）", "zh_TW": "（無標題）"}


def receipt_payload(
    *,
    outcome: Outcome,
    spec: MeetingSpec | None,
    previous: MeetingSpec | None = None,
    problems: Sequence[Problem] = (),
    notes: Sequence[str] = (),
    locale: str | None,
    timezone: str | None,
    source: Source,
    in_reply_to: str | None = None,
    subject: str | None = None,
    calendar_reply: CalendarReply | None = None,
) -> Receipt:
    """The payload of a receipt row; ``locale``/``timezone`` are the organiser's.

    ``calendar_reply`` (``attendee``, ``name``, ``partstat``, ``comment``) makes the receipt carry
    mailflow's iTIP REPLY to the organiser's invitation ``spec``.

    ``spec`` is the meeting as understood (for ``rejected`` whatever could be read, or None;
    ``ignored`` may have none either);
    ``previous`` is the version recorded before an update, or the one that stands when an
    invitation is ``ignored``. Raises ValueError when the outcome needs a meeting and has none,
    so the mistake shows where the receipt is enqueued rather than when the outbox sends it.
    """
    check(outcome, source, spec)
    return Receipt(
        outcome=outcome,
        source=source,
        spec=spec,
        previous=previous,
        problems=tuple(problems),
        notes=tuple(str(note) for note in notes),
        locale=locale,
        timezone=timezone,
        in_reply_to=in_reply_to,
        subject=subject,
        calendar_reply=calendar_reply,
    )


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _zone(name: str | None, fallback: str) -> str:
    # The organiser's zone comes from the directory; an unknown one must not cost them the receipt.
    try:
        return ZoneInfo(name).key if name else fallback
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def _namer(ctx: RenderContext, spec: MeetingSpec | None) -> Callable[[str | None], str]:
    """A person's display name by address: from the meeting, then the directory, else ""."""
    names: dict[str, str] = {}
    for person in ctx.config.people.people:
        names.setdefault(person.email.lower(), person.name)
    if spec is not None:
        for attendee in (spec.organiser, *spec.attendees):
            if attendee.name:
                names[attendee.email.lower()] = attendee.name
    return lambda email: names.get(email.lower(), "") if email else ""


def _recurrence(spec: MeetingSpec, zone: str, locale: str) -> dict[str, Any] | None:
    if not spec.rrule or spec.recurrence_id is not None:
        return None
    rule = vRecur.from_ical(spec.rrule)
    until = (rule.get("UNTIL") or [None])[0]
    if isinstance(until, datetime):
        until_text = format_when(until, zone, locale)
    else:
        until_text = until.isoformat() if isinstance(until, date) else ""
    return {
        "freq": str(rule.get("FREQ", [""])[0]).upper(),
        "interval": int(rule.get("INTERVAL", [1])[0]),
        "days": [str(day).upper() for day in rule.get("BYDAY", [])],
        "count": int(rule["COUNT"][0]) if rule.get("COUNT") else None,
        "until": until_text,
        "rule": spec.rrule,
    }


def _person(name: Callable[[str | None], str], person: AttendeeSpec) -> dict[str, Any]:
    return {
        "name": person.name or name(person.email),
        "email": person.email,
        "optional": person.role == "OPT-PARTICIPANT",
    }


def _meeting(
    spec: MeetingSpec, zone: str, locale: str, name: Callable[[str | None], str]
) -> dict[str, Any]:
    """The facts of ``spec`` as both templates show them, times in the organiser's ``zone``."""
    online = spec.online_url or ""
    return {
        "when": format_when(spec.start, zone, locale, spec.end),
        "when_meeting": (
            None if zone == spec.tzid else format_when(spec.start, spec.tzid, locale, spec.end)
        ),
        "recurrence": _recurrence(spec, zone, locale),
        "exdates": [format_when(day, zone, locale) for day in spec.exdates],
        "location": spec.location or "",
        "online_url": online,
        # Only web links become clickable: a "javascript:" URL stays inert text.
        "online_link": online.startswith(("https://", "http://")),
        "organiser": _person(name, spec.organiser),
        "attendees": [_person(name, a) for a in spec.attendees],
        "scribe": _person(name, AttendeeSpec(spec.scribe)) if spec.scribe else None,
        "agenda": [
            {
                "topic": item.topic,
                "owner": name(item.owner) or item.owner or "",
                "minutes": item.minutes,
                "conclusion": item.expected_conclusion or "",
            }
            for item in spec.agenda
        ],
        "agenda_minutes": sum(item.minutes or 0 for item in spec.agenda),
        "materials": list(spec.materials),
    }


def _cancelled_occurrences(
    spec: MeetingSpec | None, previous: MeetingSpec | None
) -> list[datetime]:
    """The occurrences a cancellation took out of a series: its RECURRENCE-ID or new EXDATEs."""
    if spec is None:
        return []
    if spec.recurrence_id is not None:
        return [spec.recurrence_id]
    return [day for day in spec.exdates if previous is not None and day not in previous.exdates]


def _change_text(
    change: Change,
    value: object,
    zone: str,
    locale: str,
    name: Callable[[str | None], str],
    title: str = "",
) -> str:
    """A changed value as the organiser reads it, in their zone and language."""
    known = change_text(change, value, zone, locale, title=title)
    if known is not None:
        return known
    join = "、" if is_chinese(locale) else ", "
    if change.field == "time" and isinstance(value, tuple):
        return format_when(value[0], zone, locale, value[1])
    if change.field.startswith("attendees_") and isinstance(value, tuple):
        people = [_person(name, a) for a in value if isinstance(a, AttendeeSpec)]
        return join.join(f"{p['name']} <{p['email']}>" if p["name"] else p["email"] for p in people)
    if change.field == "agenda" and isinstance(value, tuple):
        return join.join(a.topic for a in value if isinstance(a, AgendaSpec))
    if change.field == "materials" and isinstance(value, tuple):
        return join.join(str(v) for v in value)
    if change.field == "scribe" and isinstance(value, str):
        return name(value) or value
    return "" if value is None else str(value)


def _context(
    ctx: RenderContext, receipt: Receipt, locale: str, recipients: Sequence[str]
) -> dict[str, Any]:
    spec, previous = receipt.spec, receipt.previous
    zone = _zone(receipt.timezone, spec.tzid if spec else ctx.config.schedule.timezone)
    name = _namer(ctx, spec)
    # Without a meeting, the organiser is known only as the address the receipt goes to.
    addresses = [address for _, address in getaddresses(list(recipients))]
    greeted = spec.organiser.email if spec else (addresses[0] if addresses else None)
    cancelled = _cancelled_occurrences(spec, previous) if receipt.outcome == "cancelled" else []
    # What stands after an ignored invitation, or what a whole cancellation took away, is the
    # version recorded before; a cancelled occurrence leaves the series, with its new EXDATE.
    whole = receipt.outcome == "ignored" or (receipt.outcome == "cancelled" and not cancelled)
    shown = previous if whole and previous is not None else spec
    # Which heading the meeting's facts go under, named by what they are.
    section = {
        "created": "understood",
        "updated": "current",
        "cancelled": "series" if cancelled else "cancelled",
        "rejected": "read",
        "ignored": "recorded" if shown is previous else "received",
    }[receipt.outcome]
    changes: list[Change] = []
    if receipt.outcome == "updated" and previous is not None and spec is not None:
        changes = diff_meetings(previous, spec)
    view = _meeting(shown, zone, locale, name) if shown is not None else None
    return {
        "outcome": receipt.outcome,
        "source": receipt.source,
        "locale": locale,
        "title": title_of(spec, receipt.subject, locale),
        "recipient_name": name(greeted),
        "meeting": view,
        "section": section,
        # The agenda and materials macros shared with the notice templates read these names.
        "agenda": view["agenda"] if view else [],
        "agenda_minutes": view["agenda_minutes"] if view else 0,
        "materials": view["materials"] if view else [],
        "sequence": spec.sequence if spec else None,
        "previous_sequence": previous.sequence if previous else None,
        # "Not newer" is only one reason to ignore an invitation; the intake's notes give others.
        "stale": bool(
            spec is not None
            and previous is not None
            and spec.recurrence_id is None
            and spec.status != "CANCELLED"
            and spec.sequence <= previous.sequence
        ),
        "cancelled_occurrences": [format_when(day, zone, locale) for day in cancelled],
        "problems": [
            {"field": p.field, "text": p.text, "hint": p.hint or ""} for p in receipt.problems
        ],
        "notes": list(receipt.notes),
        "changes": [
            {
                "field": c.field,
                "old": _change_text(c, c.old, zone, locale, name, spec.title if spec else ""),
                "new": _change_text(c, c.new, zone, locale, name, spec.title if spec else ""),
            }
            for c in changes
        ],
        "lead_days": ctx.config.schedule.notice_lead_business_days,
    }


def title_of(spec: MeetingSpec | None, subject: str | None, locale: str) -> str:
    """The meeting's title; without a meeting, the organiser's subject; else "(untitled)"."""
    title = _one_line(spec.title if spec is not None else subject or "")
    return title or _UNTITLED[wording(locale)]


def receipt_subject(outcome: str, title: str, locale: str, *, original: str | None = None) -> str:
    """``Re: <original>`` when answering a mail with a subject, else the outcome and the title.

    "Re:" is not translated: RFC 5322 (3.6.5) fixes it, and clients thread on it in every language.
    """
    if original and _one_line(original):
        text = _one_line(original)
        return text if re.match(r"(?i)re\s*:", text) else f"Re: {text}"
    return _SUBJECTS["zh" if is_chinese(locale) else "en"][outcome].format(title=title)


def render_receipt_row(
    ctx: RenderContext, recipients: Sequence[str], receipt: Receipt
) -> EmailMessage:
    """The receipt mail (text and HTML with the same content) to the organiser in ``recipients``."""
    if not recipients:
        raise RenderError("a receipt needs a recipient")
    env = environment(ctx.config.templates_dir)
    default = ctx.config.mail.default_locale
    try:
        text_template, locale = get_template(env, "receipt.txt.j2", receipt.locale, default)
        html_template, html_locale = get_template(env, "receipt.html.j2", locale, default)
        text = text_template.render(_context(ctx, receipt, locale, recipients))
        html = html_template.render(_context(ctx, receipt, html_locale, recipients))
    except (TemplateError, ValueError, KeyError) as exc:
        # A broken override template or an unreadable rule fails this row for good, with the reason.
        raise RenderError(f"cannot render {receipt.outcome} receipt: {exc}") from exc

    # Header values never carry CR/LF from a payload: no header injection.
    replying = _one_line(receipt.in_reply_to or "") or None
    msg = base_message(
        ctx,
        recipients=recipients,
        subject=receipt_subject(
            receipt.outcome,
            title_of(receipt.spec, receipt.subject, locale),
            locale,
            original=receipt.subject if replying else None,
        ),
        automatic=False,
        in_reply_to=replying,
        references=[replying] if replying else (),
    )
    # It answers a person's mail (RFC 3834), and Exchange should not answer it with an OOF.
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    reply = _calendar_reply(ctx, receipt)
    if reply is not None:
        # The organiser's calendar reads this part and shows mailflow's answer to the invitation.
        params = {"charset": "UTF-8", "method": "REPLY"}
        msg.add_alternative(reply, maintype="text", subtype="calendar", params=params)
    # Set last: set_content() and add_alternative() drop or relocate Content-* headers.
    msg["Content-Language"] = locale.replace("_", "-")
    return msg


def _calendar_reply(ctx: RenderContext, receipt: Receipt) -> bytes | None:
    answer, spec = receipt.calendar_reply, receipt.spec
    if not answer or spec is None:
        return None
    try:
        return build_reply(
            spec,
            attendee=answer.attendee,
            attendee_name=answer.name,
            partstat=answer.partstat,
            comment=answer.comment,
            dtstamp=ctx.now,
        )
    except (KeyError, ValueError) as exc:
        raise RenderError(f"cannot build the calendar reply: {exc}") from exc
