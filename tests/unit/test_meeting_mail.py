"""The plain "MEETING:" / "会议通知：" mail: English and Chinese fields, people, times, problems."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.schema import Person
from mailflow.domain.directory import Directory
from mailflow.domain.meeting_draft import MeetingDraft
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.reading.mailtext import html_to_text
from mailflow.inbound.understanding.meeting_mail import (
    meeting_title,
    meeting_uid,
    parse_meeting_mail,
)
from mailflow.inbound.understanding.replies.reply_trim import trim_reply

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 5, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
WANG_FANG = Person(
    "wang.fang@example.com", "王芳", ("ceo",), "总经办", "负责人", timezone="Asia/Shanghai"
)
ZHANG_WEI = Person("zhang.wei@example.com", "张伟", ("zhangwei",), "研发部", "head")
LI_NA = Person("li.na@example.com", "李娜", ("lina",), "研发部", "engineer")
BOB = Person("bob.smith@example.com", "Bob Smith", ("bob",), "Finance", timezone="Europe/London")
WANG_WEI_1 = Person("wang.wei@example.com", "王伟", (), "Finance")
WANG_WEI_2 = Person("wangwei2@example.com", "王伟", (), "Sales")
DIRECTORY = Directory([WANG_FANG, ZHANG_WEI, LI_NA, BOB, WANG_WEI_1, WANG_WEI_2])


def _mail(
    subject: str,
    body: str,
    *,
    sender: str = "王芳 <wang.fang@example.com>",
    html: bool = False,
    message_id: str = "<m1@example.com>",
    charset: str = "utf-8",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "meetings@example.com"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if html:
        message.set_content(body, subtype="html")
    elif charset == "utf-8":
        message.set_content(body)
    else:
        message.set_content(body.encode(charset), "text", "plain", params={"charset": charset})
    # Round-trip through bytes, as the pipeline does.
    return InboundMail(message.as_bytes()).message


def _parse(subject: str, body: str, **mail_options: Any) -> MeetingDraft:
    return parse_meeting_mail(
        _mail(subject, body, **mail_options),
        directory=DIRECTORY,
        now=NOW,
        default_timezone="UTC",
        domain="example.com",
    )


ENGLISH = """Hi all,

When: 2025-03-10 09:30
Duration: 90 min
Where: Room 301
Attendees: bob, li.na@example.com, Guest Person <guest@partner.example>
Scribe: lina
Agenda:
1. Q1 review | zhangwei | 20 | agree what carries over
2. Budget | bob | 30 min | approve the budget
Materials: Q1 report.pdf; https://docs.example.com/budget
"""

CHINESE = """各位好：

