"""Read a date and time (or a duration) the way people write them in English or Chinese mail.

Pure: text, ``now`` and a default zone in, values out. Used by the "MEETING:" mail parser and the
TOML meeting file today, and meant for the minutes parser's deadlines tomorrow.

:func:`parse_when` understands one date, one time or a time range, and a zone, in any order:

- dates: ``2025-03-10``, ``2025/3/10``, ``2025年3月10日``, ``3月10日`` / ``3月10号``,
  ``10 March 2025``, ``March 10, 2025``, ``today`` / ``tomorrow`` / ``今天`` / ``明天`` / ``后天``,
  weekdays (``Tuesday``, ``周二``, ``星期二``, ``礼拜二``);
- times: ``9:30``, ``9:30am``, ``2pm``, ``上午9:30``, ``下午2点``, ``下午三点半``, ``14:00-15:30``,
  ``2-3pm``, ``下午2点到4点`` (a range gives the end), ``noon``;
- zones: IANA names, Windows names, ``UTC+8``, ``北京时间`` (see :mod:`mailflow.domain.zones`).

Rules where people's writing is ambiguous, chosen once here:

- a date without a year is in ``now``'s year, unless that is more than half a year ago: then it
  is next year's (a "3月10日" written in December means next March);
- a bare weekday or ``this``/``coming`` weekday is the next such day on or after today;
  ``next Tuesday`` / ``下周二`` is the Tuesday of next week (weeks start on Monday), ``本周五`` /
  ``这周五`` the Friday of this week, ``上周五`` last week's;
- a time without a date is today; a date without a time gives ``date_only=True`` (midnight);
- a lone number (``at 9``) is not a time: write ``9:00``, ``9am`` or ``9点``;
- day-first or month-first numeric dates (``10/03/2025``) are refused as ambiguous;
- anything left over that is not a filler word (``at``, ``on``, ``的``, ``在`` ...) makes the whole
  text unreadable (None) rather than half-read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from mailflow.domain.zones import zone, zone_name

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_ZH_DIGITS |= {"七": 7, "八": 8, "九": 9}
_ZH_NUM = "零〇一二两三四五六七八九十"
_MONTHS = {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7}
_MONTHS |= {"august": 8, "september": 9, "october": 10, "november": 11, "december": 12}
_MONTHS |= {name[:3]: n for name, n in _MONTHS.items()} | {"sept": 9}
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_EN_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_ZH_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ZH_DAYS |= {str(n): n - 1 for n in range(1, 8)}
_PM_WORDS = {"下午", "午后", "傍晚", "晚上", "晚间", "夜里", "夜间", "晚", "pm"}
_RELATIVE: dict[str, tuple[int, str | None]] = {
    "day after tomorrow": (2, None),
    "大后天": (3, None),
    "后天": (2, None),
}
_RELATIVE |= {"明天": (1, None), "明日": (1, None), "明早": (1, "上午"), "明晚": (1, "晚上")}
_RELATIVE |= {"今天": (0, None), "今日": (0, None), "今早": (0, "上午"), "今晚": (0, "晚上")}
_RELATIVE |= {"tomorrow": (1, None), "today": (0, None), "tonight": (0, "晚上")}
# Words that may surround a date without changing it; anything else left over makes it unreadable.
_FILLERS = re.compile(r"\b(?:at|on|from|the|of|starting|starts?)\b|开始|举行|召开|[的于在从起]")

_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_ZH_YMD = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_ZH_MD = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_EN_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MON})\b\.?,?(?:\s+(\d{{4}})\b)?")
_EN_MDY = re.compile(rf"\b({_MON})\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b,?(?:\s+(\d{{4}})\b)?")
_EN_WEEKDAY = re.compile(
    r"\b(?:(next|this|coming|last)\s+)?(mon|tue|wed|thu|fri|sat|sun)"
    r"(?:day|sday|nesday|rsday|urday|s|rs|r)?\b\.?"
)
_ZH_WEEKDAY = re.compile(
    r"(下下|下个|下|本|这个|这|上个|上)?\s*(?:周|星期|礼拜)\s*([一二三四五六日天1-7])"
)
_RELATIVE_RE = re.compile("|".join(sorted(map(re.escape, _RELATIVE), key=len, reverse=True)))
_ZONE_RE = re.compile(
    r"\b(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?\b|\b[a-z]+(?:/[a-z0-9_+-]+){1,2}\b"
    r"|北京时间|beijing time|\butc\b|\bgmt\b"
)


def _clock_re(p: str) -> str:
    """One time of day; ``p`` prefixes the group names so two can sit in one range pattern."""
    return (
        rf"(?P<{p}zh>上午|早上|早晨|凌晨|中午|下午|午后|傍晚|晚上|晚间|夜里|夜间|早|晚)?\s*"
        rf"(?:(?P<{p}zh_h>\d{{1,2}}|[{_ZH_NUM}]{{1,3}})\s*[点时]"
        rf"(?:\s*(?P<{p}zh_m>半|一刻|三刻|\d{{1,2}}|[{_ZH_NUM}]{{1,3}})\s*分?)?"
        rf"|(?<![\d:])(?P<{p}h>\d{{1,2}})(?::(?P<{p}m>\d{{2}}))?(?![\d:])"
        rf"(?:\s*(?P<{p}en>a\.?m\.?|p\.?m\.?)(?![a-z]))?)"
    )


_RANGE = re.compile(_clock_re("a_") + r"\s*(?:-|~|to|until|till|至|到)\s*" + _clock_re("b_"))
_CLOCK = re.compile(_clock_re("a_"))


@dataclass(frozen=True)
class When:
    """A start (aware, in ``tzid``), maybe an end, and what was uncertain about reading them."""

    start: datetime
    end: datetime | None = None
    date_only: bool = False
    tzid: str = "UTC"
    warnings: tuple[str, ...] = ()


@dataclass
class _Clock:
    hour: int
    minute: int
    meridiem: str | None  # "am", "pm", a Chinese word, or None when the text gave none
    marked: bool  # minutes, "点" or a meridiem: a lone number is not a time


def zh_int(text: str) -> int | None:
    """A small number written in digits or Chinese numerals (``十五``, ``二十三``, ``两``)."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _ZH_NUM for c in text):
        return None
    tens, _, units = text.partition("十")
    if "十" not in text:
        return _ZH_DIGITS[text] if len(text) == 1 else None
    high = _ZH_DIGITS.get(tens, -1) if tens else 1
    low = _ZH_DIGITS.get(units, -1) if units else 0
    return None if high < 0 or low < 0 else high * 10 + low


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[–—−－]", "-", text).split())


