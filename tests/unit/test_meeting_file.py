"""`mailflow meeting add FILE.toml`: the meeting file format, its example, and its problems."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.people import load_people
from mailflow.config.schema import Person
from mailflow.domain.directory import Directory
from mailflow.domain.meeting_draft import MeetingDraft
from mailflow.domain.meeting_file import parse_meeting_file

CONFIG = Path(__file__).parents[2] / "config"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 5, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
DIRECTORY = Directory(
    [
        Person(
            "wang.fang@example.com", "王芳", ("ceo",), "总经办", "负责人", timezone="Asia/Shanghai"
        ),
        Person("bob.smith@example.com", "Bob Smith", ("bob",), "Finance"),
        Person("li.na@example.com", "李娜", ("lina",), "研发部"),
    ]
)
MINIMAL = """
title = "Sync"
organiser = "ceo"
start = "2025-03-10 09:30"
attendees = ["bob"]
"""


def _parse(text: str, organiser: str | None = None) -> MeetingDraft:
    return parse_meeting_file(
        text,
        directory=DIRECTORY,
        now=NOW,
        default_timezone="UTC",
        domain="example.com",
        organiser=organiser,
    )


def test_the_example_file_is_valid() -> None:
    people = Directory(load_people(CONFIG / "people.example.toml"))
    draft = parse_meeting_file(
        (CONFIG / "meeting.example.toml").read_bytes(),
        directory=people,
        now=NOW,
        default_timezone="UTC",
        domain="example.com",
    )
    assert draft.problems == []
    spec = draft.spec
    assert spec is not None
    assert spec.start == datetime(2027, 3, 10, 9, 30, tzinfo=SHANGHAI)
    assert spec.end - spec.start == timedelta(minutes=90)
    assert spec.organiser.email == "wang.fang@example.com"
    assert spec.scribe == "li.na@example.com"
    assert "guest@partner.example" in [a.email for a in spec.attendees]
    assert [a.owner for a in spec.agenda] == ["zhang.wei@example.com", "bob.smith@example.com"]
    assert spec.online_url == "https://meet.example.com/q2-planning"


def test_minimal_file() -> None:
    draft = _parse(MINIMAL)
    assert draft.ok and draft.spec is not None
    spec = draft.spec
    assert (spec.start, spec.tzid) == (
        datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI),
        "Asia/Shanghai",
    )
    assert spec.end - spec.start == timedelta(hours=1)
    assert any("60 minutes" in note for note in draft.notes)
    assert spec.scribe == "wang.fang@example.com"
    # The same file gives the same UID, so adding it twice makes one meeting.
    again = _parse(MINIMAL)
    assert again.spec is not None and again.spec.uid == spec.uid
    assert spec.uid.startswith("mf-") and spec.uid.endswith("@example.com")


def test_text_times_durations_agenda_and_rrule() -> None:
    draft = _parse(
        MINIMAL.replace('"2025-03-10 09:30"', '"下周二 上午10点"')
        + 'duration = "1h30"\nrrule = "RRULE:FREQ=WEEKLY;BYDAY=TU"\nuid = "fixed@example.com"\n'
        + '[[agenda]]\ntopic = "Budget"\nowner = "bob"\nminutes = 20\n'
        + 'expected_conclusion = "approve"\n'
    )
    assert draft.ok and draft.spec is not None
    spec = draft.spec
    assert spec.start == datetime(2025, 3, 11, 10, 0, tzinfo=SHANGHAI)
    assert spec.end == datetime(2025, 3, 11, 11, 30, tzinfo=SHANGHAI)
    assert spec.rrule == "FREQ=WEEKLY;BYDAY=TU" and spec.uid == "fixed@example.com"
    assert spec.agenda[0].owner == "bob.smith@example.com" and spec.agenda[0].minutes == 20


def test_offset_datetime_keeps_its_instant_in_the_meeting_zone() -> None:
    draft = _parse(
        MINIMAL.replace('"2025-03-10 09:30"', "2025-03-10T01:30:00Z") + "end = 11:00:00\n"
    )
    assert any(p.field == "end" for p in draft.problems)  # a bare TOML time is not a date-time
    draft = _parse(
        MINIMAL.replace('"2025-03-10 09:30"', "2025-03-10T01:30:00Z") + 'end = "10:00"\n'
    )
    assert draft.ok and draft.spec is not None
    assert draft.spec.start == datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI)
    assert draft.spec.end == datetime(2025, 3, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (MINIMAL + "attendes = []\n", "attendes", "did you mean 'attendees'"),
        (MINIMAL.replace('title = "Sync"', ""), "title", "no title"),
        (MINIMAL.replace('organiser = "ceo"', ""), "organiser", "nobody named"),
        (MINIMAL.replace('start = "2025-03-10 09:30"', ""), "start", "no start"),
        (MINIMAL.replace("2025-03-10", "2025-03-01"), "when", "in the past"),
        (MINIMAL.replace('"2025-03-10 09:30"', "2025-03-10"), "start", "cannot read"),
        (MINIMAL.replace('["bob"]', '["bob", "nobody"]'), "attendees", "nobody called"),
        (MINIMAL.replace('["bob"]', "[]"), "attendees", "nobody is invited"),
        (MINIMAL + 'rrule = "FREQ=SOMETIMES"\n', "rrule", "not a valid RRULE"),
        (MINIMAL + 'duration = "forever"\n', "duration", "cannot read"),
        (MINIMAL + 'duration = 30\nend = "11:00"\n', "duration", "disagree"),
        (MINIMAL + 'timezone = "Mars/Base"\n', "timezone", "unknown time zone"),
        (MINIMAL + '[[agenda]]\nowner = "bob"\n', "agenda[1]", "needs a topic"),
        (MINIMAL + '[[agenda]]\ntopic = "x"\nminutes = -5\n', "agenda[1]", "positive"),
        (MINIMAL + "title = ", "file", "not valid TOML"),
    ],
)
def test_problems(text: str, field: str, words: str) -> None:
    draft = _parse(text)
    assert not draft.ok
    assert any(p.field == field and words in str(p) for p in draft.problems), draft.problems


def test_organiser_from_the_caller_and_timezone_key() -> None:
    text = MINIMAL.replace('organiser = "ceo"', 'timezone = "Europe/London"')
    draft = _parse(text, organiser="bob.smith@example.com")
    assert draft.ok and draft.spec is not None
    assert draft.spec.organiser.email == "bob.smith@example.com"
    assert draft.spec.start == datetime(2025, 3, 10, 9, 30, tzinfo=ZoneInfo("Europe/London"))
