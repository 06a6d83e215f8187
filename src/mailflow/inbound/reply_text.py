"""The new text of a reply — what the person actually wrote — from a message of any mail client.

Every command parser reads only this text, so a command inside a quote is never executed.
:func:`new_text` chooses the body (text/plain first, else the HTML with its quote containers
marked or cut), decodes it robustly (:func:`~mailflow.inbound.mailtext.decode_bytes`: UTF-8, the
declared charset widened, GB18030, Big5) and undoes ``format=flowed``; :func:`trim_reply` then
removes quotes, forwarded parts (:mod:`~mailflow.inbound.reply_quotes`) and the signature
(:mod:`~mailflow.inbound.reply_signature`). Everything here is pure: no I/O.

Public API: :func:`new_text` (message in), :func:`trim_reply` (text in), and the stages behind
them for callers and tests that need one: :func:`reply_body`, :func:`html_reply_text`,
:func:`strip_quotes`, :func:`strip_signature`, :func:`unflow`.

What counts as new text (the rule for bottom-posting and interleaved quoting): every line not
quoted with ``>`` and not below an unmarked quote's header. Answers written under or between
``>`` quotes are kept; a reply with no quote is kept whole, less its signature.
"""

from __future__ import annotations

import re
from email.message import Message

from mailflow.inbound.mail import InboundMail
from mailflow.inbound.mailtext import decode_bytes, leaf_parts, part_text
from mailflow.inbound.reply_html import html_reply_text
from mailflow.inbound.reply_quotes import split_lines, strip_quotes
from mailflow.inbound.reply_signature import strip_signature
from mailflow.inbound.reply_trim import trim_reply

__all__ = [
    "html_reply_text",
    "new_text",
    "reply_body",
    "reply_text_of",
    "strip_quotes",
    "strip_signature",
    "trim_reply",
    "unflow",
]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w:.]+)""", re.IGNORECASE)


def new_text(message: Message) -> str:
    """What the sender of ``message`` wrote, without quotes, forwarded parts and signature."""
    return trim_reply(reply_body(message))


def reply_text_of(mail: InboundMail) -> str:
    """:func:`new_text` of ``mail``, remembered by the mail (trimmed once, perhaps ahead)."""
    return mail.remember("new_text", lambda: new_text(mail.message))


def reply_body(message: Message) -> str:
    """The body of ``message`` as text (plain part preferred, else HTML with its quotes cut)."""
    plain: Message | None = None
    html: Message | None = None
    for part in leaf_parts(message):
        content_type = part.get_content_type()
        wanted = (content_type == "text/plain" and plain is None) or (
            content_type == "text/html" and html is None
        )
        if not wanted or part.get_content_disposition() == "attachment" or part.get_filename():
            continue
        if content_type == "text/plain":
            plain = part
        else:
            html = part
    if plain is not None:
        text = _plain_text(plain)
        # Some clients send an empty plain alternative next to the real HTML body.
        if text.strip() or html is None:
            return text
    return html_reply_text(html_source(html)) if html is not None else ""


def _plain_text(part: Message) -> str:
    text = part_text(part)
    if part.get_param("format", "", header="content-type") == "flowed":
        delsp = str(part.get_param("delsp", "", header="content-type")).lower() == "yes"
        text = unflow(text, delsp=delsp)
    return text


def html_source(part: Message) -> str:
    """The HTML of ``part`` as text: its MIME charset, else its ``<meta charset>``, decoded."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset()
    if charset is None:
        # Without a MIME charset the document's own <meta charset> is the best hint there is.
        found = _META_CHARSET.search(payload[:4096])
        charset = found.group(1).decode("ascii", "replace") if found else None
    return decode_bytes(payload, charset)


def unflow(text: str, *, delsp: bool = False) -> str:
    """``format=flowed`` text (RFC 3676) as the lines its writer typed: soft breaks joined."""
    out: list[str] = []
    paragraph: str | None = None
    depth = 0
    for raw in split_lines(text):
        content = raw.lstrip(">")
        level = len(raw) - len(content)
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if paragraph is not None and level != depth:
            out.append(_quoted(paragraph, depth))
            paragraph = None
        paragraph = content if paragraph is None else paragraph + content
        depth = level
        if content.endswith(" ") and content != "-- ":
            if delsp:
                paragraph = paragraph[:-1]
            continue
        out.append(_quoted(paragraph, depth))
        paragraph = None
    if paragraph is not None:
        out.append(_quoted(paragraph, depth))
    return "\n".join(out)


def _quoted(text: str, depth: int) -> str:
    return f"{'>' * depth} {text}" if depth else text
