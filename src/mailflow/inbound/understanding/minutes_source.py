"""What a minutes mail says: its new text (tables kept as rows) and the tables attached to it.

Pure: an :class:`~mailflow.inbound.reading.mail.InboundMail` in, a :class:`MinutesSource` out,
remembered by the mail (a worker process may have read it ahead). The text is the reply's new text
(:mod:`mailflow.inbound.understanding.replies.reply_text`: quotes, forwarded parts and signature
cut), except that an HTML body holding a table is read from its HTML with the table's grid kept
(``html_reply_text(table_rows=True)``): the text alternative Outlook and Foxmail generate puts every
cell of a Word table on a line of its own, which no reader can put back together.

A forward (``Fwd:``, ``转发：``) brings the forwarded text along — the scribe who forgot to copy the
bot forwards the minutes — and says whether what was forwarded is another system's notes (an OA
system's 会议纪要通知, a Zoom/Teams/腾讯会议/飞书 AI summary): those wait for the scribe's PUBLISH.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from mailflow.domain.minutes import Problem
from mailflow.domain.minutes_tables import Table
from mailflow.domain.problem_messages import is_chinese
from mailflow.inbound.reading.attachments import attached_tables
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.reading.mailtext import header_text, leaf_parts
from mailflow.inbound.understanding.replies.reply_html import html_reply_text
from mailflow.inbound.understanding.replies.reply_quotes import forwarded_text
from mailflow.inbound.understanding.replies.reply_text import html_source, reply_body
from mailflow.inbound.understanding.replies.reply_trim import trim_reply

_TABLE = re.compile(r"<table\b", re.IGNORECASE)
# Notes a system wrote (an OA notice, a meeting tool's AI summary), not the scribe.
_SYSTEM_NOTES = re.compile(
    r"\bAI\s*(?:Companion|summary|recap|notes)|AI\s*(?:纪要|小助手|助手|会议纪要|总结|生成)"
    r"|智能纪要|智能会议纪要|飞书妙记|妙记|会议纪要通知|由\s*AI\s*生成|\bCopilot\b|Zoom\s+AI"
    r"|meeting\s+(?:summary|recap)\s+(?:by|from|generated)|(?:此邮件|本邮件)由系统自动发送"
    r"|系统自动发送|请勿直接回复|\bdo\s+not\s+reply\b|\bno-?reply@|泛微|致远|OA\s*系统",
    re.IGNORECASE,
)
_FORWARD = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|fw|转发|轉寄|轉發|tr|wg)\s*[:：]", re.I)


@dataclass(frozen=True)
class MinutesSource:
    """The new text of a minutes mail, its attached tables, and attachments it could not read."""

    text: str
    tables: tuple[Table, ...] = ()
    problems: tuple[Problem, ...] = ()
    forwarded_summary: bool = False  # another system's notes, forwarded for information


def system_notes(text: str) -> bool:
    """Whether ``text`` reads like a system's notification or an AI summary, not a person's."""
    return _SYSTEM_NOTES.search(text) is not None


def minutes_source(mail: InboundMail) -> MinutesSource:
    """:func:`read_source` of ``mail``, remembered by the mail."""
    return mail.remember("minutes_source", lambda: read_source(mail.message))


def read_source(message: Message) -> MinutesSource:
    """The new text of ``message`` with its tables as tab-separated rows, and its attachments'
    tables (see the module docstring)."""
    body = _body(message)
    text = trim_reply(body)
    summary = False
    if _FORWARD.match(header_text(message, "Subject")):
        summary = _SYSTEM_NOTES.search(forwarded_text(body, with_header=True)) is not None
        trimmed = trim_reply(forwarded_text(body))
        text = f"{text}\n\n{trimmed}" if trimmed else text
    tables, problems = attached_tables(message, chinese=is_chinese(text))
    return MinutesSource(text, tuple(tables), tuple(problems), summary)


def _body(message: Message) -> str:
    for part in leaf_parts(message):
        if part.get_content_type() != "text/html" or part.get_content_disposition() == "attachment":
            continue
        html = html_source(part)
        if _TABLE.search(html):
            return html_reply_text(html, table_rows=True)
        break
    return reply_body(message)
