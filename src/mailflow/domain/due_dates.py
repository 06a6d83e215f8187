"""Read a deadline as people write it in minutes and replies, relative to a reference moment.

Pure: text, the reference ``now`` (the meeting's start, or a reply's date) and the business
calendar in, a :class:`Due` or None out. Dates and times themselves are read by
:func:`mailflow.domain.when.parse_when`; this module adds what deadlines need on top:

- markers around the date are dropped: ``by``, ``before``, ``due``, ``until``, ``deadline``,
  ``截止``, ``截至``, ``于`` in front, ``前``, ``之前``, ``以前``, ``为止``, ``内`` behind;
- ``3/8`` is month/day (the US and the Chinese order agree), ``3/8/2025`` is refused like
  ``parse_when`` refuses ``10/03/2025``; a date without a year follows ``parse_when``'s rule, so a
  ``1/5`` written at a December meeting is next January;
- ``in 3 business days`` / ``3个工作日内`` count business days of the calendar after the meeting
  day; ``in 3 days`` / ``3天内`` and ``in 2 weeks`` / ``2周内`` count calendar days;
- ``end of month`` / ``月底前``, ``end of next month`` / ``下月底``, ``end of year`` / ``年底``,
  ``end of week`` / ``本周内`` (that week's Friday), ``end of next week`` / ``下周内``, ``by Q3`` /
  ``三季度末`` (the quarter's last day; next year's only when this year's is over half a year ago);
- weekdays follow ``parse_when``: ``by Friday`` said on a Friday is that same day, ``next Friday``
  and ``下周五`` are the Friday of the following week;
- a time of day alone (``at 3pm``) is not a deadline: a date is needed;
- the way people write them in minutes too: Traditional characters (``下週三``, ``3個工作天內``),
  office hours (``周五下班前``, ``下周一上班前``, ``COB Thursday``, ``EOD``: the working day
  itself), ``3.25`` and ``25/3`` (a day above 12 comes first), a day of the month (``25日前``,
  ``本月20号``, ``下月5日``, ``by the 15th``: the next such day, kept as written), a month's
  end (``8月底前``, ``end of March``), halves (``上半年``, ``H2``), and public holidays
  (``国庆节前``, ``春节前``, ``年前``, ``节前``, ``before Christmas``: the last business day before
  the holiday begins, from the calendar's holiday names).

A *relative* deadline (a weekday, ``tomorrow``, a count of days, an end of month) that falls on a
weekend or holiday moves back to the last business day before it, because "by Friday" when Friday
is a public holiday means the last working day before it — unless that would put it before the
reference day, then it stays. An *absolute* date (``2025-03-08``, ``3月8日``) is kept as written:
the scribe chose it; :attr:`Due.business_day` lets the caller point it out.
"""

from __future__ import annotations

import calendar as monthcal
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.when import When, parse_when, zh_int
from mailflow.text_forms import simplified

