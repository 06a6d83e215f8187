"""Outbox kind ``notice``: a meeting notice, update or cancellation for one attendee.

The payload carries everything the mail needs, so rendering reads no DB: the meeting as it is now
(and, for an update, as the attendee last saw it — the changes are computed at render time), the
attendee, their locale and zone, the thread root and the signed Reply-To.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.domain.meeting_codec import from_json, to_json
from mailflow.outbound.changes import diff_meetings
from mailflow.outbound.compose import RenderContext, RenderError
from mailflow.outbound.notice import NoticeKind, render_notice


def notice_payload(
    spec: MeetingSpec,
    attendee: AttendeeSpec,
    *,
    kind: NoticeKind,
    previous: MeetingSpec | None = None,
    locale: str | None = None,
    timezone: str | None = None,
    thread_root: str | None = None,
    reply_to: str | None = None,
    rsvp_by: datetime | None = None,
    occurrence: datetime | None = None,
) -> dict[str, Any]:
    """``occurrence`` (a series' notice before one occurrence) names the occurrence the text is
    about; the invite still carries the whole series."""
    return {
        "kind": kind,
        "spec": to_json(spec),
        "previous": to_json(previous) if previous is not None else None,
        "attendee": asdict(attendee),
        "locale": locale,
        "timezone": timezone,
        "thread_root": thread_root,
        "reply_to": reply_to,
        "rsvp_by": rsvp_by.isoformat() if rsvp_by else None,
        "occurrence": occurrence.isoformat() if occurrence else None,
    }


def render_notice_row(
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    try:
        spec = from_json(payload["spec"])
        previous = from_json(payload["previous"]) if payload.get("previous") else None
        attendee = AttendeeSpec(**payload["attendee"])
        kind: NoticeKind = payload["kind"]
    except (KeyError, TypeError, ValueError) as exc:
        raise RenderError(f"notice payload is malformed: {exc}") from exc
    rsvp_by = payload.get("rsvp_by")
    occurrence = payload.get("occurrence")
    try:
        occurrence_at = datetime.fromisoformat(occurrence) if occurrence else None
    except (TypeError, ValueError) as exc:
        raise RenderError(f"notice payload has a bad occurrence: {exc}") from exc
    return render_notice(
        ctx,
        spec,
        attendee,
        recipient_locale=payload.get("locale"),
        recipient_tz=payload.get("timezone"),
        kind=kind,
        changes=diff_meetings(previous, spec) if previous is not None else (),
        thread_root=payload.get("thread_root"),
        reply_to=payload.get("reply_to"),
        rsvp_by=datetime.fromisoformat(rsvp_by) if rsvp_by else None,
        occurrence=occurrence_at,
    )
