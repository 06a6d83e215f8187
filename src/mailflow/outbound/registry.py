"""Which renderer turns an outbox row of each ``kind`` into a message: one line per kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from typing import Any

from mailflow.outbound.answer import render_answer_row
from mailflow.outbound.compose import RenderContext, RenderError, render_plain_message
from mailflow.outbound.digest_mail import render_digest_details_row, render_digest_row
from mailflow.outbound.escalation_mail import render_escalation_row
from mailflow.outbound.followup_mail import (
    render_item_reminder_row,
    render_weekly_nudge_row,
    render_weekly_progress_row,
)
from mailflow.outbound.items_mail import render_item_assignment_row, render_item_receipt_row
from mailflow.outbound.minutes_mail import (
    render_minutes_reminder_row,
    render_minutes_skeleton_row,
)
from mailflow.outbound.minutes_receipt import render_minutes_receipt_row
from mailflow.outbound.notice_mail import render_notice_row
from mailflow.outbound.official_minutes import render_official_minutes_row
from mailflow.outbound.receipt import render_receipt_row
from mailflow.outbound.retro_report import render_archive_ready_row, render_retro_row
from mailflow.outbound.thread_headers import add_thread_headers

Renderer = Callable[[RenderContext, Sequence[str], Mapping[str, Any]], EmailMessage]

RENDERERS: dict[str, Renderer] = {
    "message": render_plain_message,
    "notice": render_notice_row,
    "receipt": render_receipt_row,
    "answer": render_answer_row,
    # An answer-shaped mail of its own kind, so a reply to it is known as an acceptance verdict.
    "acceptance_request": render_answer_row,
    "at_risk_prompt": render_answer_row,
    "daily_update": render_answer_row,
    # A collaboration request to its receiver: a reply to it is read as commands on the request.
    "request_assignment": render_answer_row,
    "minutes_skeleton": render_minutes_skeleton_row,
    "official_minutes": render_official_minutes_row,
    "minutes_reminder": render_minutes_reminder_row,
    "minutes_receipt": render_minutes_receipt_row,
    "item_assignment": render_item_assignment_row,
    "item_receipt": render_item_receipt_row,
    "item_reminder": render_item_reminder_row,
    "weekly_progress": render_weekly_progress_row,
    "weekly_nudge": render_weekly_nudge_row,
    "escalation": render_escalation_row,
    "digest": render_digest_row,
    "digest_details": render_digest_details_row,
    "retro_request": render_retro_row,
    "retro_report": render_retro_row,
    "archive_ready": render_archive_ready_row,
}


def render(
    ctx: RenderContext, kind: str, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise RenderError(f"no renderer for outbox kind {kind!r}")
    msg = renderer(ctx, recipients, payload)
    return add_thread_headers(msg, kind, recipients, ctx.config.mail.domain)
