"""Outbox kind ``answer``: a short reply to a person's mail.

An RSVP recorded, an RSVP summary, a refusal with its reason, the list of valid commands.

The words are chosen when the answer is planned (``answer_texts``, per locale); the payload holds
paragraphs and an optional table, and this renderer lays them out as text and HTML.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from typing import Any

from jinja2 import TemplateError

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
    """``attachments``: (filename, content type, bytes) carried with the answer."""
    payload: dict[str, Any] = {
        "locale": locale,
        "subject": subject,
        "paragraphs": list(paragraphs),
        "in_reply_to": in_reply_to,
        "references": list(references),
        "table": None
        if table is None
        else {"headers": list(table[0]), "rows": [list(r) for r in table[1]]},
    }
    if attachments:
        payload["attachments"] = [
            {"filename": name, "content_type": kind, "data": base64.b64encode(data).decode()}
            for name, kind, data in attachments
        ]
    return payload


def render_answer_row(
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    try:
        locale = str(payload["locale"])
        subject = str(payload["subject"])
        paragraphs = [str(p) for p in payload["paragraphs"]]
    except (KeyError, TypeError) as exc:
        raise RenderError(f"answer payload is malformed: {exc}") from exc
    env = environment(ctx.config.templates_dir)
    default = ctx.config.mail.default_locale
    values = {
        "subject": subject,
        "paragraphs": paragraphs,
        "table": payload.get("table"),
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
    in_reply_to = payload.get("in_reply_to")
    references = [*payload.get("references", ()), *([in_reply_to] if in_reply_to else [])]
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
    for attached in payload.get("attachments") or ():
        try:
            data = base64.b64decode(str(attached["data"]), validate=True)
            maintype, _, subtype = str(attached["content_type"]).partition("/")
            name = str(attached["filename"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RenderError(f"answer attachment is malformed: {exc}") from exc
        msg.add_attachment(
            data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=name,
        )
    # Set last: set_content() and add_alternative() drop or relocate Content-* headers.
    msg["Content-Language"] = chosen.replace("_", "-")
    return msg
