"""Render one recipient's meeting notice, update or cancellation, with its calendar invite.

Pure: a :class:`MeetingSpec` and a recipient in, an ``EmailMessage`` out, shaped the way Outlook,
Gmail, Apple Mail and Thunderbird recognise an invitation::

    multipart/mixed
     ├── multipart/alternative
     │    ├── text/plain
     │    ├── text/html
     │    └── text/calendar; charset=UTF-8; method=REQUEST|CANCEL
     └── application/ics  invite.ics | cancel.ics  (attachment)

The text and HTML bodies come from the same template context, so they carry the same facts; the
calendar part's ``method`` is the VCALENDAR's METHOD because clients drop a mismatched invite.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import vRecur
from jinja2 import TemplateError

from mailflow.domain.meeting import AgendaSpec, AttendeeSpec, MeetingSpec
from mailflow.domain.recurrence_text import describe
from mailflow.domain.series import occurrence as series_occurrence
from mailflow.outbound.kinds.meetings.changes import Change, Occurrence, change_text, diff_meetings
from mailflow.outbound.rendering.board_link import board_values, links_for
from mailflow.outbound.rendering.compose import RenderContext, RenderError, base_message
from mailflow.outbound.rendering.ics import Method, build_invite
from mailflow.outbound.rendering.templating import (
    environment,
    format_short,
    format_when,
    get_template,
    is_chinese,
    taiwan,
)

__all__ = ["Change", "NoticeKind", "diff_meetings", "notice_subject", "render_notice"]

NoticeKind = Literal["notice", "update", "cancel"]

_TEMPLATES: dict[NoticeKind, str] = {
    "notice": "notice",
    "update": "notice_update",
    "cancel": "notice_cancel",
}
_SUBJECTS: dict[str, dict[NoticeKind, str]] = {
    "en": {
        "notice": "Meeting notice: {title} — {when}",
        "update": "Updated: {title} — {when}",
        "cancel": "Cancelled: {title} — {when}",
    },
    "zh": {
        "notice": "会议通知：{title}（{when}）",
        "update": "会议变更：{title}（{when}）",
        "cancel": "会议取消：{title}（{when}）",
    },
}


def _one_line(value: str) -> str:
    return " ".join(value.split())


@dataclass(frozen=True)
class _Facts:
    """What every rendering of one notice shares, whatever the template's locale."""

    ctx: RenderContext
    spec: MeetingSpec
    recipient: AttendeeSpec
    zone: str
    kind: NoticeKind
    changes: Sequence[Change]
    rsvp_by: datetime | None
    removed: bool

    def name(self, email: str | None) -> str:
        """A person's display name from the meeting, then the people directory, else the address."""
        if not email:
            return ""
        key = email.lower()
        for person in (self.spec.organiser, *self.spec.attendees):
            if person.email.lower() == key and person.name:
                return person.name
        for entry in self.ctx.config.people.people:
            if entry.email.lower() == key:
                return entry.name
        return email


def _recurrence(spec: MeetingSpec, locale: str) -> dict[str, Any] | None:
    if not spec.rrule or spec.recurrence_id is not None:
        return None
    rule = vRecur.from_ical(spec.rrule)
    freq = rule.get("FREQ", [""])[0]
    interval = int(rule.get("INTERVAL", [1])[0])
    text = taiwan(describe(spec.rrule, locale), locale)
    return {"freq": str(freq).upper(), "interval": interval, "text": text}


def _agenda_view(facts: _Facts, item: AgendaSpec) -> dict[str, Any]:
    return {
        "topic": item.topic,
        "owner": facts.name(item.owner),
        "minutes": item.minutes,
        "conclusion": item.expected_conclusion or "",
    }