_NUM = r"(\d+|[零〇一二两三四五六七八九十]+)"
_LEAD = re.compile(
    r"^(?:due(?:\s+(?:date|by|on))?|deadline|no later than|not later than|on or before|by|before"
    r"|until|till|on|截止(?:日期|时间)?|截至|期限|最晚|不晚于|于|在|到)\s*[:：]?\s*"
)
_TRAIL = re.compile(r"\s*(?:前完成|之前|以前|为止|前|之内|以内|内|at the latest)[.。]?$")
_BUSINESS = re.compile(rf"^(?:in|within)?\s*{_NUM}\s*(?:个)?\s*(?:business|working|work)\s*days?$")
_BUSINESS_ZH = re.compile(rf"^{_NUM}\s*个?\s*工作日$")
_DAYS = re.compile(rf"^(?:in|within)?\s*{_NUM}\s*(?:calendar\s+)?(?:days?|天)$")
_WEEKS = re.compile(rf"^(?:in|within)?\s*{_NUM}\s*(?:weeks?|个?(?:周|星期|礼拜))$")
_MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_MONTH_NUMBERS = {name: index + 1 for index, name in enumerate(_MONTH_NAMES.split("|")[:12])}
_MONTH_NUMBERS |= {name[:3]: number for name, number in list(_MONTH_NUMBERS.items())}
_MONTH_NUMBERS["sept"] = 9
_ENDS: dict[str, tuple[str, int]] = {}
_ENDS |= dict.fromkeys(("end of month", "end of the month", "end of this month", "eom"), ("m", 0))
_ENDS |= dict.fromkeys(("月底", "月末", "本月底", "本月末", "这个月底", "当月底"), ("m", 0))
_ENDS |= dict.fromkeys(("本月", "这个月", "this month"), ("m", 0))
_ENDS |= dict.fromkeys(("end of next month", "下月底", "下个月底", "下月末", "下月"), ("m", 1))
_ENDS |= dict.fromkeys(("下个月",), ("m", 1))
_ENDS |= dict.fromkeys(("end of year", "end of the year", "end of this year", "年底"), ("y", 0))
_ENDS |= dict.fromkeys(("年末", "今年底", "本年底"), ("y", 0))
_ENDS |= dict.fromkeys(("end of week", "end of the week", "end of this week", "eow"), ("w", 0))
_ENDS |= dict.fromkeys(("this week",), ("w", 0))
_ENDS |= dict.fromkeys(("本周内", "这周内", "本周末", "这周末", "本周", "这周", "这个周"), ("w", 0))
_ENDS |= dict.fromkeys(("本星期", "这星期", "这个星期", "本礼拜", "这礼拜"), ("w", 0))
_ENDS |= dict.fromkeys(("end of next week", "下周内", "下周末", "下周", "next week"), ("w", 1))
_ENDS |= dict.fromkeys(("上半年", "h1", "first half"), ("h", 1))
_ENDS |= dict.fromkeys(("下半年", "h2", "second half"), ("h", 2))
_MONTH_END = re.compile(
    rf"^(?:(\d{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*月\s*(?:底|末|份)"
    rf"|end\s+of\s+({_MONTH_NAMES})|({_MONTH_NAMES})\s+end)$"
)
_DAY_OF_MONTH = re.compile(
    r"^(?:(本月|这个月|当月|本|下个?月)\s*)?(\d{1,2})\s*[日号]$"
    r"|^(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)(?:\s+of\s+(?:the|this)\s+month)?$"
)
# Public holidays by what people call them; the value is found in the calendar's holiday names.
_HOLIDAYS = dict.fromkeys(("国庆", "国庆节", "十一", "十一长假", "national day", "golden week"))
_HOLIDAYS = dict.fromkeys(_HOLIDAYS, "national day")
_HOLIDAYS |= dict.fromkeys(("春节", "过年", "年", "新春", "cny", "chinese new year"), "new year (")
_HOLIDAYS |= dict.fromkeys(("spring festival", "lunar new year"), "new year (")
_HOLIDAYS |= dict.fromkeys(("五一", "劳动节", "五一劳动节", "labor day", "labour day"), "labor day")
_HOLIDAYS |= dict.fromkeys(("清明", "清明节"), "tomb-sweeping")
_HOLIDAYS |= dict.fromkeys(("端午", "端午节"), "dragon boat")
_HOLIDAYS |= dict.fromkeys(("中秋", "中秋节"), "mid-autumn")
_HOLIDAYS |= dict.fromkeys(("元旦",), "new year's day")
_HOLIDAYS |= dict.fromkeys(
    ("节", "节日", "放假", "假期", "长假", "the holiday", "the holidays"), ""
)
_HOLIDAYS |= {"christmas": "christmas", "xmas": "christmas", "easter": "easter"}
_HOLIDAYS |= {"thanksgiving": "thanksgiving", "new year": "new year's day"}
_HOLIDAYS |= {"the new year": "new year's day", "new year's": "new year's day"}
_OFFICE_HOURS = re.compile(r"(?:下班|上班|收工|工作结束|工作日结束|中午|午休)(?=之?前|$)")
_CLOSE_OF_DAY = re.compile(
    r"\b(?:cob|eod|eob|cop|close of (?:business|play)|end of (?:the )?(?:business |working )?day"
    r"|end of play)\b"
)
_SHORTHANDS = {"tmrw": "tomorrow", "tmr": "tomorrow", "tomo": "tomorrow", "2moro": "tomorrow"}
_SHORTHANDS |= {"wk": "week", "mon.": "monday", "'s": ""}
_SHORTHAND = re.compile(r"\b(?:tmrw|tmr|tomo|2moro|wk)\b|(?<=\w)'s\b", re.IGNORECASE)
_HOLIDAY_TAIL = re.compile(r"(?<=\S)\s*(?:holidays?|break|假期|长假|小长假)$")
_DAY_PART = re.compile(r"(?:上午|下午|中午|晚上|早上|傍晚)(?!\s*[\d一二三四五六七八九十两])")
# After a Chinese marker too (截止3.25), but not inside a version or a number (v4.2, 1.2.3).
_DOTTED = re.compile(r"(?<![0-9A-Za-z_.])(\d{1,2})\.(\d{1,2})(?![\d.])")
_DAY_FIRST = re.compile(r"(?<![\d/.-])(1[3-9]|2\d|3[01])/(\d{1,2})(?![\d/])")
_QUARTER = re.compile(r"^(?:end of\s+)?q([1-4])(?:\s*末)?$|^(?:第)?([一二三四])季度末?$")
_MONTH_DAY = re.compile(r"(?<![\d/.-])(\d{1,2})/(\d{1,2})(?![\d/])")
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_ABSOLUTE = re.compile(
    rf"\d{{1,2}}\s*月|\d{{4}}[-/.年]|\b{_MON}\.?\s+\d|\d(?:st|nd|rd|th)?\s+{_MON}\b"
)
# Something that names a day; without one, parse_when would read "3pm" as today at 15:00.
_DATEISH = re.compile(
    _ABSOLUTE.pattern
    + r"|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|(?:周|星期|礼拜)[一二三四五六日天1-7]"
    r"|today|tomorrow|tonight|今天|今日|明天|明日|后天|大后天|今晚|明早|明晚"
)


