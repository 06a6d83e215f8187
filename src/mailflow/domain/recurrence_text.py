"""A recurrence rule as people say it: "every 2 weeks on Monday and Wednesday, 10 times" /
"每2周的周一、周三，共10次".

Pure. Used wherever a rule is shown (notices, receipts, "What changed"); a rule this cannot put in
words is shown as written (``FREQ=...``) rather than guessed at.
"""

from __future__ import annotations

from datetime import date, datetime

from icalendar import vRecur

_UNITS_EN = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_UNITS_ZH = {"DAILY": "天", "WEEKLY": "周", "MONTHLY": "个月", "YEARLY": "年"}
_EVERY_ZH = {"DAILY": "每天", "WEEKLY": "每周", "MONTHLY": "每月", "YEARLY": "每年"}
_DAYS_EN = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
_DAYS_ZH = {
    "MO": "周一",
    "TU": "周二",
    "WE": "周三",
    "TH": "周四",
    "FR": "周五",
    "SA": "周六",
    "SU": "周日",
}
_ORDINAL_EN = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
_ORDINAL_ZH = {1: "第一个", 2: "第二个", 3: "第三个", 4: "第四个", 5: "第五个", -1: "最后一个"}


def describe(rule_text: str | None, locale: str) -> str:
    """``rule_text`` (an RRULE value) in words of ``locale`` ("en" or "zh…"); "" without a rule."""
    if not rule_text:
        return ""
    try:
        rule = vRecur.from_ical(rule_text)
        freq = str(rule.get("FREQ", [""])[0]).upper()
        interval = int(rule.get("INTERVAL", [1])[0])
        days = [str(d).upper() for d in rule.get("BYDAY", [])]
        month_days = [int(d) for d in rule.get("BYMONTHDAY", [])]
        count = int(rule["COUNT"][0]) if rule.get("COUNT") else None
        until = (rule.get("UNTIL") or [None])[0]
    except (ValueError, TypeError, KeyError):
        return rule_text
    if freq not in _UNITS_EN or interval < 1:
        return rule_text
    chinese = locale.lower().startswith("zh")
    try:
        text = (
            _zh(freq, interval, days, month_days)
            if chinese
            else _en(freq, interval, days, month_days)
        )
    except KeyError:  # a weekday or position these words do not cover
        return rule_text
    if count:
        text += f"，共{count}次" if chinese else f", {count} times"
    if isinstance(until, date):
        day = until.date() if isinstance(until, datetime) else until
        text += (
            f"，至{day.year}年{day.month}月{day.day}日" if chinese else f", until {day:%d %b %Y}"
        )
    return text


def _split(day: str) -> tuple[int | None, str]:
    """``"-1FR"`` → (-1, "FR"); ``"MO"`` → (None, "MO")."""
    code = day[-2:]
    position = day[:-2]
    return (int(position) if position else None), code


def _en(freq: str, interval: int, days: list[str], month_days: list[int]) -> str:
    unit = _UNITS_EN[freq]
    text = f"every {interval} {unit}s" if interval > 1 else f"every {unit}"
    if days:
        named = []
        for day in days:
            position, code = _split(day)
            name = _DAYS_EN[code]
            named.append(f"the {_ORDINAL_EN[position]} {name}" if position else name)
        text += " on " + _and(named)
    elif month_days:
        text += " on day " + _and([str(d) for d in month_days])
    return text


def _zh(freq: str, interval: int, days: list[str], month_days: list[int]) -> str:
    text = f"每{interval}{_UNITS_ZH[freq]}" if interval > 1 else _EVERY_ZH[freq]
    if days:
        named = []
        for day in days:
            position, code = _split(day)
            name = _DAYS_ZH[code]
            named.append(f"{_ORDINAL_ZH[position]}{name}" if position else name)
        text += ("的" if interval > 1 or freq != "WEEKLY" else "") + "、".join(named)
        if freq == "WEEKLY" and interval == 1:
            text = "每" + "、".join(named)
    elif month_days:
        text += "的" + "、".join(f"{d}日" for d in month_days)
    return text


def _and(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
