"""The minutes parser: lines in both languages, the tricky dates, problems, whole documents."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.schema import CalendarSettings, Person
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.minutes import ActionSpec, MinutesDoc
from mailflow.domain.minutes_parser import parse_minutes
from mailflow.inbound.reading.mailtext import html_to_text

ZONE = ZoneInfo("Asia/Shanghai")
PEOPLE = (
    Person("bob@example.com", "Bob Smith", ("bob",), "Finance", "head"),
    Person("alice@example.com", "Alice Wong", ("alice",), "Engineering", "head"),
    Person("carol@example.com", "Carol King", (), "Engineering"),
    Person("dave@example.com", "Dave Lee", ("dave",), "Sales", "head"),
    Person("emma@example.com", "Emma Brown", ("emma",), "Sales"),
    Person("zhangwei@example.com", "张伟", ("zhangwei",), "财务部", "负责人"),
    Person("lina@example.com", "李娜", ("lina",), "市场部", "负责人"),
    Person("wangwei.rd@example.com", "王伟", ("wangwei",), "研发部"),
    Person("wangwei.hr@example.com", "王伟", ("wangw",), "人事部"),
    Person("chenjing@example.com", "陈静", ("chenjing",), "研发部", "负责人"),
    Person("liuyang@example.com", "刘洋", ("liuyang",), "人事部", "负责人"),
)
DIRECTORY = Directory(PEOPLE)
CALENDAR = BusinessCalendar(CalendarSettings(country="CN"))


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)


def parse(text: str, day: date = date(2025, 3, 7)) -> MinutesDoc:
    return parse_minutes(text, meeting_start=at(day), directory=DIRECTORY, calendar=CALENDAR)


def only_action(text: str, day: date) -> ActionSpec:
    doc = parse(text, day)
    assert doc.unused == ()
    assert len(doc.actions) == 1
    (action,) = doc.actions
    # An item without a due date is made, and the scribe is told so.
    assert [p.code for p in doc.problems] == ([] if action.due else ["no_due"])
    return action


# (line, meeting day, owner, task, deliverable, due). 2025-03-07 is a Friday; China: 2025-09-28
# (Sun) and 2025-10-11 (Sat) are working days, 2025-10-01..08 holidays, 2026-01-01..03 holidays,
# 2026-01-04 (Sun) and 2026-02-28 (Sat) working days.
LINES = [
    pytest.param(
        "ACTION: @bob Prepare the budget; deliverable: spreadsheet; due: 2025-03-08",
        date(2025, 3, 7),
        "bob@example.com",
        "Prepare the budget",
        "spreadsheet",
        date(2025, 3, 8),
        id="en-canonical",
    ),
    pytest.param(
        "ACTION: Prepare the budget — @bob — by Friday",
        date(2025, 3, 5),
        "bob@example.com",
        "Prepare the budget",
        None,
        date(2025, 3, 7),
        id="en-free-order",
    ),
    pytest.param(
        "ACTION: @bob Send the deck by Friday",
        date(2025, 3, 7),
        "bob@example.com",
        "Send the deck",
        None,
        date(2025, 3, 7),
        id="friday-said-on-friday-is-today",
    ),
    pytest.param(
        "ACTION: @bob Send the deck next Friday",
        date(2025, 3, 7),
        "bob@example.com",
        "Send the deck",
        None,
        date(2025, 3, 14),
        id="next-friday-said-on-friday",
    ),
    pytest.param(
        "ACTION: bob@example.com Review the contract; due 3/8",
        date(2025, 3, 3),
        "bob@example.com",
        "Review the contract",
        None,
        date(2025, 3, 8),
        id="email-owner-month-slash-day",
    ),
    pytest.param(
        "ACTION: Alice Wong to update the roadmap in 3 business days",
        date(2025, 9, 26),
        "alice@example.com",
        "update the roadmap",
        None,
        date(2025, 9, 30),
        id="business-days-over-working-sunday",
    ),
    pytest.param(
        "ACTION: @alice Fix the login bug by end of month",
        date(2025, 12, 10),
        "alice@example.com",
        "Fix the login bug",
        None,
        date(2025, 12, 31),
        id="end-of-december",
    ),
    pytest.param(
        "ACTION: @dave Renew the licences due 1/5",
        date(2025, 12, 20),
        "dave@example.com",
        "Renew the licences",
        None,
        date(2026, 1, 5),
        id="date-across-year-end",
    ),
    pytest.param(
        "ACTION: @dave Close the books in 3 business days",
        date(2025, 12, 30),
        "dave@example.com",
        "Close the books",
        None,
        date(2026, 1, 5),
        id="business-days-across-new-year",
    ),
    pytest.param(
        "ACTION: @bob File the report by Friday",
        date(2025, 9, 29),
        "bob@example.com",
        "File the report",
        None,
        date(2025, 9, 30),
        id="friday-holiday-moves-back",
    ),
    pytest.param(
        "ACTION: @alice Deploy the patch by Saturday",
        date(2025, 10, 9),
        "alice@example.com",
        "Deploy the patch",
        None,
        date(2025, 10, 11),
        id="adjusted-working-saturday-kept",
    ),
    pytest.param(
        "ACTION: @alice Deploy the patch in 2 business days",
        date(2025, 10, 9),
        "alice@example.com",
        "Deploy the patch",
        None,
        date(2025, 10, 11),
        id="business-days-count-working-saturday",
    ),
    pytest.param(
        "action: carol draft the FAQ by next Wednesday",
        date(2025, 3, 7),
        "carol@example.com",
        "draft the FAQ",
        None,
        date(2025, 3, 12),
        id="local-part-owner-lowercase-keyword",
    ),
    pytest.param(
        "ACTION: Sales prepare the Q2 forecast; due: 2025-03-20",
        date(2025, 3, 7),
        "dave@example.com",
        "prepare the Q2 forecast",
        None,
        date(2025, 3, 20),
        id="department-means-its-head",
    ),
    pytest.param(
        "ACTION: Prepare the venue; owner: Emma Brown; deliverable: floor plan; due: 2025-03-14",
        date(2025, 3, 7),
        "emma@example.com",
        "Prepare the venue",
        "floor plan",
        date(2025, 3, 14),
        id="owner-label",
    ),
    pytest.param(
        "ACTION: Book the venue @emma by 3/12",
        date(2025, 3, 7),
        "emma@example.com",
        "Book the venue",
        None,
        date(2025, 3, 12),
        id="mention-inside",
    ),
    pytest.param(
        "行动项：张伟 准备预算 交付物：预算表 截止：3月8日前",
        date(2025, 3, 3),
        "zhangwei@example.com",
        "准备预算",
        "预算表",
        date(2025, 3, 8),
        id="zh-canonical",
    ),
    pytest.param(
        "待办：李娜 联系供应商 本周五前",
        date(2025, 3, 5),
        "lina@example.com",
        "联系供应商",
        None,
        date(2025, 3, 7),
        id="zh-this-friday",
    ),
    pytest.param(
        "行动项：李娜 联系供应商 本周五前",
        date(2025, 3, 7),
        "lina@example.com",
        "联系供应商",
        None,
        date(2025, 3, 7),
        id="zh-this-friday-said-on-friday",
    ),
    pytest.param(
        "行动项：@zhangwei 核对发票 下周三",
        date(2025, 3, 7),
        "zhangwei@example.com",
        "核对发票",
        None,
        date(2025, 3, 12),
        id="zh-next-wednesday",
    ),
    pytest.param(
        "行动项：陈静 完成接口联调 3个工作日内",
        date(2025, 9, 26),
        "chenjing@example.com",
        "完成接口联调",
        None,
        date(2025, 9, 30),
        id="zh-business-days",
    ),
    pytest.param(
        "行动项：财务部负责整理报销单据 月底前",
        date(2025, 12, 3),
        "zhangwei@example.com",
        "整理报销单据",
        None,
        date(2025, 12, 31),
        id="zh-department-month-end-december",
    ),
    pytest.param(
        "行动项：刘洋 提交考勤 月底前",
        date(2026, 2, 5),
        "liuyang@example.com",
        "提交考勤",
        None,
        date(2026, 2, 28),
        id="zh-month-end-february-working-saturday",
    ),
    pytest.param(
        "行动项：刘洋 提交考勤 月底前",
        date(2025, 2, 10),
        "liuyang@example.com",
        "提交考勤",
        None,
        date(2025, 2, 28),
        id="zh-month-end-february",
    ),
    pytest.param(
        "行动项：陈静 准备发布 1月5日前",
        date(2025, 12, 22),
        "chenjing@example.com",
        "准备发布",
        None,
        date(2026, 1, 5),
        id="zh-date-across-year-end",
    ),
    pytest.param(
        "行动项：张伟准备预算交付物：预算表截止：3月8日",
        date(2025, 3, 3),
        "zhangwei@example.com",
        "准备预算",
        "预算表",
        date(2025, 3, 8),
        id="zh-no-spaces",
    ),
    pytest.param(
        "行动项：刘洋 整理值班表 本周五前",
        date(2025, 9, 29),
        "liuyang@example.com",
        "整理值班表",
        None,
        date(2025, 9, 30),
        id="zh-friday-national-day-moves-back",
    ),
    pytest.param(
        "行动项：张伟\u3000准备预算\u3000截止：３月８日前",
        date(2025, 3, 3),
        "zhangwei@example.com",
        "准备预算",
        None,
        date(2025, 3, 8),
        id="zh-full-width-spaces-and-digits",
    ),
    pytest.param(
        "行动项：张伟负责在3月15日前完成预算编制",
        date(2025, 3, 3),
        "zhangwei@example.com",
        "完成预算编制",
        None,
        date(2025, 3, 15),
        id="zh-deadline-before-the-verb",
    ),
    pytest.param(
        "行动项：李娜 3月10日前 准备预算。",
        date(2025, 3, 3),
        "lina@example.com",
        "准备预算",
        None,
        date(2025, 3, 10),
        id="zh-deadline-in-the-middle",
    ),
    pytest.param(
        "行动项：王伟（研发部） 完成服务器迁移 3个工作日内",
        date(2025, 12, 22),
        "wangwei.rd@example.com",
        "完成服务器迁移",
        None,
        date(2025, 12, 25),
        id="zh-namesake-told-apart-by-department",
    ),
    pytest.param(
        "ACTION: @bob Hire two engineers by Q3",
        date(2025, 8, 7),
        "bob@example.com",
        "Hire two engineers",
        None,
        date(2025, 9, 30),
        id="quarter-end",
    ),
    pytest.param(
        "Action: Bob will prepare the budget by next Friday.",
        date(2025, 3, 7),
        "bob@example.com",
        "prepare the budget",
        None,
        date(2025, 3, 14),
        id="en-sentence-with-full-stop",
    ),
    pytest.param(
        "ACTION: @bob Send the report by email",
        date(2025, 3, 7),
        "bob@example.com",
        "Send the report by email",
        None,
        None,
        id="by-a-non-date-is-task-text",
    ),
    pytest.param(
        "ACTION: @bob Send the Q3 report for the 3/18 board meeting",
        date(2025, 3, 7),
        "bob@example.com",
        "Send the Q3 report for the 3/18 board meeting",
        None,
        None,
        id="a-date-inside-the-task-is-not-a-due-date",
    ),
    pytest.param(
        "【行动项】李娜：联系供应商，下周三",
        date(2025, 3, 7),
        "lina@example.com",
        "联系供应商",
        None,
        date(2025, 3, 12),
        id="zh-bracket-keyword",
    ),
]


@pytest.mark.parametrize(("line", "day", "owner", "task", "deliverable", "due"), LINES)
def test_action_line(
    line: str, day: date, owner: str, task: str, deliverable: str | None, due: date | None
) -> None:
    action = only_action(line, day)
    assert (action.owner, action.task, action.deliverable, action.due) == (
        owner,
        task,
        deliverable,
        due,
    )


def test_due_time_and_raw_are_kept() -> None:
    action = only_action("行动项：张伟 准备年终总结 截止：2025年12月31日 17:00", date(2025, 12, 15))
    assert (action.due, action.due_time, action.due_raw) == (
        date(2025, 12, 31),
        time(17, 0),
        "2025年12月31日 17:00",
    )
    assert (action.owner_raw, action.department) == ("张伟", "财务部")


def test_due_raw_is_the_phrase_without_sentence_punctuation() -> None:
    action = only_action("ACTION: @bob Send the deck by next Friday.", date(2025, 3, 7))
    assert action.due_raw == "by next Friday"


def test_a_moved_deadline_is_noted_for_the_scribe() -> None:
    doc = parse("ACTION: @bob File the report by Friday", date(2025, 9, 29))
    assert len(doc.notes) == 1
    assert "2025-10-03" in doc.notes[0]
    assert "2025-09-30" in doc.notes[0]


def test_an_absolute_date_on_a_weekend_is_kept_and_noted() -> None:
    doc = parse("ACTION: @bob Prepare the budget; due: 2025-03-08", date(2025, 3, 7))
    assert doc.actions[0].due == date(2025, 3, 8)
    assert "not a business day" in doc.notes[0]


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("ACTION: @nobody Prepare the budget", "unknown_owner"),
        ("ACTION: Bbo Prepare the budget", "unknown_owner"),
        ("行动项：张玮 联系供应商", "unknown_owner"),
        ("行动项：王伟 联系供应商", "ambiguous_owner"),
        ("ACTION: Prepare the budget", "no_owner"),
        ("ACTION: @bob", "no_task"),
        ("DISPUTE: @nobody whether to outsource QA", "unknown_owner"),
        ("ATTENDEES: bob, Zed", "unknown_attendee"),
        ("出席：王伟、李娜", "ambiguous_attendee"),
        ("NEXT: 2025-02-30 10:00", "bad_next"),
        ("NEXT: 2025-03-01 10:00", "next_before_meeting"),
    ],
)
def test_problem_line(line: str, code: str) -> None:
    doc = parse(line)
    assert [p.code for p in doc.problems] == [code]
    assert doc.problems[0].line == line
    assert doc.problems[0].hint
    assert not doc.problems[0].kept
    assert doc.actions == ()


@pytest.mark.parametrize(
    ("line", "codes", "owner", "due"),
    [
        ("ACTION: @bob and @alice fix the build", ["co_owners", "no_due"], "bob", None),
        ("ACTION: @bob @alice fix the build", ["co_owners", "no_due"], "bob", None),
        ("行动项：张伟、李娜 准备预算", ["co_owners", "no_due"], "zhangwei", None),
        ("ACTION: Prepare the budget — @bob — @alice", ["co_owners", "no_due"], "bob", None),
        ("ACTION: @bob Prepare the budget; due: someday", ["due_unreadable"], "bob", None),
        ("ACTION: @bob Prepare the budget by Fridya", ["due_unreadable"], "bob", None),
        ("行动项：张伟 准备预算 3月32日前", ["due_unreadable"], "zhangwei", None),
        ("行动项：张伟 在3月32日前完成预算", ["due_unreadable"], "zhangwei", None),
        ("ACTION: @bob Prepare the budget; due: 2025-03-01", ["due_in_past"], "bob", None),
        (
            "ACTION: @bob Prepare the budget; due: 3/8; deadline: 3/9",
            ["due_ambiguous"],
            "bob",
            date(2025, 3, 8),
        ),
    ],
)
def test_an_incomplete_line_is_still_an_item_and_the_scribe_is_told(
    line: str, codes: list[str], owner: str, due: date | None
) -> None:
    doc = parse(line)
    assert [p.code for p in doc.problems] == codes
    assert all(p.kept and p.hint and p.line == line for p in doc.problems)
    (action,) = doc.actions
    assert (action.owner, action.due) == (f"{owner}@example.com", due)
    assert action.task in ("fix the build", "Prepare the budget", "准备预算", "完成预算")


def test_unknown_owner_hint_names_the_closest_people() -> None:
    (en,) = parse("ACTION: @bbo Prepare the budget").problems
    assert "@bob (Bob Smith)" in (en.hint or "")
    (zh,) = parse("行动项：张玮 联系供应商").problems
    assert "@zhangwei (张伟)" in (zh.hint or "")
    assert zh.reason.startswith("找不到负责人")


def test_ambiguous_owner_lists_the_candidates() -> None:
    (problem,) = parse("行动项：王伟 联系供应商").problems
    assert "@wangwei" in problem.reason
    assert "@wangw " in problem.reason


def test_problems_do_not_stop_the_rest() -> None:
    doc = parse(
        "ACTION: @nobody Prepare the budget\n"
        "ACTION: @bob Book the room; due: 2025-03-10\n"
        "DECISION: Vendor A\n"
    )
    assert [p.code for p in doc.problems] == ["unknown_owner"]
    assert [a.task for a in doc.actions] == ["Book the room"]
    assert doc.decisions == ("Vendor A",)


@pytest.mark.parametrize(
    "line",
    [
        "Decisions were quick.",
        "Next steps are below",
        "Action on this is pending",
        "Note that the room changed",
        "下次会议再议",
        "> ACTION: @bob quoted text is not an item",
        "Regards, Bob",
    ],
)
def test_free_text_is_ignored(line: str) -> None:
    assert parse(line) == MinutesDoc()


@pytest.mark.parametrize(
    "line",
    [
        "- DECISION: Vendor A",
        "* DECISION: Vendor A",
        "• DECISION: Vendor A",
        "· DECISION: Vendor A",
        "1. DECISION: Vendor A",
        "1) DECISION: Vendor A",
        "（1）DECISION: Vendor A",
        "一、DECISION: Vendor A",
        "**DECISION:** Vendor A",
        "*DECISION:* Vendor A",
        "decision：Vendor A",
        "\u200bDECISION:\u00a0Vendor A",
        "[DECISION] Vendor A",
        "- [ ] DECISION: Vendor A",
    ],
)
def test_bullets_numbering_and_leftovers(line: str) -> None:
    assert parse(line).decisions == ("Vendor A",)


def test_chinese_decision_keywords() -> None:
    doc = parse("决议：采用方案A\n决定：预算上限50万\n【决议】暂停招聘")
    assert doc.decisions == ("采用方案A", "预算上限50万", "暂停招聘")


def test_continuation_lines_belong_to_the_item() -> None:
    doc = parse(
        "ACTION: @bob Send the report to the board\n"
        "    together with the appendix\n"
        "    - deliverable: PDF\n"
        "    - due: 2025-03-12\n"
        "Not indented: free text again\n"
    )
    (action,) = doc.actions
    assert action.task == "Send the report to the board together with the appendix"
    assert (action.deliverable, action.due) == ("PDF", date(2025, 3, 12))


def test_lines_wrapped_by_the_mail_client_are_joined() -> None:
    doc = parse(
        "ACTION: @bob Prepare the budget for the board meeting including all the \n"
        "Appendices; due: 2025-03-12\n"
        "ACTION: @alice Prepare the slides for the board meeting including the\n"
        "appendix; due: 2025-03-12\n"
        "ACTION: @carol Book the room \n"
        "Thanks,\n"
    )
    assert [a.task for a in doc.actions] == [
        "Prepare the budget for the board meeting including all the Appendices",
        "Prepare the slides for the board meeting including the appendix",
        "Book the room",
    ]
    assert [a.due for a in doc.actions] == [date(2025, 3, 12), date(2025, 3, 12), None]


def test_sections_make_each_bullet_an_item() -> None:
    doc = parse(
        "Decisions:\n\n- Vendor A\n- Travel frozen\n"
        "## Action items\n1. @bob Book the room by Monday\n2. @alice Send the agenda\n"
        "Other business\n- this bullet is free text\n"
    )
    assert doc.decisions == ("Vendor A", "Travel frozen")
    assert [(a.owner, a.due) for a in doc.actions] == [
        ("bob@example.com", date(2025, 3, 10)),
        ("alice@example.com", None),
    ]


def test_disputes_may_have_no_owner() -> None:
    doc = parse(
        "DISPUTE: whether to outsource QA — @alice — in 3 business days\n争议：是否外包测试"
    )
    first, second = doc.disputes
    assert (first.owner, first.due, first.kind) == (
        "alice@example.com",
        date(2025, 3, 12),
        "dispute",
    )
    assert (second.owner, second.task, second.due) == (None, "是否外包测试", None)
    assert doc.actions == ()


@pytest.mark.parametrize(
    ("line", "start", "location", "topic"),
    [
        (
            "NEXT: 2025-03-14 10:00; Room 301; budget review",
            datetime(2025, 3, 14, 10, tzinfo=ZONE),
            "Room 301",
            "budget review",
        ),
        (
            "NEXT: Friday 14 March 2025 10:00, Room 301, budget sign-off",
            datetime(2025, 3, 14, 10, tzinfo=ZONE),
            "Room 301",
            "budget sign-off",
        ),
        (
            "下次会议：3月14日上午10点 301会议室 预算评审",
            datetime(2025, 3, 14, 10, tzinfo=ZONE),
            "301会议室",
            "预算评审",
        ),
        (
            "下次会议：时间：下周二下午2点；地点：线上；议题：季度复盘",
            datetime(2025, 3, 11, 14, tzinfo=ZONE),
            "线上",
            "季度复盘",
        ),
        ("NEXT: to be decided", None, None, "to be decided"),
    ],
)
def test_next_meeting(
    line: str, start: datetime | None, location: str | None, topic: str | None
) -> None:
    doc = parse(line)
    assert doc.problems == ()
    assert doc.next_meeting is not None
    spec = doc.next_meeting
    assert (spec.start, spec.location, spec.topic) == (start, location, topic)


def test_next_meeting_date_only() -> None:
    spec = parse("NEXT: 3/21").next_meeting
    assert spec is not None
    assert (spec.start, spec.date_only) == (datetime(2025, 3, 21, tzinfo=ZONE), True)


def test_attendees_resolve_to_addresses_once() -> None:
    doc = parse(
        "ATTENDEES: Bob Smith, alice (remote), carol@example.com\n出席：张伟、李娜 刘洋、bob"
    )
    assert doc.attendees == (
        "bob@example.com",
        "alice@example.com",
        "carol@example.com",
        "zhangwei@example.com",
        "lina@example.com",
        "liuyang@example.com",
    )


ENGLISH = """\
Minutes - Q2 planning, 7 March 2025
Attendees: Bob Smith, Alice Wong, Carol King, dave