def _change_value(facts: _Facts, change: Change, value: object, locale: str) -> str:
    """A changed value as the recipient reads it: in their zone and language."""
    field = change.field
    known = change_text(change, value, facts.zone, locale, title=facts.spec.title)
    if known is not None:
        return known
    if field == "time" and isinstance(value, tuple):
        start, end = value
        return format_when(start, facts.zone, locale, end)
    if field in ("attendees_added", "attendees_removed") and isinstance(value, tuple):
        names = [a.name or facts.name(a.email) for a in value if isinstance(a, AttendeeSpec)]
        return ("、" if is_chinese(locale) else ", ").join(names)
    if field == "agenda" and isinstance(value, tuple):
        topics = [a.topic for a in value if isinstance(a, AgendaSpec)]
        return ("；" if is_chinese(locale) else "; ").join(topics)
    if field == "materials" and isinstance(value, tuple):
        return ("；" if is_chinese(locale) else "; ").join(str(v) for v in value)
    if field == "scribe" and isinstance(value, str):
        return facts.name(value)
    return "" if value is None else str(value)


def _context(facts: _Facts, locale: str) -> dict[str, Any]:
    spec = facts.spec
    when = format_when(spec.start, facts.zone, locale, spec.end)
    same_zone = facts.zone == spec.tzid
    return {
        "kind": facts.kind,
        "locale": locale,
        "title": _one_line(spec.title),
        "recipient_name": facts.recipient.name or facts.name(facts.recipient.email),
        "when": when,
        "when_meeting": None if same_zone else format_when(spec.start, spec.tzid, locale, spec.end),
        "location": spec.location or "",
        "online_url": spec.online_url or "",
        # Only web links become clickable: a "javascript:" URL from an invitation stays text.
        "online_link": (spec.online_url or "").lower().startswith(("https://", "http://")),
        "description": (spec.description or "").strip(),
        "recurrence": _recurrence(spec, locale),
        "agenda": [_agenda_view(facts, item) for item in spec.agenda],
        "agenda_minutes": sum(item.minutes or 0 for item in spec.agenda),
        "materials": list(spec.materials),
        "organiser": facts.name(spec.organiser.email),
        "organiser_email": spec.organiser.email,
        "scribe": facts.name(spec.scribe),
        "rsvp_by": (
            format_when(facts.rsvp_by, facts.zone, locale) if facts.rsvp_by is not None else ""
        ),
        "removed": facts.removed,
        "changes": [
            {
                "field": c.field,
                "old": _change_value(facts, c, c.old, locale),
                "new": _change_value(facts, c, c.new, locale),
            }
            for c in facts.changes
        ],
    }


def notice_subject(spec: MeetingSpec, kind: NoticeKind, zone: str, locale: str) -> str:
    """``Meeting notice: <title> — Mon 10 Mar 09:30`` / ``会议通知：<title>（3月10日 09:30）``."""
    pattern = _SUBJECTS["zh" if is_chinese(locale) else "en"][kind]
    return pattern.format(title=_one_line(spec.title), when=format_short(spec.start, zone, locale))


def _valid_zone(name: str | None, fallback: str) -> str:
    # A person's zone comes from the directory; an unknown one must not stop their notice.
    if not name:
        return fallback
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback
    return name


