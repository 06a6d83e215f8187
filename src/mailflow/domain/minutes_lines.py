"""Cut minutes text into keyword entries: one entry per item line, continuations joined.

Pure: text in, :class:`Entry` values out. The grammar of a line, in the order it is read:

1. Clean-up: zero-width characters and soft hyphens are dropped, NBSP, full-width and other
   Unicode spaces become plain spaces, full-width letters and digits become ASCII (``３月８日`` is
   ``3月8日``), and ``**bold**`` markers are removed. Full-width punctuation (``：`` ``；`` ``，``)
   is kept, so Chinese text stays as written; the patterns accept both widths.
2. A prefix of bullets (``-`` ``*`` ``•`` ``·`` ``o``), numbering (``1.`` ``1)`` ``1、`` ``（1）``
   ``一、`` ``a)``), Markdown ``#`` headings and ``[ ]`` check boxes is skipped.
3. A keyword, case-insensitive, followed by an ASCII or full-width colon (``ACTION:``,
   ``行动项：``), or in brackets (``【决议】``, ``[ACTION]``), starts an entry (see
   :data:`KEYWORDS`).
   A keyword without a colon is free text ("Decisions were quick" is not a decision).
4. A keyword with nothing after it (``Decisions:``, ``## Action items``, ``一、决议``) is a section
   heading: the bullet or numbered lines after it are each an entry of that kind, until another
   keyword or an unindented line that is neither a bullet nor numbered. Blank lines do not end a
   section, because Outlook HTML puts one between a heading paragraph and its list. Under a
   ``NEXT`` or ``ATTENDEES`` heading (``## Next meeting``) the first line is the entry, bullet or
   not, since those hold one value.
5. A line indented deeper than its entry's first line continues that entry; a continuation that
   is itself a bullet is joined as a new field (``"; "``), plain wrapped text with a space. A mail
   client's wrapping also continues it: after a line of 60 characters or more that ends in a space
   (``format=flowed``) or is followed by one starting with a lower-case letter or a digit. A
   blank line ends an entry.
6. Every other line is free text and ignored; lines quoted with ``>`` are never entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["decision", "action", "dispute", "next", "attendees", "info"]

# Keywords per kind; English ones are matched case-insensitively and as whole words.
KEYWORDS: dict[Kind, tuple[str, ...]] = {
    "decision": ("decision", "decisions", "decided", "agreed", "决议", "决定", "决议事项", "结论"),
    "action": (
        *("action", "actions", "action item", "action items", "todo", "to-do", "to do"),
        *("行动项", "待办", "待办事项", "行动项目"),
    ),
    "dispute": ("dispute", "disputes", "open question", "open questions", "争议", "争议事项"),
    "next": ("next", "next meeting", "下次会议", "下次会议安排"),
    "attendees": (
        *("attendees", "attendance", "present", "participants", "出席", "出席人员"),
        *("参会人员", "与会人员", "参会人"),
    ),
    "info": ("info", "fyi", "note", "notes", "备注", "说明"),
}
_WRAP_WIDTH = 60  # clients that wrap plain text do so at 72 to 78 characters, at a word
_SINGLE: frozenset[Kind] = frozenset({"next", "attendees"})
_BY_WORD = {word: kind for kind, words in KEYWORDS.items() for word in words}
_ALTERNATIVES = "|".join(
    re.escape(word).replace(r"\ ", r"\s+") for word in sorted(_BY_WORD, key=len, reverse=True)
)
_KEYWORD = re.compile(
    rf"^(?:[【\[]\s*(?P<bracketed>{_ALTERNATIVES})\s*[】\]]\s*[*_]*\s*[:：]?"
    rf"|(?P<plain>{_ALTERNATIVES})(?![\w-])[*_]*\s*(?:[:：]|$))[\s*_]*",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^(?:[-*•·◦▪▫●○■□➢➤►▶✓✔§]+\s*"
    r"|o\s+"
    r"|#{1,6}\s+"
    r"|\[\s*[xX]?\s*\]\s*"
    r"|\d{1,3}(?:\.\d{1,3})*[.)、](?!\d)\s*"
    r"|[(（]\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3}|[a-zA-Z])\s*[)）]\s*"
    r"|[一二三四五六七八九十]{1,3}\s*[、.]\s*"
    r"|[a-zA-Z][.)]\s+)+"
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
    """One keyword item: its kind, the text after the keyword, and the whole line as written."""

    kind: Kind
    body: str
    line: str


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
    match = _KEYWORD.match(text)
    if match is None:
        return None
    word = " ".join((match["bracketed"] or match["plain"]).casefold().split())
    return _BY_WORD[word], text[match.end() :].strip()


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


def split_entries(text: str) -> list[Entry]:
    """The keyword entries of ``text``, in order (see the module docstring for the grammar)."""
    entries: list[Entry] = []
    current: _Open | None = None
    section: Kind | None = None
    heading = False  # the previous non-blank line was a section heading
    previous = ""  # the previous line as written, to see a mail client's wrapping

    def close() -> None:
        nonlocal current
        if current is not None:
            body = " ".join(" ".join(current.parts).split())
            entries.append(Entry(current.kind, body, " / ".join(current.lines)))
        current = None

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = clean(raw)
        stripped = line.strip()
        if not stripped:
            close()
            previous = ""
            continue
        if stripped.startswith(">"):
            close()
            section = None
            continue
        indent = len(line) - len(line.lstrip())
        rest, bulleted = strip_prefix(stripped)
        found = keyword(rest)
        fresh, heading = heading, False
        wrapped = not bulleted and _wrapped(previous, rest)
        previous = raw.rstrip("\r\n")
        if found is not None:
            close()
            kind, body = found
            if body:
                current, section = _Open(kind, [body], [raw.strip()], indent), None
            else:
                section, heading = kind, True
        elif current is not None and (indent > current.indent or wrapped):
            # A bullet nested under an item adds a field to it; wrapped text just goes on.
            current.parts.append(("; " if bulleted else "") + rest)
            current.lines.append(raw.strip())
        elif section is not None and (bulleted or (fresh and section in _SINGLE)):
            close()
            current = _Open(section, [rest], [raw.strip()], indent)
        else:
            close()
            if indent == 0:
                section = None
    close()
    return entries
