"""Cut minutes text into entries: keyword lines, lines under a section heading, free lines, tables.

Pure: text in, :class:`Entry` values out. The grammar of a line, in the order it is read:

1. Clean-up: zero-width characters and soft hyphens are dropped, NBSP, full-width and other
   Unicode spaces become plain spaces, full-width letters and digits become ASCII (``３月８日`` is
   ``3月8日``), and ``**bold**`` markers are removed. Full-width punctuation (``：`` ``；`` ``，``)
   is kept, so Chinese text stays as written; the patterns accept both widths.
2. A prefix of bullets (``-`` ``*`` ``•`` ``·`` ``o``), numbering (``1.`` ``1)`` ``1、`` ``（1）``
   ``一、`` ``①`` ``a)``), Markdown ``#`` headings and ``[ ]`` check boxes is skipped; a line that
   had one is *listed*.
3. A keyword, case-insensitive, followed by an ASCII or full-width colon (``ACTION:``,
   ``行动项：``, ``会议决定：``, ``Next steps:``), or in brackets (``【决议】``, ``[ACTION]``),
   starts an entry of its kind (:data:`KEYWORDS`). ``AI:``, ``A/I``, ``TODO`` and a check box
   (``[ ]``, ``☐``) start an action.
4. A line that is only a heading — a keyword (``一、会议决议``, ``二、待办事项``, ``## Action
   items``, ``Decisions``, ``下一步工作安排：``, ``讨论内容``) — opens a section: the lines after
   it are entries of that kind until the next heading, a line numbered like the heading
   (``三、…`` after ``二、待办事项``), a closing (``谢谢``, ``Thanks``), or — when the section's
   entries are listed — an unindented line that is not. Blank lines do not end a section,
   because Outlook HTML puts one between a heading paragraph and its list. Under a ``NEXT`` or
   ``ATTENDEES`` heading only the first line is the entry, since those hold one value; sections
   such as 讨论内容 or Agenda hold nothing mailflow keeps but the tasks their sentences give.
5. A line indented deeper than its entry's first line continues that entry; a continuation that
   is itself a bullet is joined as a new field (``"; "``), plain wrapped text with a space. A mail
   client's wrapping also continues it: after a line of 60 characters or more that ends in a space
   (``format=flowed``) or is followed by one starting with a lower-case letter or a digit. A
   blank line ends an entry.
6. Tables (tab-separated rows of an HTML table or an Excel paste, ``|`` rows, columns aligned with
   spaces; :mod:`mailflow.domain.minutes_tables`) are one entry each, with the section they sit in.
7. Every other line is a free line (kind ``text``), read later for sentences that give someone a
   task; lines quoted with ``>`` are never entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mailflow.domain.minutes_tables import Table, find_tables
from mailflow.text_forms import simplified

Kind = Literal[
    "decision", "action", "dispute", "next", "attendees", "info", "other", "text", "table"
]

# Keywords per kind; English ones are matched case-insensitively and as whole words. With a colon
# and text after it they start an entry; alone on a line they are a heading.
KEYWORDS: dict[Kind, tuple[str, ...]] = {
    "decision": (
        *("decision", "decisions", "decided", "agreed", "we agreed", "key decisions"),
        *("决议", "决定", "决议事项", "结论", "会议决议", "会议决定", "会议结论", "决定事项"),
        *("议定事项", "会议议定", "会议议定事项", "关键决策", "决策", "会议共识", "共识"),
    ),
    "action": (
        *("action", "actions", "action item", "action items", "todo", "to-do", "to do", "ai"),
        *("a/i", "ais", "next steps", "next step", "follow-ups", "follow-up", "follow ups"),
        *("follow up", "action points", "todos", "to-dos", "tasks", "assignments"),
        *("行动项", "待办", "待办事项", "行动项目", "行动计划", "工作安排", "任务分工", "后续跟进"),
        *("跟进事项", "后续工作", "下一步工作", "下一步", "下一步计划", "下一步工作安排"),
        *("后续安排", "任务安排", "工作部署", "落实事项", "需跟进事项", "责任分工", "工作分工"),
        *("行动事项", "后续行动", "待跟进事项", "分工", "会议要求", "工作要求", "具体分工"),
        *("后续追踪", "追踪事项", "跟踪事项", "后续跟踪", "待追踪事项", "行动计划与分工"),
    ),
    "dispute": (
        *("dispute", "disputes", "open question", "open questions", "open issues"),
        *("parking lot", "unresolved", "open items"),
        *("争议", "争议事项", "待决事项", "遗留问题", "未决事项", "待定事项", "待讨论事项"),
        *("待议事项", "问题与风险", "风险与问题", "待解决问题", "待确认事项"),
        # Issues and risks, tracked 进行中 → 已解决 / 需升级 (:mod:`mailflow.services.issues`).
        *("issue", "issues", "risk", "risks", "issues and risks", "risks and issues"),
        *("问题", "风险", "风险点", "主要风险"),
    ),
    "next": (
        *("next", "next meeting", "next sync", "next review", "next call", "next check-in"),
        *("下次会议", "下次会议安排", "下次会议时间", "下一次会议", "下次例会", "下次月会"),
        *("下次周会", "下周例会", "下次碰头会", "下次会", "下次月會", "下次讨论"),
    ),
    "attendees": (
        *("attendees", "attendance", "present", "participants", "出席", "出席人员"),
        *("参会人员", "与会人员", "参会人", "参加人员", "参会者", "与会者", "出席人"),
    ),
    "info": ("info", "fyi", "note", "notes", "备注", "说明"),
    "other": (
        *(
            "会议议题",
            "议题",
            "讨论情况",
            "情况通报",
            "汇报事项",
            "会议讨论情况",
            "议程",
            "会议议程",
            "会议内容",
            "讨论内容",
            "讨论事项",
            "会议主要内容",
        ),
        *("主要内容", "背景", "会议概况", "其他", "其他事项", "会议情况", "会议讨论", "讨论"),
        *("讨论要点", "讨论纪要", "会议记录", "汇报内容", "工作汇报", "进展汇报", "项目进展"),
        *("会议纪要", "会议主题", "会议时间", "会议地点", "主持人", "记录人", "会议概要"),
        *("agenda", "discussion", "discussion points", "background", "summary", "updates"),
        *("status update", "highlights", "key points", "overview", "minutes", "meeting notes"),
    ),
}
_WRAP_WIDTH = 60  # clients that wrap plain text do so at 72 to 78 characters, at a word
_SINGLE: frozenset[Kind] = frozenset({"next", "attendees"})
_BY_WORD = {word: kind for kind, words in KEYWORDS.items() for word in words}
# Keywords that start an entry only in a heading: with a colon they are too often ordinary words.
_HEADING_ONLY = frozenset({"ai", "summary", "updates", "tasks", "讨论", "背景", "其他"})
_ALTERNATIVES = "|".join(
    re.escape(word).replace(r"\ ", r"\s+")
    for word in sorted(set(_BY_WORD) - _HEADING_ONLY | {"ai"}, key=len, reverse=True)
)
_KEYWORD = re.compile(
    rf"^(?:[【\[]\s*(?P<bracketed>{_ALTERNATIVES})\s*[】\]]\s*[*_]*\s*[:：]?"
    rf"|(?P<plain>{_ALTERNATIVES})(?![\w/-])[*_]*\s*(?:[:：]|\s[-–—]{{1,2}}\s|$))[\s*_]*",
    re.IGNORECASE,
)
_DONE_BOX = re.compile(r".*(?:\[\s*[xX✓✔]\s*\]|[☑☒■])")
_CHECKBOX = re.compile(r"^(?:[-*•]\s*)?(?:\[\s*[xX✓✔]?\s*\]|[☐☑☒□■])\s*")
_PREFIX = re.compile(
    r"^(?:[-*•·◦▪▫●○■□☐☑☒➢➤►▶✓✔§→]+\s*"
    r"|o\s+"
    r"|#{1,6}\s+"
    r"|\[\s*[xX]?\s*\]\s*"
    r"|\d{1,3}(?:\.\d{1,3})*[.)、．](?!\d)\s*"
    r"|[(（]\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3}|[a-zA-Z])\s*[)）]\s*"
    r"|[一二三四五六七八九十]{1,3}\s*[、.．]\s*"
    r"|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*"
    # A symbol-font bullet decoded as some other character (Wingdings in a Big5 Outlook mail).
    r"|[\u30a0-\u30ff\uf000-\uf0ff\u2600-\u27bf\u25a0-\u25ff\u2190-\u21ff]\s+"
    r"|[a-zA-Z][.)]\s+)+"
)
_NUMBER_STYLE = (
    ("zh", re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]")),
    ("zh()", re.compile(r"^[(（]\s*[一二三四五六七八九十]{1,3}\s*[)）]")),
    ("1.", re.compile(r"^\d{1,3}[.．、](?!\d)")),
    ("1)", re.compile(r"^[(（]?\d{1,3}[)）]")),
    ("#", re.compile(r"^#{1,6}\s")),
)
_HEADING_TAIL = re.compile(
    r"(?:跟踪表|跟进表|一览表|清单|列表|明细|汇总|一览|表|如下|如下所示|以下|情况|list|table|tracker)?"
    r"\s*[:：]?\s*$"
)
_HEADING_LEAD = re.compile(r"^(?:本次会议|本次|会议|会上)(?=\S{2})")
_CLOSING = re.compile(
    r"^(?:谢谢|感谢|多谢|以上|此致|敬礼|祝好|顺祝|请知悉|特此|thanks|thank you|best|regards|cheers"
    r"|kind regards|best regards|br)\b",
    re.IGNORECASE,
)
_DROP = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u3000\u2002\u2003\u2004\u2005\u2006\u2007\u2008"), " ")
_SPACES |= dict.fromkeys(map(ord, "\u2009\u200a\u202f\u205f\t\x0b\x0c"), " ")
# Full-width letters, digits and the few symbols that carry meaning in dates, percentages and
# addresses; one character each way, so positions in a cleaned line stay meaningful.
_WIDE = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
_WIDE |= {code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)}
_WIDE |= {code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)}
_WIDE |= {ord(c): ord(c) - 0xFEE0 for c in "＠％／－＋．"}
_TABLE: dict[int, int | str | None] = {**_DROP, **_SPACES, **_WIDE}


@dataclass(frozen=True)
class Entry:
    """One entry: its kind, its text after the keyword, and the lines as written.

    ``context`` says how formally it was written: ``list`` (a keyword line or a line under a
    heading of its kind), ``item`` (a numbered or bulleted free line) or ``text`` (running text).
    ``section`` is the kind of the heading a free line or a table sits under, if any.
    """

    kind: Kind
    body: str
    line: str
    context: str = "list"
    section: Kind | None = None
    table: Table | None = None
    explicit: bool = False  # started by a keyword ("ACTION:", "行动项：") or a check box


def clean(line: str) -> str:
    """``line`` without invisible characters, odd spaces, full-width digits and bold markers."""
    return line.translate(_TABLE).replace("**", "").rstrip()


def strip_prefix(line: str) -> tuple[str, bool]:
    """``line`` without its leading bullets or numbering, and whether it had any."""
    match = _PREFIX.match(line)
    if match is None:
        return line, False
    return line[match.end() :], True


def keyword(text: str) -> tuple[Kind, str] | None:
    """The kind and the rest of ``text`` when it starts with a keyword (see the module doc)."""
    match = _KEYWORD.match(simplified(text))
    if match is None:
        return None
    word = " ".join((match["bracketed"] or match["plain"]).casefold().split())
    return _BY_WORD[word], text[match.end() :].strip()


def heading(text: str) -> Kind | None:
    """The kind of section ``text`` (without its numbering) is the heading of, or None."""
    word = simplified(text).strip(" *_【】[]").casefold()
    word = _HEADING_TAIL.sub("", word).strip(" *_【】[]")
    if not word or len(word) > 24:
        return None
    if word in _BY_WORD:
        return _BY_WORD[word]
    lead = _HEADING_LEAD.sub("", word)
    if lead in _BY_WORD:
        return _BY_WORD[lead]
    # "v3.9迭代启动会 行动项跟踪表": a title that ends with the section's word.
    last = word.split()[-1] if " " in word else None
    if last in _BY_WORD and _BY_WORD[last] != "other":
        return _BY_WORD[last]
    return None


def number_style(line: str) -> str | None:
    """How ``line`` is numbered (``一、``, ``（一）``, ``1.``, ``1)``, ``#``), or None."""
    for name, pattern in _NUMBER_STYLE:
        if pattern.match(line):
            return name
    return None


