"""Outbox kind ``notice``: a meeting notice, update or cancellation for one attendee.

The payload carries everything the mail needs, so rendering reads no DB: the meeting as it is now
(and, for an update, as the attendee last saw it — the changes are computed at render time), the
attendee, their locale and zone, the thread root and the signed Reply-To.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import ClassVar, cast, get_args

from mailflow.domain.meeting import AttendeeSpec, MeetingSpec, PartStat, Role
from mailflow.domain.meeting_codec import from_json, to_json
from mailflow.outbound.kinds.meetings.changes import diff_meetings
from mailflow.outbound.kinds.meetings.notice import NoticeKind, render_notice
from mailflow.outbound.rendering.compose import RenderContext
from mailflow.outbound.rendering.payload_fields import (
    JSONObject,
    PayloadError,
    StoredJSON,
    iso,
    obj,
    opt_moment,
    opt_text,
    text,
    version,
)


@dataclass(frozen=True)
class NoticePayload:
    """Outbox kind ``notice``: a notice, update or cancellation (``notice_kind``) of a meeting
    to one attendee, with everything the mail needs so that rendering reads no database."""

    KIND: ClassVar[str] = "notice"
    VERSION: ClassVar[int] = 1

    notice_kind: NoticeKind
    spec: MeetingSpec
    attendee: AttendeeSpec
    previous: MeetingSpec | None = None
    locale: str | None = None
    timezone: str | None = None
    thread_root: str | None = None
    reply_to: str | None = None
    rsvp_by: datetime | None = None
    occurrence: datetime | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "kind": self.notice_kind,
            "spec": to_json(self.spec),
            "previous": to_json(self.previous) if self.previous is not None else None,
            "attendee": asdict(self.attendee),
            "locale": self.locale,
            "timezone": self.timezone,
            "thread_root": self.thread_root,
            "reply_to": self.reply_to,
            "rsvp_by": iso(self.rsvp_by),
            "occurrence": iso(self.occurrence),
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> NoticePayload:
        version(data, cls.VERSION)
        kind = text(data, "kind")
        if kind not in get_args(NoticeKind):
            raise PayloadError(f"kind: {kind!r} is not a notice, update or cancel")
        previous = data.get("previous")
        return cls(
            notice_kind=cast("NoticeKind", kind),
            spec=_meeting(data.get("spec"), "spec"),
            previous=_meeting(previous, "previous") if previous else None,
            attendee=_attendee(data.get("attendee")),
            locale=opt_text(data, "locale"),
            timezone=opt_text(data, "timezone"),
            thread_root=opt_text(data, "thread_root"),
            reply_to=opt_text(data, "reply_to"),
            rsvp_by=opt_moment(data, "rsvp_by"),
            occurrence=opt_moment(data, "occurrence"),
        )


def _meeting(value: object, key: str) -> MeetingSpec:
    try:
        return from_json(dict(obj(value, key)))
    except (KeyError, TypeError, ValueError) as exc:
        raise PayloadError(f"{key}: {exc!r}") from exc


def _attendee(value: object) -> AttendeeSpec:
    data = obj(value, "attendee")
    unknown = set(data) - {"email", "name", "role", "partstat"}
    if unknown:
        raise PayloadError(f"attendee: unknown fields {sorted(unknown)}")
    return AttendeeSpec(
        text(data, "email", where="attendee."),
        opt_text(data, "name", where="attendee."),
        cast("Role", opt_text(data, "role", where="attendee.") or "REQ-PARTICIPANT"),
        cast("PartStat", opt_text(data, "partstat", where="attendee.") or "NEEDS-ACTION"),
    )


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
) -> NoticePayload:
    """``occurrence`` (a series' notice before one occurrence) names the occurrence the text is
    about; the invite still carries the whole series."""
    return NoticePayload(
        kind, spec, attendee, previous, locale, timezone, thread_root, reply_to, rsvp_by, occurrence
    )


def render_notice_row(
    ctx: RenderContext, recipients: Sequence[str], payload: NoticePayload
) -> EmailMessage:
    previous = payload.previous
    return render_notice(
        ctx,
        payload.spec,
        payload.attendee,
        recipient_locale=payload.locale,
        recipient_tz=payload.timezone,
        kind=payload.notice_kind,
        changes=diff_meetings(previous, payload.spec) if previous is not None else (),
        thread_root=payload.thread_root,
        reply_to=payload.reply_to,
        rsvp_by=payload.rsvp_by,
        occurrence=payload.occurrence,
    )
