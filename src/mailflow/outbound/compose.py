"""Build outgoing messages: the headers every mail from mailflow carries, and plain messages.

Pure: a renderer turns an outbox row's payload into an ``EmailMessage``; the sender adds the
Message-ID it recorded before sending. The renderers per outbox kind are listed in
:mod:`mailflow.outbound.registry`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from mailflow.config.schema import Config
from mailflow.errors import MailflowError
from mailflow.mailpolicy import POLICY


class RenderError(MailflowError):
    """An outbox row cannot become a message (unknown kind, bad payload): a permanent failure."""


@dataclass(frozen=True)
class RenderContext:
    config: Config
    now: datetime


# Every Message-ID mailflow writes ends in ".mailflow@<domain>", so a reply to any of them is
# recognised from its In-Reply-To/References alone, before any database lookup.
MESSAGE_ID_MARK = ".mailflow@"


def new_message_id(domain: str) -> str:
    return make_msgid(idstring="mailflow", domain=domain)


def thread_root_id(key: str, domain: str) -> str:
    """The stable Message-ID a thread (a meeting's mails) refers to."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return f"<{digest}.thread.mailflow@{domain}>"


def _one_line(value: str) -> str:
    """Header values never carry CR/LF from user text: no header injection."""
    return " ".join(value.split())


def base_message(
    ctx: RenderContext,
    *,
    recipients: Sequence[str],
    subject: str,
    automatic: bool = True,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
) -> EmailMessage:
    mail = ctx.config.mail
    msg = EmailMessage(policy=POLICY)
    msg["From"] = Address(display_name=_one_line(mail.bot_name), addr_spec=mail.bot_address)
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = _one_line(subject)
    msg["Date"] = format_datetime(ctx.now)
    if automatic:
        msg["Auto-Submitted"] = "auto-generated"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references)
    return msg


def render_plain_message(
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    """Kind ``message``: a text (and optional HTML) mail given whole in the payload."""
    try:
        subject = str(payload["subject"])
        text = str(payload["text"])
    except KeyError as exc:
        raise RenderError(f"payload of a 'message' row lacks {exc.args[0]!r}") from exc
    msg = base_message(
        ctx,
        recipients=recipients,
        subject=subject,
        automatic=bool(payload.get("automatic", True)),
        in_reply_to=payload.get("in_reply_to"),
        references=payload.get("references", ()),
    )
    msg.set_content(text)
    html = payload.get("html")
    if html:
        msg.add_alternative(str(html), subtype="html")
    msg["Content-Language"] = str(payload.get("locale") or ctx.config.mail.default_locale).replace(
        "_", "-"
    )
    return msg
