"""Which renderer turns an outbox row of each ``kind`` into a message: one line per kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from typing import Any

from mailflow.outbound.answer import render_answer_row
from mailflow.outbound.compose import RenderContext, RenderError, render_plain_message
from mailflow.outbound.notice_mail import render_notice_row
from mailflow.outbound.receipt import render_receipt_row

Renderer = Callable[[RenderContext, Sequence[str], Mapping[str, Any]], EmailMessage]

RENDERERS: dict[str, Renderer] = {
    "message": render_plain_message,
    "notice": render_notice_row,
    "receipt": render_receipt_row,
    "answer": render_answer_row,
}


def render(
    ctx: RenderContext, kind: str, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise RenderError(f"no renderer for outbox kind {kind!r}")
    return renderer(ctx, recipients, payload)
