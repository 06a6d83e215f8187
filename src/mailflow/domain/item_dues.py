"""Find the deadline inside the free text of an item: ``Prepare the budget by Friday``.

Pure. A part of an ACTION or DISPUTE line may end with a date phrase (``… by Friday``,
``… due 3/8``, ``准备预算 3月8日前``, ``联系供应商 下周三``) or, in Chinese, carry one before
the verb (``在3月15日前完成预算``, ``3月10日前 准备预算``). The longest ending that
:func:`~mailflow.domain.due_dates.parse_due` reads is the due date, so a date inside the task
(``for the 3/18 board meeting``) stays task text. An ending that was plainly meant as a date but
cannot be read (``by Fridya``, ``3月32日前``) is reported instead of being kept as task text, while
``by email`` is just words.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime

from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.due_dates import Due, fold, parse_due
from mailflow.text_forms import simplified

_ZH_DAY = (
    r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]?|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}"
    r"|(?<![\w.])\d{1,2}\.\d{1,2}(?![\d.])|(?:本月|下月|下个月)?\d{1,2}\s*[日号]"
    r"|\d{1,2}\s*月\s*(?:底|末|份|中旬|上旬|下旬|初)|(?:[一二三四五六七八九十]{1,2}|\d{1,2})月底"
    r"|(?:本|这|下下|下)?(?:周|星期|礼拜)[一二三四五六日天]|(?:本|这|下下|下)周|(?:本|下)月[底末]?|月[底末]"
    r"|年[底末]|今年|明天|后天|今天|q[1-4]|Q[1-4]|[一二三四]季度|上半年|下半年"
    r"|(?:国庆|春节|五一|劳动节|端午|中秋|清明|元旦|(?<![\d一二两三四五六七八九十几多])年|节)(?:节)?(?:假期|长假)?"
    r"|[\d一二两三四五六七八九十]+\s*个?\s*(?:工作日|工作天|天|周|星期|个月)"
)
_DATE_START = re.compile(rf"(?<=[^\s\d])(?=(?:在|于|截止|截至)?(?:{_ZH_DAY}))")
ZH_DEADLINE = re.compile(
    rf"(?:在|于|截止|截至|最晚|务必)?\s*(?:{_ZH_DAY})"
    r"(?:\s*(?:上午|下午|晚上)?\s*\d{1,2}(?:[:：]\d{2}|点(?:半|\d{1,2}分?)?))?"
    r"\s*(?:下班|上班|中午)?\s*(?:之前|以前|前|为止|之内|以内|内)"
)
# The end of a part that was meant as a date: a marker word before a short tail with a digit or
# a near-weekday/month, or a Chinese "…前/内" with a number or 周/月 in it.
_MEANT_EN = re.compile(r"\b(?:by|due|before|until|deadline)\s+(?P<tail>\S+(?:\s+\S+)?)$", re.I)
_MEANT_ZH = re.compile(r"(?:\S*[\d月周]\S*(?:前|之前|以前|内))$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_VERSION = re.compile(r"\d+\.\d+(?:\.\d+)*\s*$")
# A time people give that names no day: "mid-April", "ASAP", 下月初, 4月上旬.
_MONTH_WORD = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_VAGUE = re.compile(
    rf"[,，;；(（\s]*(?:\b(?:mid|early|late)[- ]{_MONTH_WORD}\b|\basap\b|\bsoon\b|\bTBD\b|\bTBC\b"
    r"|(?:下个?月|本月|\d{1,2}\s*月)?(?:初|中旬|上旬|下旬)(?:之?前)?|尽快|尽早)[)）]?\s*$",
    re.IGNORECASE,
)
_DAY_WORDS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAY_WORDS += ["january", "february", "march", "april", "june", "july", "august", "september"]
_DAY_WORDS += ["october", "november", "december", "tomorrow", "today"]


def trailing_due(
    part: str, found: list[Due], meeting_start: datetime, calendar: BusinessCalendar
) -> str:
    """``part`` without the date phrase it ends with (appended to ``found``), else unchanged."""
    view = simplified(part)
    starts = sorted({m.start() for m in re.finditer(r"(?<=\s)\S", part)})
    starts += [m.start() for m in _DATE_START.finditer(view)]
    latin = _CJK.search(part) is None
    for start in sorted(set(starts)):
        if start == 0 or (latin and _VERSION.match(part, start)):
            continue  # "release notes for 10.2" names a version, not 2 October
        due = parse_due(part[start:], now=meeting_start, calendar=calendar)
        if due is not None:
            found.append(due)
            return part[:start].strip(" ,，;；")
    return part


def due_in(
    part: str, found: list[Due], meeting_start: datetime, calendar: BusinessCalendar
) -> tuple[str, str | None]:
    """``part`` without its due phrase (appended to ``found``), and a phrase meant as a date
    that could not be read, if any."""
    rest = trailing_due(part, found, meeting_start, calendar) if not found else part
    medial = ZH_DEADLINE.search(simplified(rest))
    if medial is not None:
        # "张伟 在3月15日前完成预算": Chinese puts the deadline before the verb as often as after.
        phrase = rest[medial.start() : medial.end()]
        due = parse_due(phrase, now=meeting_start, calendar=calendar)
        if due is None:
            return rest, phrase.strip()
        found.append(due)
        rest = (rest[: medial.start()] + " " + rest[medial.end() :]).strip(" ,，")
        rest = " ".join(rest.split())
    return rest, _meant_as_date(rest)


def _meant_as_date(text: str) -> str | None:
    """The end of ``text`` when it was written as a date but could not be read, else None."""
    zh = _MEANT_ZH.search(simplified(text))
    if zh is not None:
        return text[zh.start() : zh.end()]
    vague = _VAGUE.search(simplified(text))
    if vague is not None:
        return text[vague.start() : vague.end()]
    match = _MEANT_EN.search(text)
    if match is None:
        return None
    tail = fold(match["tail"])
    words = re.findall(r"[a-z]+", tail)
    if any(c.isdigit() for c in tail) or any(
        difflib.get_close_matches(word, _DAY_WORDS, n=1, cutoff=0.75) for word in words
    ):
        return match.group()
    return None
