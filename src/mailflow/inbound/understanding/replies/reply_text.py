"""The new text of a reply — what the person actually wrote — from a message of any mail client.

Every command parser reads only this text, so a command inside a quote is never executed.
:func:`new_text` chooses the body (text/plain first, else the HTML with its quote containers
marked or cut), decodes it robustly (:func:`~mailflow.inbound.reading.mailtext.decode_bytes`: UTF-8,
the declared charset widened, GB18030, Big5; ISO-2022-JP and its kin by their label, since seven-bit
text is valid UTF-8 too) and undoes ``format=flowed``; :func:`trim_reply` then removes quotes,
forwarded parts (:mod:`~mailflow.inbound.understanding.replies.reply_quotes`), the signature and
client footer (:mod:`~mailflow.inbound.understanding.replies.reply_signature`) and the closing with
the name under it (:mod:`~mailflow.inbound.understanding.replies.reply_signoff`), which the From
header (:func:`sender_of`) helps recognise. Everything here is pure: no I/O.

Public API: :func:`new_text` (message in), :func:`trim_reply` (text in), and the stages behind
them for callers and tests that need one: :func:`reply_body`, :func:`html_reply_text`,
:func:`strip_quotes`, :func:`strip_signature`, :func:`unflow`.

What counts as new text (the rule for bottom-posting and interleaved quoting): every line not
quoted with ``>`` and not below an unmarked quote's header. Answers written under or between
``>`` quotes are kept; a reply with no quote is kept whole, less its signature.
"""

from __future__ import annotations

import contextlib
import email.errors
import email.header
import re
from email.message import Message
from email.utils import parseaddr

from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.reading.mailtext import decode_bytes, leaf_parts
from mailflow.inbound.understanding.replies.reply_html import html_reply_text
from mailflow.inbound.understanding.replies.reply_quotes import split_lines, strip_quotes
from mailflow.inbound.understanding.replies.reply_signature import strip_signature
from mailflow.inbound.understanding.replies.reply_trim import Sender, trim_reply

__all__ = [
    "html_reply_text",
    "new_text",
    "reply_body",
    "reply_text_of",
    "sender_of",
    "strip_quotes",
    "strip_signature",
    "trim_reply",
    "unflow",
]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w:.]+)""", re.IGNORECASE)
# Seven-bit charsets that switch with escape sequences: their bytes are valid UTF-8 as well.
_ESCAPED_CHARSETS = ("iso-2022-", "iso2022", "csiso2022", "hz-gb-2312", "hz")


def new_text(message: Message) -> str:
    """What the sender of ``message`` wrote, without quotes, forwarded parts, signature and
    sign-off (the sender's own name and address under the text included)."""
    return trim_reply(reply_body(message), sender=lambda: sender_of(message))


def sender_of(message: Message) -> Sender | None:
    """The display name and address of ``message``'s From header, or None without one.

    Read from the raw header (RFC 2047 words decoded): the header registry's full parse costs
    more than trimming the whole reply.
    """
    for name, raw in message.raw_items():
        if name.lower() != "from":
            continue
        value = " ".join(str(raw).split())
        if not value.isascii():  # raw UTF-8 in the header (RFC 6532) arrives as surrogates
            value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if "=?" in value:
            with contextlib.suppress(
                UnicodeError, LookupError, ValueError, email.errors.MessageError
            ):
                value = str(email.header.make_header(email.header.decode_header(value)))
        display, address = parseaddr(value)
        return Sender(display.strip(), address.strip()) if display or address else None
    return None


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
    payload = part.get_payload(decode=True)
    text = _decode(payload, part.get_content_charset()) if isinstance(payload, bytes) else ""
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
    return _decode(payload, charset)


def _decode(payload: bytes, charset: str | None) -> str:
    """:func:`decode_bytes`, except that ISO-2022-JP/KR/CN and HZ text — seven bits, so valid
    UTF-8 too — is read with its label when it holds an escape sequence."""
    label = (charset or "").strip().strip('"').lower()
    if label.startswith(_ESCAPED_CHARSETS) and (b"\x1b" in payload or b"~{" in payload):
        with contextlib.suppress(LookupError, ValueError):  # ValueError: a NUL in the label
            return payload.decode(label)
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
