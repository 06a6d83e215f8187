"""Outbox kind ``answer``: a short reply to a person's mail.

An RSVP recorded, an RSVP summary, a refusal with its reason, the list of valid commands.

The words are chosen when the answer is planned (``answer_texts``, per locale); the payload holds
paragraphs and an optional table, and this renderer lays them out as text and HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from typing import Literal

from jinja2 import TemplateError

from mailflow.outbound.kinds.answers.answer_data import (
    AcceptanceRequest,
    Answer,
    AnswerFile,
    AtRiskPrompt,
    DailyUpdate,
    RequestAssignment,
    table_of,
)
from mailflow.outbound.rendering.board_link import board_values, links_for
from mailflow.outbound.rendering.compose import RenderContext, RenderError, base_message
from mailflow.outbound.rendering.templating import environment, get_template

# The outbox kinds an answer is sent as (see :mod:`mailflow.outbound.kinds.answers.answer_data`).
AnswerKind = Literal[
    "answer", "acceptance_request", "at_risk_prompt", "daily_update", "request_assignment"
]
# The answers that ask about an item get the reader's board link: the item is on their page.
_LINKED = {AcceptanceRequest.KIND, AtRiskPrompt.KIND}
_AS: dict[str, type[Answer]] = {
    kind.KIND: kind
    for kind in (Answer, AcceptanceRequest, AtRiskPrompt, DailyUpdate, RequestAssignment)
}


def answer_payload(
    *,
    kind: AnswerKind = "answer",
    locale: str,
    subject: str,
    paragraphs: Sequence[str],
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    table: tuple[Sequence[str], Sequence[Sequence[str]]] | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> Answer:
    """An :class:`~mailflow.outbound.kinds.answers.answer_data.Answer` to send as outbox ``kind``
    (an answer under a kind of its own is read for what it answers when replied to);
    ``attachments``: (filename, content type, bytes) carried with the answer."""
    return _AS[kind](
        locale=locale,
        subject=subject,
        paragraphs=tuple(paragraphs),
        in_reply_to=in_reply_to,
        references=tuple(references),
        table=table_of(table),
        attachments=tuple(AnswerFile(name, kind, data) for name, kind, data in attachments),
    )


def render_answer_row(
    ctx: RenderContext, recipients: Sequence[str], answer: Answer
) -> EmailMessage:
    locale, subject, paragraphs = answer.locale, answer.subject, list(answer.paragraphs)
    env = environment(ctx.config.templates_dir)
    default = ctx.config.mail.default_locale
    links = links_for(ctx, recipients) if answer.KIND in _LINKED else None
    values = {
        "board": board_values(links),
        "subject": subject,
        "paragraphs": paragraphs,
        "table": answer.table.to_json() if answer.table is not None else None,
        "bot_name": ctx.config.mail.bot_name,
        "bot_address": ctx.config.mail.bot_address,
        "lang": locale.replace("_", "-"),
    }
    try:
        text_template, chosen = get_template(env, "answer.txt.j2", locale, default)
        html_template, _ = get_template(env, "answer.html.j2", chosen, default)
        text, html = text_template.render(values), html_template.render(values)
    except TemplateError as exc:
        raise RenderError(f"cannot render an answer: {exc}") from exc
    in_reply_to = answer.in_reply_to
    references = [*answer.references, *([in_reply_to] if in_reply_to else [])]
    msg = base_message(
        ctx,
        recipients=recipients,
        subject=subject,
        automatic=False,
        in_reply_to=in_reply_to,
        references=list(dict.fromkeys(references)),
    )
    # It answers a person (RFC 3834): marked so, and Exchange should not answer it with an OOF.
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    for attached in answer.attachments:
        maintype, _, subtype = attached.content_type.partition("/")
        msg.add_attachment(
            attached.data, maintype=maintype, subtype=subtype, filename=attached.filename
        )
    # Set last: set_content() and add_alternative() drop or relocate Content-* headers.
    msg["Content-Language"] = chosen.replace("_", "-")
    return msg