Decisions:
- Vendor A is selected for the CRM migration.
- Travel is frozen until Q3.

ACTION: @bob Prepare the budget; deliverable: spreadsheet; due: 2025-03-14
ACTION: Update the roadmap — Alice Wong — in 3 business days
ACTION: @dave Send the pricing proposal by next Wednesday
ACTION: @nobody Check the contract
DISPUTE: Whether QA is outsourced — @carol — by end of month
INFO: The budget is tight this quarter.
NEXT: 2025-03-21 10:00; Room 301; Q2 plan sign-off

Thanks,
Carol
"""

OUTLOOK = """\
<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p{margin:0}</style></head>
<body lang=EN-US><div class=WordSection1>
<p class=MsoNormal><b>Minutes &#8211; Q2 planning<o:p></o:p></b></p>
<p class=MsoNormal>Attendees:&nbsp;Bob Smith; Alice Wong; Carol King; dave<o:p></o:p></p>
<p class=MsoNormal><b>Decisions:</b><o:p></o:p></p>
<ul type=disc><li class=MsoNormal>Vendor A is selected for the CRM migration.<o:p></o:p></li>
<li class=MsoNormal>Travel is frozen until Q3.<o:p></o:p></li></ul>
<p class=MsoListParagraph><![if !supportLists]><span>·<span>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;</span>
</span><![endif]><b>ACTION</b>:&nbsp;@bob&nbsp;Prepare the budget; deliverable: spreadsheet;
due:&nbsp;2025-03-14<o:p></o:p></p>
<p class=MsoNormal><b>ACTION:</b> Update the roadmap &#8212; Alice Wong &#8212; in 3 business
days</p>
<p class=MsoNormal><b>ACTION:</b> @dave Send the pricing proposal by next Wednesday</p>
<p class=MsoNormal><b>ACTION:</b> @nobody Check the contract</p>
<p class=MsoNormal><b>DISPUTE:</b> Whether QA is outsourced &#8212; @carol &#8212; by end of
month</p>
<p class=MsoNormal><b>INFO:</b> The budget is tight this quarter.</p>
<p class=MsoNormal><b>NEXT:</b> 2025-03-21 10:00; Room 301; Q2 plan sign-off</p>
<p class=MsoNormal>Thanks,<br>Carol</p>
</div></body></html>
"""


@pytest.mark.parametrize("text", [ENGLISH, html_to_text(OUTLOOK)], ids=["plain", "outlook-html"])
def test_english_document(text: str) -> None:
    doc = parse(text)
    assert doc.decisions == (
        "Vendor A is selected for the CRM migration.",
        "Travel is frozen until Q3.",
    )
    assert [(a.owner, a.task, a.deliverable, a.due) for a in doc.actions] == [
        ("bob@example.com", "Prepare the budget", "spreadsheet", date(2025, 3, 14)),
        ("alice@example.com", "Update the roadmap", None, date(2025, 3, 12)),
        ("dave@example.com", "Send the pricing proposal", None, date(2025, 3, 12)),
    ]
    assert [(d.owner, d.task, d.due) for d in doc.disputes] == [
        ("carol@example.com", "Whether QA is outsourced", date(2025, 3, 31))
    ]
    assert [p.code for p in doc.problems] == ["unknown_owner"]
    assert doc.attendees == (
        "bob@example.com",
        "alice@example.com",
        "carol@example.com",
        "dave@example.com",
    )
    assert doc.info == ("The budget is tight this quarter.",)
    assert doc.next_meeting is not None
    assert doc.next_meeting.start == datetime(2025, 3, 21, 10, tzinfo=ZONE)
    assert (doc.next_meeting.location, doc.next_meeting.topic) == ("Room 301", "Q2 plan sign-off")


CHINESE = """\
会议纪要：国庆前项目协调会（2025年9月26日）
出席：张伟、李娜、陈静、@alice
一、决议事项
  1. 采用方案B
  2. 预算上限50万
