"""The new text of a collaboration request mail (协作需求单), tables kept as rows. Pure.

An HTML body with a table (Word/Outlook, 飞书) is read from its HTML with each row on one line,
cells separated by tabs: Word wraps every cell in a ``<p class=MsoNormal>`` and a client's
plain-text version of a table puts label and value on lines of their own, so which value belongs
to which label would be lost. Anything else is read like a reply: the plain part (else the HTML),
with quotes, forwarded parts and the signature cut, so an earlier mail's fields never count.
"""

from __future__ import annotations

import re
from email.message import Message

from mailflow.inbound.reading.mailtext import leaf_parts
from mailflow.inbound.understanding.replies.reply_html import html_reply_text
from mailflow.inbound.understanding.replies.reply_text import html_source, reply_body
from mailflow.inbound.understanding.replies.reply_trim import trim_reply

_TABLE = re.compile(r"<table\b", re.IGNORECASE)


def request_text(message: Message) -> str:
    """The requester's own text of ``message`` (see the module docstring)."""
    for part in leaf_parts(message):
        if part.get_content_type() != "text/html" or part.get_content_disposition() == "attachment":
            continue
        html = html_source(part)
        if _TABLE.search(html):
            return trim_reply(html_reply_text(html, table_rows=True))
        break
    return trim_reply(reply_body(message))
