"""Split the text of a "MEETING:" mail into its fields (When/时间, Where/地点, Agenda/议程 ...).

A field line is ``key: value`` with an ASCII or full-width colon; keys are compared after NFKC and
casefolding, so ``WHEN``, ``When`` and ``时间`` all name the same field. List fields (attendees,
agenda, materials, description) also take the lines that follow, up to a blank line or the next
field; text outside every field becomes the meeting's description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailflow.domain.directory import normalise

_KEYS: dict[str, tuple[str, ...]] = {
    "when": (
        *("when", "time", "date & time", "date and time", "datetime", "start", "starts"),
        *("时间", "会议时间", "开始时间", "日期时间"),
    ),
    "date": ("date", "day", "日期"),
    "duration": ("duration", "length", "时长", "会议时长", "持续时间"),
    "end": ("end", "ends", "end time", "until", "结束", "结束时间"),
    "where": ("where", "location", "place", "room", "venue", "地点", "会议地点", "会议室", "地址"),
    "online": (
        *("link", "url", "online", "meeting link", "join", "video"),
        *("会议链接", "链接", "线上", "线上会议", "在线会议", "视频会议"),
    ),
    "attendees": (
        *("attendees", "attendee", "participants", "invitees", "invite"),
        *("参会人", "参会人员", "与会人", "与会人员", "出席人员", "参加人员", "参会者", "参与人"),
    ),
    "scribe": (
        *("scribe", "note taker", "notetaker", "minutes taker", "minute taker", "secretary"),
        *("记录人", "记录员", "会议记录", "纪要"),
    ),
    "agenda": ("agenda", "议程", "会议议程", "议题"),
    "materials": (
        *("materials", "material", "documents", "docs", "pre-reading", "reading"),
        *("材料", "会议材料", "阅读材料", "参考材料", "资料"),
    ),
    "timezone": ("timezone", "time zone", "tz", "时区"),
    "project": ("project", "项目", "所属项目", "项目名称", "專案", "項目"),
    "acceptor": ("acceptor", "accepted by", "验收人", "驗收人"),
    "coordinator": ("coordinator", "project coordinator", "协调人", "项目协调人", "協調人"),
    "lead_department": (
        *("lead department", "leading department", "lead dept", "owner department"),
        *("牵头部门", "主导部门", "发起部门", "牽頭部門", "主導部門", "發起部門"),
    ),
    "daily_update": (
        *("daily update", "daily updates", "daily report", "daily progress", "daily standup"),
        *("每日进展", "每日汇报", "日报", "每日進展", "每日匯報", "日報", "每日进度"),
    ),
    "project_end": (
        *("project end", "project ends", "project end date", "project deadline"),
        *("项目结束", "项目结束日期", "项目截止", "项目截止日期", "项目完成日期"),
        *("專案結束", "專案結束日期", "專案截止日期"),
    ),
    "description": (
        *("description", "notes", "note", "details", "purpose"),
        *("说明", "备注", "描述", "会议说明", "目的", "会议目的"),
    ),
}
FIELD_OF_KEY = {normalise(key): name for name, keys in _KEYS.items() for key in keys}
LIST_FIELDS = frozenset({"attendees", "agenda", "materials", "description"})

_FIELD_LINE = re.compile(r"^\s*[-*•]?\s*\**(?P<key>[^:：\n]{1,24}?)\**\s*[:：]\s*(?P<value>.*)$")
_BULLET = re.compile(
    r"^\s*(?:[-*•·▪◦]|\d{1,2}\s*[.)、．]|[(（]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,2}\s*[、.．])\s*"
)


@dataclass
class Fields:
    """The fields of a mail: each field's lines (same-line value first), and the free text."""

    values: dict[str, list[str]] = field(default_factory=dict)
    free: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)

    def text(self, name: str) -> str | None:
        """A scalar field's value, or None when absent or empty."""
        lines = self.values.get(name)
        value = " ".join(line for line in lines or () if line).strip()
        return value or None


def field_of(line: str) -> tuple[str, str] | None:
    """``(field, value)`` when ``line`` is a field line, else None."""
    match = _FIELD_LINE.match(line)
    if match is None:
        return None
    name = FIELD_OF_KEY.get(normalise(match.group("key")))
    return None if name is None else (name, match.group("value").strip())


def read_fields(text: str) -> Fields:
    """Every field in ``text``; a field given twice keeps its first value and is reported."""
    fields = Fields()
    current: str | None = None  # the list field that is taking continuation lines
    for line in text.splitlines():
        found = field_of(line)
        if found is not None:
            name, value = found
            if name in fields.values:
                fields.repeated.append(name)
                current = None
                continue
            fields.values[name] = [value] if value else []
            current = name if name in LIST_FIELDS else None
            continue
        if not line.strip():
            # A blank line ends a list, unless the list has not started yet ("Agenda:" + blank).
            if current is not None and fields.values[current]:
                current = None
            continue
        if current is not None:
            fields.values[current].append(line.strip())
        else:
            fields.free.append(line.rstrip())
    return fields


def strip_bullet(line: str) -> str:
    """A list line without its bullet or number (``-``, ``1.``, ``(2)``, ``③``, ``一、``)."""
    return _BULLET.sub("", line, count=1).strip()


def split_agenda_line(line: str) -> list[str]:
    """``topic | owner | minutes | expected conclusion`` → its parts, stripped (``｜`` too)."""
    return [part.strip() for part in strip_bullet(line).replace("｜", "|").split("|")]
