"""Dates, times and durations as people write them in English and Chinese."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mailflow.domain.when import parse_duration, parse_when, zh_int
from mailflow.domain.zones import zone_name

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 5, 10, 0, tzinfo=SHANGHAI)  # a Wednesday


def _at(day: int, hour: int, minute: int = 0, month: int = 3, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025-03-10 09:30", _at(10, 9, 30), None),
        ("2025/3/10 9:30", _at(10, 9, 30), None),
        ("3月10日 9:30", _at(10, 9, 30), None),
        ("3月10号 9点", _at(10, 9), None),
        ("2025年3月10日 上午9:30", _at(10, 9, 30), None),
        ("2025年3月10日 下午2点", _at(10, 14), None),
        ("3月10日 下午三点半", _at(10, 15, 30), None),
        ("3月10日（周一）14:00", _at(10, 14), None),
        ("2025-03-10 14:00-15:30", _at(10, 14), _at(10, 15, 30)),
        ("２０２５－０３－１０　１４：００～１５：３０", _at(10, 14), _at(10, 15, 30)),
        ("3月10日 下午2点到4点", _at(10, 14), _at(10, 16)),
        ("10 Mar 2-3pm", _at(10, 14), _at(10, 15)),
        ("Monday 10 March 2025 9:30am", _at(10, 9, 30), None),
        ("March 10, 2025 at 2pm", _at(10, 14), None),
        ("next Tuesday 10:00", _at(11, 10), None),
        ("Friday 4pm", _at(7, 16), None),
        ("tomorrow at 3pm", _at(6, 15), None),
        ("明天下午3点", _at(6, 15), None),
        ("后天上午10点", _at(7, 10), None),
        ("今晚8点", _at(5, 20), None),
        ("下周二 上午10点", _at(11, 10), None),
        ("本周五 15:00", _at(7, 15), None),
        ("下下周一 9:00", _at(17, 9), None),
        ("明天中午", _at(6, 12), None),
        ("12pm", _at(5, 12), None),
        ("2025年3月10日 9:30 北京时间", _at(10, 9, 30), None),
    ],
)
def test_parse_when(text: str, start: datetime, end: datetime | None) -> None:
    found = parse_when(text, now=NOW, tz="Asia/Shanghai")
    assert found is not None
    assert (found.start, found.end, found.date_only, found.warnings) == (start, end, False, ())
    assert found.tzid == "Asia/Shanghai"


@pytest.mark.parametrize(
    "text",
    [
        "at 9",
        "2025-02-30 10:00",
        "10/03/2025 10:00",
        "2025-03-10 9:30 in room 5",
        "soon",
        "",
        "9-10",
    ],
)
def test_unreadable_when(text: str) -> None:
    assert parse_when(text, now=NOW, tz="Asia/Shanghai") is None


def test_date_without_time_and_year_rollover() -> None:
    found = parse_when("2025-03-10", now=NOW, tz="Asia/Shanghai")
    assert found is not None and found.date_only and found.start == _at(10, 0)
    # Written in December, "3月10日" is next March.
    december = datetime(2025, 12, 20, tzinfo=SHANGHAI)
    found = parse_when("3月10日 9:00", now=december, tz="Asia/Shanghai")
    assert found is not None and found.start == _at(10, 9, year=2026)


def test_explicit_zone_wins_and_weekday_mismatch_is_reported() -> None:
    found = parse_when("2025-03-10 09:30 Europe/London", now=NOW, tz="Asia/Shanghai")
    assert found is not None and found.tzid == "Europe/London"
    assert found.start == datetime(2025, 3, 10, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    found = parse_when("Tuesday 10 March 2025 9:30", now=NOW, tz="Asia/Shanghai")
    assert found is not None and found.warnings and "tuesday" in found.warnings[0]


def test_range_past_midnight_is_flagged() -> None:
    found = parse_when("2025-03-10 23:00-01:00", now=NOW, tz="Asia/Shanghai")
    assert found is not None and found.end == _at(11, 1) and found.warnings


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90 min", 90),
        ("90 minutes", 90),
        ("1h30", 90),
        ("1h 15m", 75),
        ("1.5 h", 90),
        ("2 hours", 120),
        ("1 hour and 30 minutes", 90),
        ("1:30", 90),
        ("90分钟", 90),
        ("1小时30分", 90),
        ("一个半小时", 90),
        ("半小时", 30),
        ("两个小时", 120),
        ("三十分钟", 30),
    ],
)
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["2", "0 min", "soon", "", "-5 min"])
def test_unreadable_duration(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "value"), [("十", 10), ("十五", 15), ("二十三", 23), ("两", 2), ("7", 7), ("百", None)]
)
def test_zh_int(text: str, value: int | None) -> None:
    assert zh_int(text) == value


@pytest.mark.parametrize(
    ("text", "iana"),
    [
        ("Asia/Shanghai", "Asia/Shanghai"),
        ("asia/shanghai", "Asia/Shanghai"),
        ("China Standard Time", "Asia/Shanghai"),
        ("Romance Standard Time", "Europe/Paris"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("/mozilla.org/20050126_1/Europe/Paris", "Europe/Paris"),
        ("UTC+8", "Etc/GMT-8"),
        ("GMT-05:00", "Etc/GMT+5"),
        ("北京时间", "Asia/Shanghai"),
        ("Z", "UTC"),
        ("Mars/Olympus", None),
        ("UTC+5:30", None),
    ],
)
def test_zone_name(text: str, iana: str | None) -> None:
    assert zone_name(text) == iana