def _cut(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " + text[match.end() :]


def parse_when(text: str, *, now: datetime, tz: str | tzinfo) -> When | None:
    """The date/time in ``text`` (see the module docstring), or None when it cannot be read."""
    rest = _normalise(text)
    tzid = zone_name(getattr(tz, "key", None) or str(tz)) or "UTC"
    for match in _ZONE_RE.finditer(rest):
        named = zone_name(match.group())
        if named is not None:
            tzid, rest = named, _cut(rest, match)
            break
    where = zone(tzid)
    today = (now.astimezone(where) if now.tzinfo else now).date()
    dated = _take_date(rest, today)
    if dated is None:
        return None
    rest, day, hint, warnings = dated
    timed = _take_time(rest, hint)
    if timed is None:
        return None
    rest, start_t, end_t = timed
    if re.search(r"\w", _FILLERS.sub(" ", rest)) or (day is None and start_t is None):
        return None
    day = day or today
    if start_t is None:
        return When(datetime.combine(day, time(0), where), None, True, tzid, tuple(warnings))
    start = datetime.combine(day, start_t, where)
    end = None if end_t is None else datetime.combine(day, end_t, where)
    if end is not None and end <= start:
        end += timedelta(days=1)
        warnings.append("the end time is before the start: read as the next day")
    return When(start, end, False, tzid, tuple(warnings))


def _take_date(text: str, today: date) -> tuple[str, date | None, str | None, list[str]] | None:
    """Remove the date from ``text``; None when a date is there but impossible (2025-02-30)."""
    day: date | None = None
    hint: str | None = None
    warnings: list[str] = []
    for pattern, order in ((_ISO, "ymd"), (_ZH_YMD, "ymd"), (_ZH_MD, "md"), (_EN_DMY, "dmy")):
        match = pattern.search(text)
        if match:
            parts = dict(zip(order, match.groups(), strict=False))
            month = int(parts["m"]) if parts["m"].isdigit() else _MONTHS[parts["m"]]
            day = _make_date(parts.get("y"), month, int(parts["d"]), today)
            if day is None:
                return None
            text = _cut(text, match)
            break
    else:
        match = _EN_MDY.search(text)
        if match:
            day = _make_date(match.group(3), _MONTHS[match.group(1)], int(match.group(2)), today)
            if day is None:
                return None
            text = _cut(text, match)
    relative = _RELATIVE_RE.search(text)
    if relative:
        offset, hint = _RELATIVE[relative.group()]
        relative_day = today + timedelta(days=offset)
        if day is not None and day != relative_day:
            warnings.append(f"{relative.group()!r} does not match {day.isoformat()}")
        day = day or relative_day
        text = _cut(text, relative)
    for pattern, table in ((_ZH_WEEKDAY, _ZH_DAYS), (_EN_WEEKDAY, _EN_DAYS)):
        match = pattern.search(text)
        if match:
            weekday = table[match.group(2)]
            if day is not None:
                if day.weekday() != weekday:
                    warnings.append(f"{match.group().strip()!r} does not match {day.isoformat()}")
            else:
                day = _weekday_date(today, weekday, match.group(1))
            text = _cut(text, match)
            break
    return text, day, hint, warnings


def _make_date(year: str | None, month: int, day: int, today: date) -> date | None:
    if year is not None:
        try:
            return date(int(year), month, day)
        except ValueError:
            return None
    for candidate in (today.year, today.year + 1):
        try:
            found = date(candidate, month, day)
        except ValueError:  # 29 February of a common year: next year's, if that is a leap year
            continue
        # Half a year back is further than anyone schedules in the past: it means next year.
        if candidate > today.year or found >= today - timedelta(days=183):
            return found
    return None


def _weekday_date(today: date, weekday: int, prefix: str | None) -> date:
    monday = today - timedelta(days=today.weekday())
    weeks = {"next": 1, "下": 1, "下个": 1, "下下": 2, "last": -1, "上": -1, "上个": -1}
    if prefix in weeks:
        return monday + timedelta(weeks=weeks[prefix], days=weekday)
    if prefix in {"this", "本", "这", "这个"}:
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _take_time(text: str, hint: str | None) -> tuple[str, time | None, time | None] | None:
    """Remove a time or a time range from ``text``; None when one is there but impossible."""
    match = _RANGE.search(text)
    if match:
        first, second = _clock(match, "a_"), _clock(match, "b_")
        if first.meridiem is None and second.meridiem is not None and second.marked:
            first.meridiem = (
                second.meridiem if _hour(first, second.meridiem) <= _hour(second) else None
            )
            first.marked = True
        elif second.meridiem is None and first.meridiem is not None:
            inherited = _hour(second, first.meridiem)
            second.meridiem = first.meridiem if inherited > _hour(first) else None
        if first.marked or second.marked:
            start, end = _time(first, hint), _time(second, hint)
            return None if start is None or end is None else (_cut(text, match), start, end)
    for match in _CLOCK.finditer(text):
        single = _clock(match, "a_")
        if single.marked:
            start = _time(single, hint)
            return None if start is None else (_cut(text, match), start, None)
    noon = re.search(r"\b(?:noon|midday)\b|中午", text)
    if noon:
        return _cut(text, noon), time(12, 0), None
    return text, None, None


def _clock(match: re.Match[str], p: str) -> _Clock:
    zh_word, en_word = match.group(p + "zh"), match.group(p + "en")
    meridiem = en_word.replace(".", "") if en_word else zh_word
    if match.group(p + "zh_h") is not None:
        minute_text = match.group(p + "zh_m") or "0"
        minutes = {"半": 30, "一刻": 15, "三刻": 45}.get(minute_text)
        hour, minute = (
            zh_int(match.group(p + "zh_h")),
            minutes if minutes is not None else zh_int(minute_text),
        )
        return _Clock(
            -1 if hour is None else hour, -1 if minute is None else minute, meridiem, True
        )
    minute_digits = match.group(p + "m")
    marked = minute_digits is not None or meridiem is not None
    return _Clock(int(match.group(p + "h")), int(minute_digits or 0), meridiem, marked)


def _hour(clock: _Clock, meridiem: str | None = None) -> int:
    """The 24-hour hour of ``clock`` read with ``meridiem`` (its own when not given)."""
    word = meridiem or clock.meridiem
    hour = clock.hour
    if word == "am" and hour == 12:
        return 0
    if word in _PM_WORDS and hour < 12:
        return hour + 12
    if word == "中午" and hour < 11:
        return hour + 12
    return hour


def _time(clock: _Clock, hint: str | None) -> time | None:
    if clock.hour < 0 or clock.minute < 0 or (clock.meridiem in {"am", "pm"} and clock.hour > 12):
        return None
    hour = _hour(clock, clock.meridiem or hint)
    return time(hour, clock.minute) if 0 <= hour <= 23 and 0 <= clock.minute <= 59 else None


_DURATION_HM = re.compile(
    r"^(\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours|小时|钟头)"
    r"(?:\s*(\d+)\s*(?:m|min|mins|minute|minutes|分钟|分)?)?$"
)
_DURATION_M = re.compile(r"^(\d+)\s*(?:m|min|mins|minute|minutes|分钟|分)$")
_DURATION_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_duration(text: str) -> timedelta | None:
    """``90 min``, ``1h30``, ``1.5 h``, ``1:30``, ``90分钟``, ``1小时30分``, ``一个半小时``.

    A bare number is refused (``2`` could be hours or minutes); zero is refused.
    """
    rest = _normalise(text).replace(" and ", " ").rstrip(".")
    rest = re.sub(f"[{_ZH_NUM}]+", lambda m: str(zh_int(m.group()) or m.group()), rest)
    rest = re.sub(r"(\d+)\s*个?\s*半\s*(?:个\s*)?(小时|钟头)", r"\1.5\2", rest)
    rest = re.sub(r"^半\s*个?\s*(小时|钟头)", r"0.5\1", rest)
    rest = re.sub(r"个\s*(小时|钟头)", r"\1", rest)
    minutes: float | None = None
    if match := _DURATION_HM.match(rest):
        minutes = float(match.group(1)) * 60 + int(match.group(2) or 0)
    elif match := _DURATION_M.match(rest):
        minutes = int(match.group(1))
    elif match := _DURATION_CLOCK.match(rest):
        minutes = int(match.group(1)) * 60 + int(match.group(2))
    if not minutes or minutes <= 0:
        return None
    return timedelta(minutes=round(minutes))