二、行动项
  1. 张伟 汇总预算 交付物：预算表 截止：本周五前
  2. 李娜：联系供应商，下周三
  3. 陈静 完成接口联调 3个工作日内
     交付物：联调报告
  4. 财务部负责整理报销单据 月底前
  5. 王伟 准备演示环境
三、争议
  - 是否外包测试 —— @liuyang —— 下周五前
下次会议：10月9日 上午10点 301会议室 项目复盘
备注：国庆期间值班表另行通知
"""


def test_chinese_document() -> None:
    doc = parse(CHINESE, date(2025, 9, 26))
    assert doc.decisions == ("采用方案B", "预算上限50万")
    assert [(a.owner, a.task, a.deliverable, a.due) for a in doc.actions] == [
        ("zhangwei@example.com", "汇总预算", "预算表", date(2025, 9, 26)),
        ("lina@example.com", "联系供应商", None, date(2025, 9, 30)),
        ("chenjing@example.com", "完成接口联调", "联调报告", date(2025, 9, 30)),
        ("zhangwei@example.com", "整理报销单据", None, date(2025, 9, 30)),
    ]
    # 下周五 is 2025-10-03, National Day: the last business day before it is 2025-09-30.
    assert [(d.owner, d.due) for d in doc.disputes] == [("liuyang@example.com", date(2025, 9, 30))]
    assert [p.code for p in doc.problems] == ["ambiguous_owner"]
    assert doc.problems[0].reason.startswith("王伟 可能是")
    assert doc.next_meeting is not None
    assert doc.next_meeting.start == datetime(2025, 10, 9, 10, tzinfo=ZONE)
    assert doc.info == ("国庆期间值班表另行通知",)
    assert len(doc.attendees) == 4
