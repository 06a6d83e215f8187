"""Outbox kind ``official_minutes``: the minutes (or their correction) for every attendee.

Title, time, who was present, decisions, disputes, the action items table (ref, owner, department,
task, deliverable, due), the next meeting and the lines for the record. A correction is marked in
the subject ("Correction:" / "更正：") and opens with what changed. Pure: the payload carries the
meeting as JSON and the minutes as applied, so rendering reads no DB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.domain.meeting import MeetingSpec
from mailflow.outbound.kinds.answers.issue_texts import issue_view
from mailflow.outbound.kinds.minutes.minutes_mail import (
    meeting_facts,
    minutes_subject,
    people_namer,
)
from mailflow.outbound.kinds.minutes.minutes_parts import (
    Threading,
    assemble,
    item_view,
    one_line,
    recipient_name,
    render_bodies,
    valid_zone,
)
from mailflow.outbound.kinds.minutes.official_minutes_data import (
    MinutesContent,
    NextMeeting,
    OfficialMinutes,
)
from mailflow.outbound.rendering.board_link import board_values, links_for
from mailflow.outbound.rendering.compose import RenderContext
from mailflow.outbound.rendering.payload_fields import PayloadError, items, obj
from mailflow.outbound.rendering.templating import format_when


def official_minutes_payload(
    spec: MeetingSpec,
    content: Mapping[str, object],
    *,
    version: int = 1,
    correction: bool = False,
    changes: Sequence[str] = (),
    locale: str | None,
    timezone: str | None,
    thread_root: str | None = None,
    reply_to: str | None = None,
) -> OfficialMinutes:
    """The official minutes for one recipient (or several sharing a locale and zone).

    ``content`` is the minutes as applied (``Minutes.content``): ``decisions`` [text], ``actions``
    and ``disputes`` [{ref, owner, owner_name?, owner_raw?, department, task, deliverable, due,
    due_time}], ``next_meeting`` {raw, start, location, topic} or null, ``present`` [names or
    addresses], ``info`` [text]; as :func:`mailflow.services.minutes.content_json` writes it.
    Raises ValueError when it is malformed, so the mistake shows where the mail is enqueued
    rather than when the outbox sends it.
    """
    if version < 1:
        raise ValueError(f"minutes versions start at 1, not {version}")
    try:
        minutes = MinutesContent.from_json(
            {
                "decisions": [str(text) for text in items(content.get("decisions"), "decisions")],
                "actions": [dict(obj(e, "actions")) for e in items(content.get("actions"), "")],
                "disputes": [dict(obj(e, "disputes")) for e in items(content.get("disputes"), "")],
                "next_meeting": (
                    dict(obj(content["next_meeting"], "next_meeting"))
                    if content.get("next_meeting")
                    else None
                ),
                "present": [str(who) for who in items(content.get("present"), "present")],
                "info": [str(text) for text in items(content.get("info"), "info")],
            }
        )
        # Shown as the renderer will, so a bad entry fails here and not in the outbox.
        for entry in (*minutes.actions, *minutes.disputes):
            entry.named(lambda _: "")
        _next_meeting_view(minutes.next_meeting, spec.tzid, "en", spec.tzid)
    except (KeyError, TypeError, AttributeError, PayloadError) as exc:
        raise ValueError(f"the minutes content is malformed: {exc!r}") from exc
    return OfficialMinutes(
        spec,
        minutes,
        version,
        correction,
        tuple(str(change) for change in changes),
        locale,
        timezone,
        thread_root,
        reply_to,
    )


def _next_meeting_view(
    following: NextMeeting | None, zone: str, locale: str, meeting_zone: str
) -> dict[str, str] | None:
    """The next meeting as the templates show it: its time if it was read, else the raw line."""
    if following is None:
        return None
    start = following.start
    if start is not None and start.tzinfo is None:
        # A wall-clock time written in the minutes is in the meeting's own zone.
        start = start.replace(tzinfo=ZoneInfo(meeting_zone))
    return {
        "when": format_when(start, zone, locale) if start else "",
        "raw": one_line(following.raw),
        "location": following.location,
        "topic": following.topic,
    }


def render_official_minutes_row(
    ctx: RenderContext, recipients: Sequence[str], payload: OfficialMinutes
) -> EmailMessage:
    wanted, spec, minutes = payload.locale, payload.spec, payload.minutes
    name = people_namer(ctx, spec)
    actions = [entry.named(name) for entry in minutes.actions]
    disputes = [entry.named(name) for entry in minutes.disputes]
    decisions, info = list(minutes.decisions), list(minutes.info)
    present = [name(who) or who for who in minutes.present]
    zone = valid_zone(payload.timezone, spec.tzid)
    version, correction = payload.version, payload.correction
    changes = list(payload.changes)
    threading = Threading(thread_root=payload.thread_root, reply_to=payload.reply_to)
    next_meeting = minutes.next_meeting
    # Without an ATTENDEES line nobody is called present: the invitees are listed as invited.
    invited = [name(p.email) or p.email for p in (spec.organiser, *spec.attendees)]
    board = board_values(links_for(ctx, recipients), meeting_id=ctx.meeting_id)

    def values(locale: str) -> dict[str, Any]:
        return {
            **meeting_facts(spec, zone, locale, name),
            "locale": locale,
            "board": board,
            "recipient_name": recipient_name(recipients, name),
            "version": version,
            "correction": correction,
            "changes": changes,
            "decisions": decisions,
            "actions": [item_view(item, locale, name, zone) for item in actions],
            "disputes": [issue_view(item_view(i, locale, name, zone), locale) for i in disputes],
            "next_meeting": _next_meeting_view(next_meeting, zone, locale, spec.tzid),
            "present": present,
            "invited": list(dict.fromkeys(invited)),
            "info": info,
        }

    bodies = render_bodies(ctx, "official_minutes", wanted, values)
    key = "correction" if correction else "official_minutes"
    subject = minutes_subject(key, spec, zone, bodies[2])
    return assemble(ctx, recipients, subject=subject, bodies=bodies, threading=threading)
