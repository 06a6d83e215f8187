"""Build outgoing messages: the headers every mail from mailflow carries, and plain messages.

Pure: a renderer turns an outbox row's payload into an ``EmailMessage``; the sender adds the
Message-ID it recorded before sending. The renderers per outbox kind are listed in
:mod:`mailflow.outbound.delivery.registry`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import ClassVar

from mailflow.config.schema import Config
from mailflow.errors import MailflowError
from mailflow.mailpolicy import POLICY
from mailflow.outbound.rendering.payload_fields import (
    JSONObject,
    StoredJSON,
    flag,
    opt_text,
    text,
    texts,
    version,
)


class RenderError(MailflowError):
    """An outbox row cannot become a message (unknown kind, bad payload): a permanent failure."""


@dataclass(frozen=True)
class RenderContext:
    config: Config
    now: datetime
    # The meeting of the outbox row being rendered (its ``meeting_id``), for the link to its
    # page on the board; None when the row names none.
    meeting_id: int | None = None


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


@dataclass(frozen=True)
class PlainMessage:
    """Outbox kind ``message``: a text (and optional HTML) mail given whole."""

    KIND: ClassVar[str] = "message"
    VERSION: ClassVar[int] = 1

    subject: str
    text: str
    html: str | None = None
    locale: str | None = None
    automatic: bool = True
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "locale": self.locale,
            "automatic": self.automatic,
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> PlainMessage:
        version(data, cls.VERSION)
        return cls(
            subject=text(data, "subject"),
            text=text(data, "text"),
            html=opt_text(data, "html"),
            locale=opt_text(data, "locale"),
            automatic=flag(data, "automatic", True),
            in_reply_to=opt_text(data, "in_reply_to"),
            references=texts(data.get("references"), "references"),
        )


def render_plain_message(
    ctx: RenderContext, recipients: Sequence[str], payload: PlainMessage
) -> EmailMessage:
    """Kind ``message``: a text (and optional HTML) mail given whole in the payload."""
    msg = base_message(
        ctx,
        recipients=recipients,
        subject=payload.subject,
        automatic=payload.automatic,
        in_reply_to=payload.in_reply_to,
        references=payload.references,
    )
    msg.set_content(payload.text)
    if payload.html:
        msg.add_alternative(payload.html, subtype="html")
    msg["Content-Language"] = (payload.locale or ctx.config.mail.default_locale).replace("_", "-")
    return msg
