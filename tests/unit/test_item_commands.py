"""Reply commands for action items: English and Chinese, refs, errors, and free text left alone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.schema import CalendarSettings, Person
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import ItemCommand, ItemCommands, parse_item_commands

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=ZONE)  # a Monday
DIRECTORY = Directory(
    (
        Person("bob@example.com", "Bob Smith", ("bob",), "Finance", "head"),
        Person("alice@example.com", "Alice Wong", ("alice",), "Engineering", "head"),
        Person("zhangwei@example.com", "张伟", ("zhangwei",), "财务部", "负责人"),
        Person("wangwei.rd@example.com", "王伟", ("wangwei",), "研发部"),
        Person("wangwei.hr@example.com", "王伟", ("wangw",), "人事部"),
    )
)
CALENDAR = BusinessCalendar(CalendarSettings(country="CN"))


def parse(text: str) -> ItemCommands:
    return parse_item_commands(text, now=NOW, directory=DIRECTORY, calendar=CALENDAR)


def one(text: str) -> ItemCommand:
    result = parse(text)
    assert result.errors == []
    (command,) = result.commands
    return command


@pytest.mark.parametrize(
    ("line", "verb", "args"),
    [
        ("CONFIRM", "confirm", {}),
        ("confirmed.", "confirm", {}),
        ("确认", "confirm", {}),
        ("已确认！", "confirm", {}),
        ("DONE", "done", {}),
        ("done", "done", {}),
        ("Done, thanks", "done", {"note": "thanks"}),
        ("Done. Will send the deck later", "done", {"note": "Will send the deck later"}),
        ("DONE with lunch", "done", {"note": "with lunch"}),
        ("完成", "done", {}),
        ("完成了。", "done", {}),
        ("Finished!", "done", {}),
        ("已完成 报告已上传", "done", {"note": "报告已上传"}),
        ("60%", "progress", {"percent": "60"}),
        ("60 % done", "progress", {"percent": "60"}),
        ("PROGRESS 60%", "progress", {"percent": "60"}),
        ("Progress 60% slides ready", "progress", {"percent": "60", "note": "slides ready"}),
        ("进度 60%", "progress", {"percent": "60"}),
        ("进度60%", "progress", {"percent": "60"}),
        ("进度：60%，数据已收集", "progress", {"percent": "60", "note": "数据已收集"}),
        ("６０％", "progress", {"percent": "60"}),
        ("100%", "progress", {"percent": "100"}),
        (
            "DELAY 2025-03-20 waiting for the vendor",
            "delay",
            {"until": "2025-03-20", "until_raw": "2025-03-20", "reason": "waiting for the vendor"},
        ),
        (
            "Delay 3/20 vendor is late",
            "delay",
            {"until": "2025-03-20", "until_raw": "3/20", "reason": "vendor is late"},
        ),
        (
            "DELAY to next Friday because the data is late",
            "delay",
            {"until": "2025-03-21", "until_raw": "next Friday", "reason": "the data is late"},
        ),
        (
            "延期 3月20日 等待供应商报价",
            "delay",
            {"until": "2025-03-20", "until_raw": "3月20日", "reason": "等待供应商报价"},
        ),
        (
            "延期到3月20日，原因：供应商延迟",
            "delay",
            {"until": "2025-03-20", "until_raw": "3月20日", "reason": "供应商延迟"},
        ),
        (
            "DELAY 2025-03-20 17:00 audit",
            "delay",
            {
                "until": "2025-03-20",
                "until_raw": "2025-03-20 17:00",
                "reason": "audit",
                "time": "17:00",
            },
        ),
        ("DECLINE not my department", "decline", {"reason": "not my department"}),
        ("Decline: no capacity this month", "decline", {"reason": "no capacity this month"}),
        ("拒绝 不属于本部门职责", "decline", {"reason": "不属于本部门职责"}),
        ("REASSIGN @alice", "reassign", {"owner": "alice@example.com", "owner_raw": "@alice"}),
        (
            "reassign to alice@example.com",
            "reassign",
            {"owner": "alice@example.com", "owner_raw": "alice@example.com"},
        ),
        ("转交 张伟", "reassign", {"owner": "zhangwei@example.com", "owner_raw": "张伟"}),
        ("改派@wangw", "reassign", {"owner": "wangwei.hr@example.com", "owner_raw": "@wangw"}),
        ("NOTE the vendor called back", "note", {"text": "the vendor called back"}),
        ("Note: the room changed", "note", {"text": "the room changed"}),
        ("备注 供应商已回复", "note", {"text": "供应商已回复"}),
        ("- DONE", "done", {}),
        ("1. CONFIRM", "confirm", {}),
    ],
)
def test_command(line: str, verb: str, args: dict[str, str]) -> None:
    command = one(line)
    assert (command.verb, command.ref, command.args, command.line) == (verb, None, args, line)


@pytest.mark.parametrize(
    ("line", "ref", "verb"),
    [
        ("MF-0042 DONE", "MF-0042", "done"),
        ("mf-0042 done", "MF-0042", "done"),
        ("[MF-0043]: 60%", "MF-0043", "progress"),
        ("MF-0044: CONFIRM", "MF-0044", "confirm"),
        ("- MF-0045 进度 30%", "MF-0045", "progress"),
        ("【MF-0046】完成", "MF-0046", "done"),
    ],
)
def test_ref_prefix(line: str, ref: str, verb: str) -> None:
    command = one(line)
    assert (command.ref, command.verb) == (ref, verb)


def test_a_ref_shows_intent_for_everyday_words() -> None:
    command = one("MF-0042 Note that the vendor called")
    assert (command.verb, command.args) == ("note", {"text": "that the vendor called"})
    assert one("MF-0042 done with the draft").args == {"note": "with the draft"}


@pytest.mark.parametrize(
    "line",
    [
        "Done with lunch, will send later",
        "Note that the room changed",
        "Noted, thanks",
        "Delay is likely next month",
        "Progress is slow",
        "Confirming the venue today",
        "Decline in sales is expected",
        "Reassign to Bob if you like",
        "完成报告后再发给你",
        "确认一下时间",
        "完成60%",
        "完成了一半",
        "Finished the draft, sending it shortly",
        "60% of the slides are ready",
        "> DONE",
        "Thanks, Bob",
        "MF-0042",
    ],
)
def test_everyday_text_is_not_a_command(line: str) -> None:
    assert parse(line) == ItemCommands()


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("DELAY 2025-03-20", "delay_no_reason"),
        ("延期 3月20日", "delay_no_reason"),
        ("DELAY soonish, the vendor is late", "delay_no_date"),
        ("DELAY: 2025-02-30 vendor", "delay_no_date"),
        ("DELAY 2025-03-01 vendor late", "delay_in_past"),
        ("DECLINE", "decline_no_reason"),
        ("拒绝", "decline_no_reason"),
        ("PROGRESS 150%", "bad_progress"),
        ("150%", "bad_progress"),
        ("进度：很慢", "bad_progress"),
        ("REASSIGN", "no_new_owner"),
        ("REASSIGN @nobody", "unknown_owner"),
        ("转交 王伟", "ambiguous_owner"),
        ("REASSIGN @bob @alice", "two_owners"),
        ("NOTE", "empty_note"),
        ("MF-0042 SHIPPED", "unknown_command"),
    ],
)
def test_malformed_commands_are_errors(line: str, code: str) -> None:
    result = parse(line)
    assert result.commands == []
    assert [(e.code, e.line) for e in result.errors] == [(code, line)]
    assert result.errors[0].hint


def test_errors_are_worded_in_the_line_language() -> None:
    (english,) = parse("DELAY 2025-03-20").errors
    (chinese,) = parse("延期 3月20日").errors
    assert english.reason == "DELAY needs a reason"
    assert chinese.reason == "延期需要写明原因"


def test_unknown_new_owner_suggests_close_names() -> None:
    (error,) = parse("REASSIGN @alcie").errors
    assert "@alice (Alice Wong)" in (error.hint or "")


def test_a_mail_covering_several_items() -> None:
    result = parse(
        "Hi,\n\nMF-0042 DONE\nMF-0043 60%\nMF-0044 DELAY 2025-03-20 waiting for legal\n"
        "MF-0045 DELAY 2025-03-21\n\nThanks,\nBob\n"
    )
    assert [(c.ref, c.verb) for c in result.commands] == [
        ("MF-0042", "done"),
        ("MF-0043", "progress"),
        ("MF-0044", "delay"),
    ]
    assert [(e.code, e.line) for e in result.errors] == [
        ("delay_no_reason", "MF-0045 DELAY 2025-03-21")
    ]


def test_business_days_without_a_calendar_skip_weekends() -> None:
    result = parse_item_commands(
        "DELAY in 5 business days, waiting for legal", now=NOW, directory=DIRECTORY
    )
    (command,) = result.commands
    assert command.args["until"] == "2025-03-17"
    assert command.args["reason"] == "waiting for legal"