时间：3月10日 下午2点-3点半
地点：https://meet.example.com/j/123
参会人：张伟、李娜；bob
记录人：李娜
议程：
- 预算回顾 | 张伟 | 20分钟 | 批准预算
- 招聘计划 ｜ 李娜 ｜ 30 ｜ 确定名额
材料：
- 一季度报告.pdf
- 招聘需求.xlsx
"""


def test_english_meeting_mail() -> None:
    draft = _parse("MEETING: Q2 planning", ENGLISH)
    assert draft.problems == [] and draft.ok
    spec = draft.spec
    assert spec is not None
    assert spec.title == "Q2 planning"
    # The organiser's zone comes from the directory, not the config default (UTC).
    assert (spec.start, spec.end, spec.tzid) == (
        datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI),
        datetime(2025, 3, 10, 11, 0, tzinfo=SHANGHAI),
        "Asia/Shanghai",
    )
    assert spec.organiser.email == "wang.fang@example.com" and spec.organiser.role == "CHAIR"
    assert [a.email for a in spec.attendees] == [
        "bob.smith@example.com",
        "li.na@example.com",
        "guest@partner.example",
    ]
    assert spec.location == "Room 301" and spec.online_url is None
    assert spec.scribe == "li.na@example.com"
    assert [(a.topic, a.owner, a.minutes, a.expected_conclusion) for a in spec.agenda] == [
        ("Q1 review", "zhang.wei@example.com", 20, "agree what carries over"),
        ("Budget", "bob.smith@example.com", 30, "approve the budget"),
    ]
    assert spec.materials == ("Q1 report.pdf", "https://docs.example.com/budget")
    assert spec.description == "Hi all,"


def test_chinese_meeting_mail_with_full_width_colons() -> None:
    draft = _parse("会议通知：预算评审", CHINESE)
    assert draft.problems == []
    spec = draft.spec
    assert spec is not None
    assert spec.title == "预算评审"
    assert spec.start == datetime(2025, 3, 10, 14, 0, tzinfo=SHANGHAI)
    assert spec.end == datetime(2025, 3, 10, 15, 30, tzinfo=SHANGHAI)
    assert spec.online_url == "https://meet.example.com/j/123" and spec.location is None
    assert [a.email for a in spec.attendees] == [
        "zhang.wei@example.com",
        "li.na@example.com",
        "bob.smith@example.com",
    ]
    assert [(a.topic, a.owner, a.minutes) for a in spec.agenda] == [
        ("预算回顾", "zhang.wei@example.com", 20),
        ("招聘计划", "li.na@example.com", 30),
    ]
    assert spec.materials == ("一季度报告.pdf", "招聘需求.xlsx")


@pytest.mark.parametrize(
    ("lines", "start", "minutes"),
    [
        ("When: 2025/3/10 9:30\nEnd: 10:15", (10, 9, 30), 45),
        ("Time: Monday 10 March 2025 9:30am\nLength: 1h30", (10, 9, 30), 90),
        ("WHEN: next Tuesday 10:00\nDuration: 1.5 h", (11, 10, 0), 90),
        ("时间：明天下午3点\n时长：一个半小时", (6, 15, 0), 90),
        ("时间：2025年3月10日 上午9:30\n时长：1小时30分", (10, 9, 30), 90),
        ("时间：3月10日 14:00-15:30", (10, 14, 0), 90),
        ("日期：2025-03-10\n时间：16:00\n结束：17:00", (10, 16, 0), 60),
        ("When：2025-03-10 09:30\nDuration：90分钟", (10, 9, 30), 90),
    ],
)
def test_times_and_durations(lines: str, start: tuple[int, int, int], minutes: int) -> None:
    draft = _parse("Meeting: sync", f"{lines}\nAttendees: bob\n")
    assert draft.problems == []
    spec = draft.spec
    assert spec is not None
    assert spec.start == datetime(2025, 3, start[0], start[1], start[2], tzinfo=SHANGHAI)
    assert spec.end - spec.start == timedelta(minutes=minutes)


def test_no_end_and_no_duration_defaults_to_an_hour_with_a_note() -> None:
    draft = _parse("MEETING: sync", "When: 2025-03-10 09:30\nAttendees: bob\n")
    assert draft.ok and draft.spec is not None
    assert draft.spec.end - draft.spec.start == timedelta(minutes=60)
    assert any("60 minutes" in note for note in draft.notes)
    assert any("scribe" in note for note in draft.notes)
    assert draft.spec.scribe == "wang.fang@example.com"


def test_department_means_all_its_members() -> None:
    draft = _parse("MEETING: R&D sync", "When: 2025-03-10 09:30\nAttendees: 研发部, bob\n")
    assert draft.ok and draft.spec is not None
    emails = [a.email for a in draft.spec.attendees]
    assert emails == ["zhang.wei@example.com", "li.na@example.com", "bob.smith@example.com"]


@pytest.mark.parametrize(
    ("lines", "field", "words"),
    [
        ("When: 2025-03-10 09:30\nAttendees: bob, Bobb Smith", "attendees", "Bob Smith"),
        ("When: 2025-03-10 09:30\nAttendees: 王伟", "attendees", "wangwei2@example.com"),
        ("When: 2025-03-01 09:30\nAttendees: bob", "when", "in the past"),
        ("When: sometime soon\nAttendees: bob", "when", "cannot read"),
        ("When: 2025-03-10\nAttendees: bob", "when", "no time of day"),
        ("Where: Room 1\nAttendees: bob", "when", "no date and time"),
        ("When: 2025-03-10 09:30\nDuration: forever\nAttendees: bob", "duration", "cannot read"),
        ("When: 2025-03-10 09:30-10:00\nDuration: 90 min\nAttendees: bob", "duration", "disagree"),
        ("When: 2025-03-10 09:30\nEnd: 09:00\nAttendees: bob", "end", "before it starts"),
        ("When: Tuesday 2025-03-10 09:30\nAttendees: bob", "when", "does not match"),
        ("When: 2025-03-10 09:30\nAttendees: bob\nScribe: nobody-here", "scribe", "nobody called"),
        ("When: 2025-03-10 09:30\nAttendees: bob\nAgenda:\nBudget | ghost | 20", "agenda", "ghost"),
        ("When: 2025-03-10 09:30\nAttendees: bob\nAgenda:\nBudget | bob | lots", "agenda", "lots"),
        ("When: 2025-03-10 09:30\nTimezone: Mars/Base\nAttendees: bob", "timezone", "Mars"),
        ("When: 2025-03-10 09:30", "attendees", "nobody is invited"),
    ],
)
def test_problems_for_the_organiser(lines: str, field: str, words: str) -> None:
    draft = _parse("MEETING: check", lines + "\n")
    assert not draft.ok
    assert any(p.field == field and words in str(p) for p in draft.problems), draft.problems


def test_unknown_attendee_gets_the_closest_matches() -> None:
    draft = _parse("MEETING: x", "When: 2025-03-10 09:30\nAttendees: lnia, 李那\n")
    hints = [p.hint or "" for p in draft.problems]
    assert any("李娜 <li.na@example.com>" in hint for hint in hints)
    assert draft.spec is not None  # the receipt still shows what was understood


def test_only_the_new_text_is_read() -> None:
    body = (
        "When: 2025-03-10 09:30\nAttendees: bob\n\n"
        "> Attendees: mallory@evil.example\n"
        "On Tue, 4 Mar 2025 at 10:00, Bob <bob.smith@example.com> wrote:\n"
        "When: 2025-01-01 08:00\nAttendees: eve@evil.example\n"
    )
    draft = _parse("MEETING: x", body)
    assert draft.ok and draft.spec is not None
    assert [a.email for a in draft.spec.attendees] == ["bob.smith@example.com"]


@pytest.mark.parametrize(
    "separator",
    [
        "-----Original Message-----",
        "----- 原始邮件 -----",
        "发件人: Bob <bob@example.com>",
        "在 2025年3月4日 10:00，Bob 写道：",
        "From: Bob\nSent: Tuesday\nTo: meetings",
    ],
)
def test_cut_quote_headers(separator: str) -> None:
    assert trim_reply(f"new text\n{separator}\nold text\n") == "new text"


def test_html_only_mail_with_an_agenda_table() -> None:
    html = (
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>When: 2025-03-10 09:30</p><p>Attendees: bob</p><p>Agenda:</p>"
        "<table><tr><td>Budget</td><td>bob</td><td>20</td><td>approve</td></tr></table>"
        "<blockquote>Attendees: eve@evil.example</blockquote></body></html>"
    )
    draft = _parse("MEETING: html", html, html=True)
    assert draft.ok and draft.spec is not None
    assert [a.email for a in draft.spec.attendees] == ["bob.smith@example.com"]
    assert draft.spec.agenda[0].topic == "Budget" and draft.spec.agenda[0].minutes == 20
    assert html_to_text("<p>a&amp;b<br>c</p>") == "a&b\nc"


def test_gb2312_label_on_gbk_text() -> None:
    body = "时间：2025-03-10 09:30\n参会人：bob\n说明：镕基项目\n"  # 镕 is in GBK, not GB2312
    draft = _parse("会议通知：镕", body, charset="gbk")
    assert draft.ok and draft.spec is not None and draft.spec.description == "镕基项目"


def test_uid_is_stable_per_message_id() -> None:
    first = _parse("MEETING: x", "When: 2025-03-10 09:30\nAttendees: bob\n")
    again = _parse("MEETING: x", "When: 2025-03-10 09:30\nAttendees: bob\n")
    other = _parse("MEETING: x", "When: 2025-03-10 09:30\nAttendees: bob\n", message_id="<m2@x>")
    assert first.spec is not None and again.spec is not None and other.spec is not None
    assert first.spec.uid == again.spec.uid == meeting_uid("<m1@example.com>", "example.com")
    assert first.spec.uid.startswith("mf-") and first.spec.uid.endswith("@example.com")
    assert other.spec.uid != first.spec.uid


def test_organiser_zone_and_timezone_field() -> None:
    bob = _parse(
        "MEETING: x", "When: 2025-03-10 09:30\nAttendees: lina\n", sender="bob.smith@example.com"
    )
    assert bob.spec is not None and bob.spec.tzid == "Europe/London"
    stranger = _parse(
        "MEETING: x", "When: 2025-03-10 09:30\nAttendees: lina\n", sender="x@else.example"
    )
    assert stranger.spec is not None and stranger.spec.tzid == "UTC"
    given = _parse(
        "MEETING: x",
        "When: 2025-03-10 09:30\n时区：China Standard Time\nAttendees: lina\n",
        sender="x@else.example",
    )
    assert given.spec is not None and given.spec.tzid == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("MEETING: Q2 planning", "Q2 planning"),
        ("Meeting：Q2", "Q2"),
        ("meeting : weekly sync", "weekly sync"),
        ("会议通知：预算评审", "预算评审"),
        ("会议通知: 预算评审", "预算评审"),
        ("[team] MEETING: retro", "retro"),
        ("Re: MEETING: Q2 planning", None),
        ("Fwd: MEETING: Q2 planning", None),
        ("回复：会议通知：预算评审", None),
        ("转发: 会议通知：预算评审", None),
        ("会议纪要：预算评审", None),
        ("Meeting notes from Monday", None),
    ],
)
def test_meeting_title(subject: str, title: str | None) -> None:
    assert meeting_title(subject) == title


def test_mail_without_sender_is_refused() -> None:
    draft = _parse("MEETING: x", "When: 2025-03-10 09:30\nAttendees: bob\n", sender="")
    assert draft.spec is None and draft.problems[0].field == "organiser"


def test_reply_subject_is_not_a_new_meeting() -> None:
    draft = _parse("Re: MEETING: x", "When: 2025-03-10 09:30\nAttendees: bob\n")
    assert draft.spec is None and draft.problems[0].field == "subject"