def render_notice(
    ctx: RenderContext,
    spec: MeetingSpec,
    recipient: AttendeeSpec,
    *,
    recipient_locale: str | None,
    recipient_tz: str | None,
    kind: NoticeKind = "notice",
    changes: Sequence[Change] = (),
    thread_root: str | None = None,
    reply_to: str | None = None,
    organiser_address: str | None = None,
    organiser_name: str | None = None,
    rsvp_by: datetime | None = None,
    occurrence: datetime | None = None,
) -> EmailMessage:
    """The notice (or update, or cancellation) of ``spec`` for ``recipient``, invite included.

    ``occurrence`` (the RECURRENCE-ID of one occurrence of a series) makes the text about that
    occurrence — its own date, place and title — while the invite carries the whole series. An
    update whose changes are all to single occurrences names the first of them in its subject.

    The ORGANIZER defaults to the bot's address so calendar replies come back to mailflow. A
    ``cancel`` for a recipient no longer in ``spec.attendees`` is their removal: the CANCEL lists
    only them; otherwise it cancels the whole meeting for everyone. Raises RenderError when no
    template exists for any candidate locale or the meeting's zone is unknown.
    """
    mail = ctx.config.mail
    removed = kind == "cancel" and all(
        a.email.lower() != recipient.email.lower() for a in spec.attendees
    )
    shown = spec
    if occurrence is not None and spec.rrule:
        shown = dataclasses.replace(series_occurrence(spec, occurrence), recurrence_id=None)
    facts = _Facts(
        ctx=ctx,
        spec=shown,
        recipient=recipient,
        zone=_valid_zone(recipient_tz, spec.tzid),
        kind=kind,
        changes=tuple(changes),
        rsvp_by=rsvp_by,
        removed=removed,
    )
    env = environment(ctx.config.templates_dir)
    name = _TEMPLATES[kind]
    try:
        text_template, text_locale = get_template(
            env, f"{name}.txt.j2", recipient_locale, mail.default_locale
        )
        html_template, html_locale = get_template(
            env, f"{name}.html.j2", text_locale, mail.default_locale
        )
        invite_template, invite_locale = get_template(
            env, "invite.txt.j2", text_locale, mail.default_locale
        )
        # The reader's board link (not in a cancellation: its page may be out of their reach).
        links = None if kind == "cancel" else links_for(ctx, [recipient.email])
        board = board_values(links, meeting_id=ctx.meeting_id)
        text = text_template.render({**_context(facts, text_locale), "board": board})
        html = html_template.render({**_context(facts, html_locale), "board": board})
        description = invite_template.render(_context(facts, invite_locale)).strip()
        method: Method = "CANCEL" if kind == "cancel" else "REQUEST"
        ics = build_invite(
            spec,
            method=method,
            organiser_address=organiser_address or mail.bot_address,
            organiser_name=organiser_name or mail.bot_name,
            attendees=[recipient] if removed else None,
            dtstamp=ctx.now,
            description=description,
        )
    except (TemplateError, ValueError) as exc:
        # A broken override template or an unknown zone fails this row for good, with the reason.
        raise RenderError(f"cannot render {kind} for {spec.uid}: {exc}") from exc

    msg = base_message(
        ctx,
        recipients=[_to_address(recipient, facts)],
        subject=notice_subject(_subject_spec(shown, changes), kind, facts.zone, text_locale),
        in_reply_to=thread_root,
        references=[thread_root] if thread_root else (),
    )
    if reply_to:
        msg["Reply-To"] = _one_line(reply_to)
    # Ask Exchange not to send out-of-office replies to automatic mail; bounces still come back.
    msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    # Given as bytes so the part keeps the CRLF line ends RFC 5545 requires (text is re-lined).
    msg.add_alternative(
        ics, maintype="text", subtype="calendar", params={"charset": "UTF-8", "method": method}
    )
    filename = "cancel.ics" if method == "CANCEL" else "invite.ics"
    msg.add_attachment(
        ics, maintype="application", subtype="ics", filename=filename, params={"name": filename}
    )
    # Set last: set_content() and the move to multipart/mixed drop or relocate Content-* headers.
    msg["Content-Language"] = text_locale.replace("_", "-")
    return msg


def _subject_spec(spec: MeetingSpec, changes: Sequence[Change]) -> MeetingSpec:
    """The meeting whose date the subject names: an update of single occurrences names the first
    of them (where it is now, or where it was when cancelled)."""
    if not changes or not all(c.field.startswith("occurrence") for c in changes):
        return spec
    first = changes[0]
    view = first.new if isinstance(first.new, Occurrence) else first.old
    if not isinstance(view, Occurrence):
        return spec
    return dataclasses.replace(spec, start=view.start, end=view.end)


def _to_address(recipient: AttendeeSpec, facts: _Facts) -> str:
    name = _one_line(recipient.name or facts.name(recipient.email))
    if name == recipient.email:
        name = ""
    return str(Address(display_name=name, addr_spec=recipient.email.strip()))
