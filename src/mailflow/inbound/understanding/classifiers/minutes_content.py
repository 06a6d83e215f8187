"""Minutes recognised by what they hold, when the subject does not say so.

Scribes often answer the organiser's own notice (``答复: 【会议通知】8月经营分析会``, ``Re: Release
3.2 go/no-go``) with the minutes and the bot in Cc: mailflow did not start that thread, so the
reply classifier does not know it, and nothing in the subject names minutes. Last in the
registry, after every header-only classifier, this one reads the mail's text: a reply whose new
text has a section of actions or decisions (``二、待办事项``, ``Action items:``, ``ACTION:``), an
action table, an attached action sheet, or sentences that give tasks (``由张伟负责…前``) is minutes.
"""

from __future__ import annotations

import re

from mailflow.domain.item_dues import ZH_DEADLINE
from mailflow.domain.minutes_lines import split_entries
from mailflow.domain.minutes_tables import read_table
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classification import Classification
from mailflow.inbound.understanding.minutes_source import minutes_source
from mailflow.text_forms import simplified

_DEADLINE = ZH_DEADLINE
_BY = re.compile(r"\b(?:by|due|before)\s+(?:mon|tue|wed|thu|fri|eod|eow|cob|next|end|\d)", re.I)
_REPLY = re.compile(r"^\s*(?:re|aw|sv|回复|答复|回覆|答覆)\s*[:：]", re.IGNORECASE)
_ASSIGNED = re.compile(
    r"由\S{1,12}?(?:负责|牵头|落实|跟进)|请\S{1,12}?于\S{1,12}?前|\S{1,8}?牵头[，,]"
    r"|\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s+(?:to|will)\s+\w+.{0,80}?\b(?:by|due)\b",
)


def classify(mail: InboundMail) -> Classification | None:
    if _REPLY.match(mail.subject) is None:
        return None
    source = minutes_source(mail)
    if any(read_table(table) for table in source.tables):
        return Classification("minutes", "an attached action sheet")
    for entry in split_entries(source.text):
        if entry.kind in ("action", "decision"):
            return Classification("minutes", "a reply holding actions or decisions")
        if entry.kind == "table" and entry.table is not None and read_table(entry.table):
            return Classification("minutes", "a reply holding an action table")
    view = simplified(source.text)
    lines = [line for line in view.splitlines() if line.strip()]
    dated = sum(1 for line in lines if _DEADLINE.search(line) or _BY.search(line))
    if len(_ASSIGNED.findall(view)) >= 2 or dated >= 2:
        return Classification("minutes", "a reply whose sentences give tasks with deadlines")
    return None
