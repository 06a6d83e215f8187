"""Outbox kind ``answer``: a short reply to a person's mail.

An RSVP recorded, an RSVP summary, a refusal with its reason, the list of valid commands.

The words are chosen when the answer is planned (``answer_texts``, per locale); the payload holds
paragraphs and an optional table, and this renderer lays them out as text and HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from typing import Any

from jinja2 import TemplateError

from mailflow.outbound.answer_data import Answer, AnswerFile, PayloadError, table_of
from mailflow.outbound.compose import RenderContext, RenderError, base_message
from mailflow.outbound.templating import environment, get_template


def answer_payload(
    *,
    locale: str,
    subject: str,
    paragraphs: Sequence[str],
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    table: tuple[Sequence[str], Sequence[Sequence[str]]] | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> dict[str, Any]:
    """An :class:`~mailflow.outbound.answer_data.Answer` as the outbox stores it;
    ``attachments``: (filename, content type, bytes) carried with the answer."""
    return Answer(
        locale=locale,
        subject=subject,
        paragraphs=tuple(paragraphs),
        in_reply_to=in_reply_to,
        references=tuple(references),
        table=table_of(table),
        attachments=tuple(AnswerFile(name, kind, data) for name, kind, data in attachments),
    ).to_json()


def render_answer_row(
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    try:
        answer = Answer.from_json(payload)
    except PayloadError as exc:
        raise RenderError(f"answer payload is malformed: {exc}") from exc
    locale, subject, paragraphs = answer.locale, answer.subject, list(answer.paragraphs)
    env = environment(ctx.config.templates_dir)
    default = ctx.config.mail.default_locale
    values = {
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
