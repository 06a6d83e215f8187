"""Commands in the new text of a reply, English and Chinese: RSVP words and STATUS.

Pure: text in (already trimmed of quotes and signature), commands out. A command is a keyword at
the start of a line, optionally followed by free text (the RSVP comment). Longer keywords are
tried first, so "不参加" is never read as "参加". Callers act on the first RSVP only.

Traditional Chinese (參加, 不參加, 發布, 詳情) is read through :func:`~mailflow.text_forms.
simplified`, which keeps every character's position, so the keyword lists hold Simplified words
only, plus the few that Taiwan says differently (未定, 暫定, 不克出席, 回覆情形); what follows a
keyword (a comment, a department) is taken from the text as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mailflow.text_forms import simplified

Verb = Literal["rsvp", "status"]
PartStat = Literal["ACCEPTED", "DECLINED", "TENTATIVE"]


@dataclass(frozen=True)
class Command:
    verb: Verb
    args: dict[str, str]
    line: str


_RSVP_WORDS: dict[str, PartStat] = {
    "accept": "ACCEPTED",
    "accepted": "ACCEPTED",
    "参加": "ACCEPTED",
    "出席": "ACCEPTED",
    "接受": "ACCEPTED",
    "decline": "DECLINED",
    "declined": "DECLINED",
    "不参加": "DECLINED",
    "不出席": "DECLINED",
    "拒绝": "DECLINED",
    "tentative": "TENTATIVE",
    "待定": "TENTATIVE",
    "可能参加": "TENTATIVE",
    # Taiwan's words, as simplified() reads them (不克出席 is "cannot attend").
    "不克出席": "DECLINED",
    "不克参加": "DECLINED",
    "未定": "TENTATIVE",
    "暂定": "TENTATIVE",
}
_STATUS_WORDS = ("status", "状态", "回复情况", "回复情形")
_KEYWORDS = sorted([*_RSVP_WORDS, *_STATUS_WORDS], key=len, reverse=True)
# A keyword stands alone or is followed by punctuation or a space: "Accepted" is a command,
# "Acceptance criteria" is not, and "参加会议的人" is a sentence, not an RSVP. Everyday words
# that open sentences ("yes", "no", "maybe") are deliberately not commands.
_LINE = re.compile(
    r"^[\s\-*•>]*(?P<word>" + "|".join(re.escape(k) for k in _KEYWORDS) + r")"
    r"(?P<rest>(?:[\s:：,，.。!！;；-].*)?)$",
    re.IGNORECASE,
)


def parse_commands(text: str) -> list[Command]:
    """Every command line in ``text``, in order."""
    commands: list[Command] = []
    for raw in text.splitlines():
        line = raw.strip()
        match = _LINE.match(simplified(line))
        if match is None:
            continue
        word = match["word"].lower()
        rest = line[match.start("rest") :].strip(" \t:：,，.。!！;；-")
        if word in _STATUS_WORDS:
            commands.append(Command("status", {}, line))
        else:
            commands.append(Command("rsvp", {"partstat": _RSVP_WORDS[word], "comment": rest}, line))
    return commands


_STOP = re.compile(
    r"^\s*(?:stop\s+reminders?|unsubscribe|停止提醒|退订提醒|取消提醒)\s*[.。!！]?\s*$", re.I
)


def wants_stop_reminders(text: str, subject: str = "") -> bool:
    """``STOP REMINDERS`` on a line of its own, or as the subject (the List-Unsubscribe mailto)."""
    lines = [subject, *text.splitlines()]
    return any(_STOP.match(simplified(line)) for line in lines)


_DETAILS = re.compile(r"^\s*(?:details|详情|明细)\s*[:：]?\s*(?P<department>\S.*?)\s*$", re.I)


def details_request(text: str) -> str | None:
    """The department in ``DETAILS <department>`` / ``详情 <部门>`` on a line of its own."""
    for line in text.splitlines():
        found = _DETAILS.match(simplified(line))
        if found:
            return line[found.start("department") : found.end("department")]
    return None


_PUBLISH = re.compile(
    r"^\s*(?:publish(?:\s+(?:as\s+is|it|them|the\s+minutes))?|ok,?\s+publish|确认发布|同意发布|按原样发布"
    r"|发布纪要|发布|發布|確認發布)\s*[.。!！]?\s*$",
    re.IGNORECASE,
)


def wants_publish(text: str) -> bool:
    """Whether the first line written is PUBLISH / 发布: release the held minutes as they are."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return _PUBLISH.match(simplified(first)) is not None
