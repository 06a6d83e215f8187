"""``meeting preview``: the notice each attendee would receive, rendered as it would be sent.

Nothing is stored and nothing is sent. The invite UID, thread and Reply-To are the ones a new
meeting from this file would get (``meeting add`` of the same file yields the same UID).
"""

from __future__ import annotations

import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from mailflow.config.schema import Config
from mailflow.domain.meeting import MeetingSpec
from mailflow.domain.readers import directory_of
from mailflow.outbound.kinds.meetings.notice_mail import (
    NoticePayload,
    notice_payload,
    render_notice_row,
)
from mailflow.outbound.rendering.compose import RenderContext, new_message_id, thread_root_id
from mailflow.services.intake import with_chair, without_bot


def preview_notices(config: Config, spec: MeetingSpec, now: datetime) -> list[EmailMessage]:
    spec = without_bot(with_chair(spec), config)
    directory = directory_of(config)
    # meeting add gives a mail or file meeting its own UID as invite UID: the same thread.
    thread_root = thread_root_id(spec.uid, config.mail.domain)
    ctx = RenderContext(config, now)
    messages = []
    for attendee in spec.attendees:
        person = directory.by_email(attendee.email)
        payload = notice_payload(
            spec,
            attendee,
            kind="notice",
            locale=person.locale if person else None,
            timezone=person.timezone if person else None,
            thread_root=thread_root,
        )
        # Read back as the outbox stores it, so the preview is the mail that would be sent.
        msg = render_notice_row(ctx, [attendee.email], NoticePayload.from_json(payload.to_json()))
        msg["Message-ID"] = new_message_id(config.mail.domain)
        if "Date" not in msg:
            msg["Date"] = format_datetime(now)
        messages.append(msg)
    return messages


def write_previews(messages: list[EmailMessage], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for number, msg in enumerate(messages, start=1):
        recipient = re.sub(r"[^A-Za-z0-9@._-]", "_", str(msg["To"].addresses[0].addr_spec))
        path = out / f"{number:02d}-{recipient}.eml"
        path.write_bytes(msg.as_bytes())
        written.append(path)
    return written
