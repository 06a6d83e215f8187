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

_DATE_START = re.compile(
    r"(?<=[^\s\d])(?=(?:在|于|截止|截至)?(?:\d{1,4}\s*[-/.年月]|本周|这周|下周|下下周|周[一二三四五六日天]"
    r"|星期|礼拜|月底|月末|本月|下月|年底|年末|明天|后天|今天|[\d一二两三四五六七八九十]+\s*个?工作日"
    r"|\d+\s*天))"
)
# The end of a part that was meant as a date: a marker word before a short tail with a digit or
# a near-weekday/month, or a Chinese "…前/内" with a number or 周/月 in it.
_MEANT_EN = re.compile(r"\b(?:by|due|before|until|deadline)\s+(?P<tail>\S+(?:\s+\S+)?)$", re.I)
_ZH_DAY = (
    r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]?|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}"
    r"|(?:本|这|下下|下)?(?:周|星期|礼拜)[一二三四五六日天]|(?:本|下)?月底|月末|年底|明天|后天"
    r"|[\d一二两三四五六七八九十]+\s*个?\s*工作日|\d+\s*天"
)
_ZH_DEADLINE = re.compile(
    rf"(?:在|于|截止|截至)?\s*(?:{_ZH_DAY})"
    r"(?:\s*(?:上午|下午|晚上)?\s*\d{1,2}(?:[:：]\d{2}|点(?:半|\d{1,2}分?)?))?"
    r"\s*(?:之前|以前|前|为止|之内|以内|内)"
)
_MEANT_ZH = re.compile(r"(?:\S*[\d月周]\S*(?:前|之前|以前|内))$")
_DAY_WORDS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAY_WORDS += ["january", "february", "march", "april", "june", "july", "august", "september"]
_DAY_WORDS += ["october", "november", "december", "tomorrow", "today"]


def trailing_due(
    part: str, found: list[Due], meeting_start: datetime, calendar: BusinessCalendar
) -> str:
    """``part`` without the date phrase it ends with (appended to ``found``), else unchanged."""
    starts = sorted({m.start() for m in re.finditer(r"(?<=\s)\S", part)})
    starts += [m.start() for m in _DATE_START.finditer(part)]
    for start in sorted(set(starts)):
        if start == 0:
            continue
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
    medial = _ZH_DEADLINE.search(rest)
    if medial is not None:
        # "张伟 在3月15日前完成预算": Chinese puts the deadline before the verb as often as after.
        due = parse_due(medial.group(), now=meeting_start, calendar=calendar)
        if due is None:
            return rest, medial.group().strip()
        found.append(due)
        rest = (rest[: medial.start()] + " " + rest[medial.end() :]).strip(" ,，")
        rest = " ".join(rest.split())
    return rest, _meant_as_date(rest)


def _meant_as_date(text: str) -> str | None:
    """The end of ``text`` when it was written as a date but could not be read, else None."""
    zh = _MEANT_ZH.search(text)
    if zh is not None:
        return zh.group()
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
