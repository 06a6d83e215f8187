"""Outbox kind ``official_minutes``: the minutes (or their correction) for every attendee.

Title, time, who was present, decisions, disputes, the action items table (ref, owner, department,
task, deliverable, due), the next meeting and the lines for the record. A correction is marked in
the subject ("Correction:" / "更正：") and opens with what changed. Pure: the payload carries the
meeting as JSON and the minutes as applied, so rendering reads no DB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.domain.meeting import MeetingSpec
from mailflow.domain.meeting_codec import from_json, to_json
from mailflow.outbound.compose import RenderContext
from mailflow.outbound.issue_texts import issue_view
from mailflow.outbound.items_export import ItemRow
from mailflow.outbound.minutes_mail import (
    meeting_facts,
    minutes_subject,
    people_namer,
    planned_threading,
)
from mailflow.outbound.minutes_parts import (
    Namer,
    assemble,
    item_from_json,
    item_view,
    list_of,
    one_line,
    reading,
    recipient_name,
    render_bodies,
    strings,
    text_of,
    valid_zone,
)
from mailflow.outbound.templating import format_when


def official_minutes_payload(
    spec: MeetingSpec,
    content: Mapping[str, Any],
    *,
    version: int = 1,
    correction: bool = False,
    changes: Sequence[str] = (),
    locale: str | None,
    timezone: str | None,
    thread_root: str | None = None,
    reply_to: str | None = None,
) -> dict[str, Any]:
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
        minutes: dict[str, Any] = {
            "decisions": [str(text) for text in content.get("decisions") or ()],
            "actions": [dict(entry) for entry in content.get("actions") or ()],
            "disputes": [dict(entry) for entry in content.get("disputes") or ()],
            "next_meeting": dict(content["next_meeting"]) if content.get("next_meeting") else None,
            "present": [str(who) for who in content.get("present") or ()],
            "info": [str(text) for text in content.get("info") or ()],
        }
        # Read back as the renderer will, so a bad entry fails here and not in the outbox.
        for entry in (*minutes["actions"], *minutes["disputes"]):
            _entry(entry, lambda _: "")
        _next_meeting_view(minutes["next_meeting"], spec.tzid, "en", spec.tzid)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"the minutes content is malformed: {exc!r}") from exc
    return {
        "spec": to_json(spec),
        "minutes": minutes,
        "version": version,
        "correction": correction,
        "changes": [str(change) for change in changes],
        "locale": locale,
        "timezone": timezone,
        "thread_root": thread_root,
        "reply_to": reply_to,
    }


def _entry(data: Mapping[str, Any], name: Namer) -> ItemRow:
    """An action or dispute of the minutes as an item row; the owner's name is looked up."""
    owner = str(data.get("owner") or "")
    owner_name = (
        str(data.get("owner_name") or "") or name(owner) or str(data.get("owner_raw") or "")
    )
    return item_from_json({**data, "ref": data.get("ref") or "", "owner_name": owner_name})


def _next_meeting_view(
    data: Mapping[str, Any] | None, zone: str, locale: str, meeting_zone: str
) -> dict[str, str] | None:
    """The next meeting as the templates show it: its time if it was read, else the raw line."""
    if not data:
        return None
    text = text_of(data, "start")
    start = datetime.fromisoformat(text) if text else None
    if start is not None and start.tzinfo is None:
        # A wall-clock time written in the minutes is in the meeting's own zone.
        start = start.replace(tzinfo=ZoneInfo(meeting_zone))
    return {
        "when": format_when(start, zone, locale) if start else "",
        "raw": one_line(str(data.get("raw") or "")),
        "location": str(data.get("location") or ""),
        "topic": str(data.get("topic") or ""),
    }


def render_official_minutes_row(
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    with reading("official_minutes"):
        wanted = text_of(payload, "locale")
        spec = from_json(payload["spec"])
        minutes = payload["minutes"]
        name = people_namer(ctx, spec)
        actions = [_entry(entry, name) for entry in list_of(minutes, "actions")]
        disputes = [_entry(entry, name) for entry in list_of(minutes, "disputes")]
        decisions, info = strings(minutes, "decisions"), strings(minutes, "info")
        present = [name(who) or who for who in strings(minutes, "present")]
        zone = valid_zone(text_of(payload, "timezone"), spec.tzid)
        version, correction = int(payload.get("version") or 1), bool(payload.get("correction"))
        changes = strings(payload, "changes")
        threading = planned_threading(payload)
        next_meeting = minutes.get("next_meeting")
        # Read once here so a malformed next meeting fails the row as a bad payload.
        _next_meeting_view(next_meeting, zone, "en", spec.tzid)
    # Without an ATTENDEES line nobody is called present: the invitees are listed as invited.
    invited = [name(p.email) or p.email for p in (spec.organiser, *spec.attendees)]

    def values(locale: str) -> dict[str, Any]:
        return {
            **meeting_facts(spec, zone, locale, name),
            "locale": locale,
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