def _wrapped(previous: str, line: str) -> bool:
    """Whether ``line`` goes on from ``previous``, which a mail client wrapped.

    Only long lines count: people leave stray spaces at the end of short ones too.
    """
    if len(previous.rstrip()) < _WRAP_WIDTH:
        return False
    first = line[:1]
    return previous.endswith(" ") or first.islower() or first.isdigit()


@dataclass
class _Open:
    kind: Kind
    parts: list[str]
    lines: list[str]
    indent: int
    context: str
    section: Kind | None
    explicit: bool


@dataclass
class _Section:
    kind: Kind
    style: str | None  # how its heading was numbered
    listed: bool | None = None  # whether its first entry was bulleted or numbered
    taken: int = 0  # entries so far


class _Splitter:
    """The state of one pass over the lines (see :func:`split_entries`)."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.current: _Open | None = None
        self.section: _Section | None = None
        self.previous = ""  # the previous line as written, to see a mail client's wrapping

    def close(self) -> None:
        if self.current is not None:
            current = self.current
            body = " ".join(" ".join(current.parts).split())
            line = " / ".join(current.lines)
            self.entries.append(
                Entry(
                    current.kind,
                    body,
                    line,
                    current.context,
                    current.section,
                    explicit=current.explicit,
                )
            )
        self.current = None

    def open(
        self, kind: Kind, body: str, raw: str, indent: int, context: str, explicit: bool = False
    ) -> None:
        self.close()
        section = self.section.kind if self.section else None
        self.current = _Open(kind, [body], [raw.strip()], indent, context, section, explicit)

    def table(self, table: Table) -> None:
        self.close()
        section = self.section.kind if self.section else None
        self.entries.append(Entry("table", "", "\n".join(table.lines), "list", section, table))
        if self.section is not None and not self.section.taken:
            self.section = None  # the table was what the heading announced

    def line(self, raw: str) -> None:
        line = clean(raw)
        stripped = line.strip()
        if not stripped:
            self.close()
            self.previous = ""
            return
        if stripped.startswith(">"):
            self.close()
            self.section = None
            return
        indent = len(line) - len(line.lstrip())
        checkbox = _CHECKBOX.match(stripped)
        rest, listed = strip_prefix(stripped)
        wrapped = not listed and _wrapped(self.previous, rest)
        self.previous = raw.rstrip("\r\n")
        found = keyword(rest)
        kind_of_heading = heading(rest) if found is None or not found[1] else None
        if kind_of_heading is not None:
            self.close()
            self.section = _Section(kind_of_heading, number_style(stripped))
            return
        if found is not None and found[0] != "other":
            kind, body = found
            self.open(kind, body, raw, indent, "list", explicit=True)
            return
        if checkbox is not None and rest.strip():
            if _DONE_BOX.match(checkbox.group()):
                self.close()  # "- [x] …": already done, nothing to track
                return
            self.open("action", rest, raw, indent, "list", explicit=True)
            return
        current = self.current
        if current is not None and (indent > current.indent or wrapped):
            # A bullet nested under an item adds a field to it; wrapped text just goes on.
            current.parts.append(("; " if listed else "") + rest)
            current.lines.append(raw.strip())
            return
        if self.section is not None and self._ends_section(stripped, rest, listed, indent):
            self.section = None
        section = self.section
        if section is not None and section.kind not in ("other", "info", "text"):
            if section.kind in _SINGLE and section.taken:
                self.section = None
            else:
                section.taken += 1
                if section.listed is None:
                    section.listed = listed
                self.open(section.kind, rest, raw, indent, "list")
                return
        # In a report of the discussion a numbered "销售部：…" is who spoke, not who acts.
        reported = section is not None and section.kind == "other"
        self.open("text", rest, raw, indent, "item" if listed and not reported else "text")

    def _ends_section(self, stripped: str, rest: str, listed: bool, indent: int) -> bool:
        section = self.section
        assert section is not None
        if _CLOSING.match(rest):
            return True
        style = number_style(stripped)
        if style is not None and style == section.style and section.style != "1.":
            return True
        return bool(section.listed and not listed and indent == 0)


def split_entries(text: str) -> list[Entry]:
    """The entries of ``text``, in order (see the module docstring for the grammar)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tables = {start: (end, table) for start, end, table in find_tables(lines)}
    splitter = _Splitter()
    index = 0
    while index < len(lines):
        if index in tables:
            end, table = tables[index]
            splitter.table(table)
            index = end
            continue
        splitter.line(lines[index])
        index += 1
    splitter.close()
    return splitter.entries