@dataclass(frozen=True)
class Due:
    """A deadline: its day, maybe a time, the phrase as written and how it was reached."""

    day: date
    time: time | None
    raw: str
    relative: bool
    moved_from: date | None = None  # the non-business day a relative deadline fell on
    business_day: bool = True  # False for an absolute date on a weekend or holiday


def fold(text: str) -> str:
    """The comparison form: NFKC, casefolded, dashes unified, one space between words."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[–—−]", "-", text).split())


def _canonical(text: str) -> str:
    """``text`` (folded) in the words the rules below know: Simplified, no office hours."""
    text = simplified(text).replace("工作天", "工作日").replace("禮拜", "礼拜")
    text = _SHORTHAND.sub(lambda m: _SHORTHANDS[m.group().casefold()], text)
    text = _DAY_PART.sub("", text)  # 明天上午前: the part of the day changes no deadline
    text = _OFFICE_HOURS.sub("", text)
    if _CLOSE_OF_DAY.search(text):
        rest = _CLOSE_OF_DAY.sub(" ", text).strip(" ,，:：")
        rest = re.sub(r"^(?:on|by|before)\s+|\s+(?:on|by)$", "", rest).strip()
        text = rest or "today"
    text = _DAY_FIRST.sub(lambda m: f"{m.group(2)}月{m.group(1)}日", text)
    return _DOTTED.sub(_dotted, text)


def _dotted(match: re.Match[str]) -> str:
    month, day = int(match.group(1)), int(match.group(2))
    return f"{month}月{day}日" if 1 <= month <= 12 and 1 <= day <= 31 else match.group()


def _strip_markers(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _LEAD.sub("", text).strip(" ,，:：")
        text = _TRAIL.sub("", text).strip(" ,，:：")
    return text


def parse_due(text: str, *, now: datetime, calendar: BusinessCalendar) -> Due | None:
    """The deadline ``text`` names, read relative to ``now`` (see the module docstring)."""
    phrase = _strip_markers(_canonical(fold(text)))
    if not phrase:
        return None
    today = now.date()
    before_holiday = _before_holiday(phrase, today, calendar)
    if before_holiday is not None:
        return Due(before_holiday, None, _raw(text), True)
    day_of_month = _DAY_OF_MONTH.match(phrase)
    if day_of_month is not None:
        # A day of the month is chosen like a date: kept as written.
        day = _day_of_month(day_of_month, today)
        if day is None:
            return None
        return Due(day, None, _raw(text), False, None, calendar.is_business_day(day))
    counted = _counted(phrase, today, calendar)
    if counted is not None:
        return _relative(counted, None, text, today, calendar)
    when = parse_moment(phrase, now=now)
    if when is None:
        return None
    moment = None if when.date_only else when.start.timetz().replace(tzinfo=None)
    if _ABSOLUTE.search(_MONTH_DAY.sub(r"\1月\2日", phrase)):
        day = when.start.date()
        return Due(day, moment, _raw(text), False, None, calendar.is_business_day(day))
    return _relative(when.start.date(), moment, text, today, calendar)


def parse_moment(text: str, *, now: datetime) -> When | None:
    """The date, maybe with a time, in ``text`` (``3/8`` is month/day); a time alone is None."""
    phrase = _MONTH_DAY.sub(r"\1月\2日", _canonical(fold(text)))
    if _DATEISH.search(phrase) is None or now.tzinfo is None:
        return None
    return parse_when(phrase, now=now, tz=now.tzinfo)


def _relative(
    day: date, moment: time | None, text: str, today: date, calendar: BusinessCalendar
) -> Due:
    moved = day
    while not calendar.is_business_day(moved) and moved > today:
        moved -= timedelta(days=1)
    if moved == day or not calendar.is_business_day(moved):
        return Due(day, moment, _raw(text), True)
    return Due(moved, moment, _raw(text), True, day)


def _raw(text: str) -> str:
    """The phrase as written, without the punctuation that ended its sentence."""
    return text.strip().rstrip(" .。,，;；")


def _before_holiday(phrase: str, today: date, calendar: BusinessCalendar) -> date | None:
    """The last business day before the holiday ``phrase`` names (国庆节, 春节, Christmas)."""
    named = _HOLIDAY_TAIL.sub("", phrase).removeprefix("the ").strip()
    wanted = _HOLIDAYS.get(named) if named not in ("", "the") else _HOLIDAYS.get(phrase)
    if wanted is None:
        return None
    start = calendar.next_holiday(today, wanted)
    if start is None:
        return None
    day = start - timedelta(days=1)
    while day > today and not calendar.is_business_day(day):
        day -= timedelta(days=1)
    return day if day >= today else None


def _counted(phrase: str, today: date, calendar: BusinessCalendar) -> date | None:
    """Deadlines counted from ``today``: days, business days, weeks and ends of periods."""
    if phrase in _ENDS:
        unit, ahead = _ENDS[phrase]
        if unit == "w":
            return today + timedelta(days=4 - today.weekday(), weeks=ahead)
        if unit == "y":
            return date(today.year, 12, 31)
        if unit == "h":
            end = date(today.year, 6 * ahead, 30 if ahead == 1 else 31)
            return end if end >= today else end.replace(year=today.year + 1)
        year, month = divmod(today.month - 1 + ahead, 12)
        year, month = today.year + year, month + 1
        return date(year, month, monthcal.monthrange(year, month)[1])
    month_end = _MONTH_END.match(phrase)
    if month_end is not None:
        named = month_end.group(2) or month_end.group(3)
        number = _MONTH_NUMBERS[named] if named else zh_int(month_end.group(1))
        if number is None or not 1 <= number <= 12:
            return None
        year = today.year
        if date(year, number, monthcal.monthrange(year, number)[1]) < today - timedelta(days=183):
            year += 1
        return date(year, number, monthcal.monthrange(year, number)[1])
    quarter = _QUARTER.match(phrase)
    if quarter is not None:
        number = zh_int(quarter.group(1) or quarter.group(2)) or 1
        end = date(today.year, 3 * number, monthcal.monthrange(today.year, 3 * number)[1])
        # Like a date without a year: only more than half a year back means next year's.
        return end if end >= today - timedelta(days=183) else end.replace(year=today.year + 1)
    for pattern, unit in ((_BUSINESS, "b"), (_BUSINESS_ZH, "b"), (_DAYS, "d"), (_WEEKS, "w")):
        match = pattern.match(phrase)
        if match is None:
            continue
        count = zh_int(match.group(1))
        if count is None or not 0 < count <= 366:
            return None
        if unit == "b":
            return calendar.add_business_days(today, count)
        return today + timedelta(days=count * (7 if unit == "w" else 1))
    return None


def _day_of_month(match: re.Match[str], today: date) -> date | None:
    """``25日`` / ``the 15th``: the next such day; ``下月5日``: in the month after this one."""
    number = int(match.group(2) or match.group(3))
    later = bool(match.group(1)) and match.group(1).startswith("下")
    year, month = today.year, today.month
    for _ in range(3):
        if later:
            later = False
        elif number <= monthcal.monthrange(year, month)[1] and date(year, month, number) >= today:
            return date(year, month, number)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _may_end(char: str) -> bool:
    """Whether a deadline may end with ``char``: a letter, a digit, a closing bracket or quote;
    never a space, a separator or an opening bracket ("3月20日 (等供应商)" is cut before it)."""
    return char.isalnum() or unicodedata.category(char) in ("Pe", "Pf")


def cuttable(text: str, index: int) -> bool:
    """Whether ``text`` may be cut before ``index`` without splitting a number or a word."""
    if index <= 0 or index >= len(text):
        return True
    before, after = text[index - 1], text[index]
    # A number belongs to what follows it: "3号会议室" is not "3" and "号会议室".
    if before.isdigit() and after.isalnum():
        return False
    return not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum())


def leading_due(text: str, *, now: datetime, calendar: BusinessCalendar) -> tuple[Due, str] | None:
    """The longest deadline ``text`` starts with and the text after it (``3月20日 等供应商``)."""
    for cut in range(len(text), 0, -1):
        if cuttable(text, cut) and _may_end(text[cut - 1]):
            due = parse_due(text[:cut], now=now, calendar=calendar)
            if due is not None:
                return due, text[cut:].strip()
    return None
