"""Get readable text out of a message: robust charset decoding and HTML to text.

Declared charsets lie (a GB2312 label on GBK text, a Big5 label on UTF-8), so :func:`decode_bytes`
tries UTF-8 first (non-UTF-8 CJK text is almost never valid UTF-8), then the declared charset with
GB2312/GBK widened to GB18030, then GB18030 and Big5, and finally replaces what is left.

Cutting the quote out of a reply is understanding, not reading: see
:func:`~mailflow.inbound.understanding.replies.reply_trim.trim_reply`.
"""

from __future__ import annotations

import codecs
import contextlib
import email.errors
import email.header
from collections.abc import Iterator
from email.message import Message
from html.parser import HTMLParser

# Charsets whose real-world text is a superset: decode with the superset.
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}
_WIDER |= {"big5": "big5hkscs", "ascii": "utf-8", "us-ascii": "utf-8", "iso-8859-1": "cp1252"}
_MAX_PARTS = 500  # a hostile message with thousands of parts is not walked to its end


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    label = name.strip().strip('"').lower()
    label = _WIDER.get(label, label)
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):  # a NUL in the name raises ValueError
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from ``data``: UTF-8, else the declared charset, else GB18030, Big5; never raises."""
    declared = _codec(charset)
    candidates = ["utf-8", declared, "gb18030", "big5hkscs"]
    if declared is not None and declared.startswith(("utf-16", "utf-32", "utf-7")):
        # Wide encodings are valid UTF-8 byte soup (NULs): trust the label first.
        candidates.insert(0, declared)
    for name in candidates:
        if name is None:
            continue
        try:
            return data.decode(name).removeprefix("\ufeff")
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode(declared or "utf-8", "replace")


def part_text(part: Message) -> str:
    """The decoded text of one leaf part (transfer encoding and charset undone)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def leaf_parts(message: Message) -> Iterator[Message]:
    """The message's own leaf parts, depth first; attached messages (message/*) are not entered."""
    stack = [message]
    seen = 0
    while stack and seen < _MAX_PARTS:
        part = stack.pop()
        seen += 1
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(reversed([c for c in children if isinstance(c, Message)]))
        elif part.get_content_maintype() != "message":
            yield part


def body_text(message: Message) -> str:
    """The message's text: its first inline text/plain part, else its HTML converted to text."""
    html: str | None = None
    for part in leaf_parts(message):
        if part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() == "text/plain":
            return part_text(part)
        if part.get_content_type() == "text/html" and html is None:
            html = part_text(part)
    return html_to_text(html) if html is not None else ""


class _TextBuilder(HTMLParser):
    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6"})
    _BLOCKS |= frozenset({"ul", "ol", "pre", "hr", "blockquote", "section", "article", "dd", "dt"})
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []  # (blockquote depth, text)
        self._line: list[str] = []
        self._quote = 0
        self._skip = 0
        self._cells = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._line).split())
        if text or (self.lines and self.lines[-1][1]):
            self.lines.append((self._quote, text))
        self._line = []
        self._cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCKS:
            self._flush()
            self._quote += tag == "blockquote"
            if tag == "li":
                self._line.append("- ")
        elif tag in {"td", "th"}:
            # Table cells keep their order with " | " between them, the agenda line format.
            if self._cells:
                self._line.append(" | ")
            self._cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self._flush()
            if tag == "blockquote":
                self._quote = max(0, self._quote - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._line.append(data.replace("\xa0", " "))


def html_to_text(html: str) -> str:
    """Plain text of an HTML body: one line per block, table rows as ``a | b``, quotes as ``>``."""
    builder = _TextBuilder()
    builder.feed(html)
    builder.close()
    builder._flush()
    return "\n".join(("> " * depth + text).rstrip() for depth, text in builder.lines).strip()


def header_text(message: Message, name: str) -> str:
    """A header's value as text (RFC 2047 words decoded, unfolded); '' when absent or broken."""
    value = message.get(name)
    if value is None:
        return ""
    text = str(value)
    if "=?" in text:
        with contextlib.suppress(UnicodeError, LookupError, ValueError, email.errors.MessageError):
            text = str(email.header.make_header(email.header.decode_header(text)))
    return " ".join(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").split())
