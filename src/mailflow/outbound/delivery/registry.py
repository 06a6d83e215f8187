"""Which renderer turns an outbox row of each ``kind`` into a message: one line per kind.

Each line pairs the kind's payload reader (``from_json``: the stored JSON, checked, as the kind's
frozen dataclass) with its renderer, which receives the typed payload. A stored payload that does
not fit raises a :class:`PayloadError` naming the field; it becomes a :class:`RenderError` and the
flusher parks the row with that reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from email.message import EmailMessage
from typing import TypeVar

from mailflow.outbound.kinds.answers.answer import render_answer_row
from mailflow.outbound.kinds.answers.answer_data import (
    AcceptanceRequest,
    Answer,
    AtRiskPrompt,
    DailyUpdate,
    RequestAssignment,
)
from mailflow.outbound.kinds.digest.digest_mail import render_digest_details_row, render_digest_row
from mailflow.outbound.kinds.digest.digest_payloads import DigestDetails, DigestPayload
from mailflow.outbound.kinds.items.escalation_mail import Escalation, render_escalation_row
from mailflow.outbound.kinds.items.followup_data import ItemReminder, WeeklyNudge, WeeklyProgress
from mailflow.outbound.kinds.items.followup_mail import (
    render_item_reminder_row,
    render_weekly_nudge_row,
    render_weekly_progress_row,
)
from mailflow.outbound.kinds.items.items_data import ItemAssignment, ItemReceipt
from mailflow.outbound.kinds.items.items_mail import (
    render_item_assignment_row,
    render_item_receipt_row,
)
from mailflow.outbound.kinds.meetings.notice_mail import NoticePayload, render_notice_row
from mailflow.outbound.kinds.meetings.receipt import render_receipt_row
from mailflow.outbound.kinds.meetings.receipt_data import Receipt
from mailflow.outbound.kinds.minutes.minutes_data import (
    MinutesReceipt,
    MinutesReminder,
    MinutesSkeleton,
)
from mailflow.outbound.kinds.minutes.minutes_mail import (
    render_minutes_reminder_row,
    render_minutes_skeleton_row,
)
from mailflow.outbound.kinds.minutes.minutes_receipt import render_minutes_receipt_row
from mailflow.outbound.kinds.minutes.official_minutes import render_official_minutes_row
from mailflow.outbound.kinds.minutes.official_minutes_data import OfficialMinutes
from mailflow.outbound.kinds.projects.retro_report import (
    ArchiveReady,
    RetroReport,
    RetroRequest,
    render_archive_ready_row,
    render_retro_row,
)
from mailflow.outbound.rendering.compose import (
    PlainMessage,
    RenderContext,
    RenderError,
    render_plain_message,
)
from mailflow.outbound.rendering.payload_fields import PayloadError, StoredJSON
from mailflow.outbound.rendering.thread_headers import add_thread_headers

# A stored payload (the row's JSON) to a message.
Renderer = Callable[[RenderContext, Sequence[str], StoredJSON], EmailMessage]
P = TypeVar("P")


def _typed(
    read: Callable[[StoredJSON], P],
    render_row: Callable[[RenderContext, Sequence[str], P], EmailMessage],
    label: str,
) -> Renderer:
    """The renderer of a kind with a typed payload: read and check it, then render it."""

    def render_stored(
        ctx: RenderContext, recipients: Sequence[str], stored: StoredJSON
    ) -> EmailMessage:
        try:
            payload = read(stored)
        except PayloadError as exc:
            raise RenderError(f"{label} payload is malformed: {exc}") from exc
        return render_row(ctx, recipients, payload)

    return render_stored


RENDERERS: dict[str, Renderer] = {
    PlainMessage.KIND: _typed(PlainMessage.from_json, render_plain_message, "message"),
    NoticePayload.KIND: _typed(NoticePayload.from_json, render_notice_row, "notice"),
    Receipt.KIND: _typed(Receipt.from_json, render_receipt_row, "receipt"),
    # Answer-shaped mails of their own kinds, so a reply to one is known for what it answers;
    # a malformed one is reported as an answer, as it always was.
    **{
        answer.KIND: _typed(answer.from_json, render_answer_row, "answer")
        for answer in (Answer, AcceptanceRequest, AtRiskPrompt, DailyUpdate, RequestAssignment)
    },
    MinutesSkeleton.KIND: _typed(
        MinutesSkeleton.from_json, render_minutes_skeleton_row, "minutes_skeleton"
    ),
    OfficialMinutes.KIND: _typed(
        OfficialMinutes.from_json, render_official_minutes_row, "official_minutes"
    ),
    MinutesReminder.KIND: _typed(
        MinutesReminder.from_json, render_minutes_reminder_row, "minutes_reminder"
    ),
    MinutesReceipt.KIND: _typed(
        MinutesReceipt.from_json, render_minutes_receipt_row, "minutes_receipt"
    ),
    ItemAssignment.KIND: _typed(
        ItemAssignment.from_json, render_item_assignment_row, "item_assignment"
    ),
    ItemReceipt.KIND: _typed(ItemReceipt.from_json, render_item_receipt_row, "item_receipt"),
    ItemReminder.KIND: _typed(ItemReminder.from_json, render_item_reminder_row, "item_reminder"),
    WeeklyProgress.KIND: _typed(
        WeeklyProgress.from_json, render_weekly_progress_row, "weekly_progress"
    ),
    WeeklyNudge.KIND: _typed(WeeklyNudge.from_json, render_weekly_nudge_row, "weekly_nudge"),
    Escalation.KIND: _typed(Escalation.from_json, render_escalation_row, "escalation"),
    DigestPayload.KIND: _typed(DigestPayload.from_json, render_digest_row, "digest"),
    DigestDetails.KIND: _typed(
        DigestDetails.from_json, render_digest_details_row, "digest_details"
    ),
    RetroRequest.KIND: _typed(RetroRequest.from_json, render_retro_row, "retrospective"),
    RetroReport.KIND: _typed(RetroReport.from_json, render_retro_row, "retrospective"),
    ArchiveReady.KIND: _typed(ArchiveReady.from_json, render_archive_ready_row, "retrospective"),
}


def render(
    ctx: RenderContext, kind: str, recipients: Sequence[str], payload: StoredJSON
) -> EmailMessage:
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise RenderError(f"no renderer for outbox kind {kind!r}")
    msg = renderer(ctx, recipients, payload)
    return add_thread_headers(msg, kind, recipients, ctx.config.mail.domain)
