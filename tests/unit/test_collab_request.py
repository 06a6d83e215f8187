"""Collaboration requests (协作需求单) read from mail as real clients write it, zh/en/zh_TW.

The ``.eml`` files in ``tests/data/requests`` are written the way each client produces them:
Outlook's Word HTML with a table (every cell wrapped in ``<p class=MsoNormal>``, GB2312 label),
Foxmail's GB2312-labelled GBK text, 飞书's markdown table, Gmail's plain text with the earlier
thread quoted below (whose fields must not count), and the Taipei office's Big5 Outlook for Mac.
"""

from __future__ import annotations

from datetime import date, datetime
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.schema import CalendarSettings, Person
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.collab_request import (
    CollabRequest,
    parse_request,
    read_request_fields,
    request_title,
    urgency_of,
)
from mailflow.domain.directory import Directory
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.reading.mailtext import header_text
from mailflow.inbound.understanding.classifiers import collab_request
from mailflow.inbound.understanding.classify import classify
from mailflow.inbound.understanding.request_mail import request_text

DATA = Path(__file__).parents[1] / "data" / "requests"
NOW = datetime(2025, 3, 10, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
CALENDAR = BusinessCalendar(CalendarSettings(country="CN"))
DIRECTORY = Directory(
    (
        Person("wang.fang@example.com", "王芳", ("wangfang",), "财务部", "负责人"),
        Person("li.lei@example.com", "李雷", ("lilei",), "财务部"),
        Person("carol@example.com", "Carol King", ("carol",), "市场部", "head"),
        Person("zhang.wei@example.com", "张伟", (), "研发部"),
        Person("chen.jing@example.com", "陈静", ("chenjing",), "数据部"),
        Person("alice.wong@example.com", "Alice Wong", (), "产品部", "head"),
        Person("lin.meiling@example.com", "林美玲", ("grace",), "台北办公室"),
    )
)


def from_file(name: str) -> CollabRequest:
    raw = (DATA / name).read_bytes()
    message = message_from_bytes(raw, policy=policy.compat32)
    sender = header_text(message, "From").rpartition("<")[2].strip(">")
    return parse_request(
        header_text(message, "Subject"),
        request_text(message),
        sender=sender,
        directory=DIRECTORY,
        now=NOW,
        calendar=CALENDAR,
    )


def parse(
    text: str, subject: str = "REQUEST: help", sender: str = "carol@example.com"
) -> CollabRequest:
    return parse_request(
        subject, text, sender=sender, directory=DIRECTORY, now=NOW, calendar=CALENDAR
    )


# name, content, owner, receiving department, requester department, urgency, due, project
CLIENTS = [
    (
        "outlook_table.eml",
        "复核 618 活动预算并给出调整建议",
        "wang.fang@example.com",
        "财务部",
        "市场部",
        "urgent",
        date(2025, 3, 14),
        "618大促",
    ),
    (
        "foxmail_gbk.eml",
        "提供 2024 年研发费用明细，用于高新技术企业认定申报",
        "wang.fang@example.com",
        "财务部",
        "研发部",
        "normal",
        date(2025, 3, 21),
        None,
    ),
    (
        "feishu_markdown.eml",
        "为会员体系 PRD 提供数据埋点方案",
        "chen.jing@example.com",
        "数据部",
        "产品部",
        "low",
        date(2025, 3, 31),
        "会员体系升级",
    ),
    (
        "gmail_plain.eml",
        "Reconcile the Q1 vendor invoices for the launch event",
        "wang.fang@example.com",
        "财务部",
        "市场部",
        "urgent",
        date(2025, 3, 14),
        None,
    ),
    (
        "zh_tw_outlook.eml",
        "提供年度稽核所需的費用憑證清單",
        "wang.fang@example.com",
        "财务部",
        "台北办公室",
        "low",
        date(2025, 3, 19),
        "年度稽核",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "owner", "department", "asking", "urgency", "due", "project"), CLIENTS
)
def test_a_request_is_read_from_each_client(
    name: str,
    content: str,
    owner: str,
    department: str,
    asking: str,
    urgency: str,
    due: date,
    project: str | None,
) -> None:
    request = from_file(name)
    assert request.ok, request.problems
    assert request.skipped == []
    assert request.content == content
    assert request.receiver is not None and request.receiver.email == owner
    assert (request.receiving_department, request.requester_department) == (department, asking)
    assert (request.urgency, request.due, request.project) == (urgency, due, project)


def test_the_subject_names_a_request_in_each_language_and_replies_do_not() -> None:
    assert request_title("REQUEST: Q1 invoices") == "Q1 invoices"
    assert request_title("request：预算") == "预算"
    assert request_title("[外部] 协作需求：预算核对") == "预算核对"
    assert request_title("协作需求单：预算核对") == "预算核对"
    assert request_title("協作需求：年度稽核") == "年度稽核"
    assert request_title("Re: REQUEST: Q1 invoices") is None
    assert request_title("转发：协作需求：预算") is None
    assert request_title("Requests for the offsite") is None
    assert request_title("MEETING: weekly") is None


def test_the_classifier_knows_a_request_by_its_subject() -> None:
    raw = (DATA / "zh_tw_outlook.eml").read_bytes()
    found = collab_request.classify(InboundMail(raw))
    assert found is not None and found.kind == "collab_request"
    assert classify(InboundMail(raw)).kind == "collab_request"
    assert found.details["title"] == "年度稽核費用憑證"


@pytest.mark.parametrize(
    ("written", "urgency"),
    [
        ("紧急", "urgent"),
        ("緊急", "urgent"),
        ("加急", "urgent"),
        ("高", "urgent"),
        ("Urgent", "urgent"),
        ("ASAP", "urgent"),
        ("一般", "normal"),
        ("普通", "normal"),
        ("normal", "normal"),
        ("Medium", "normal"),
        ("低", "low"),
        ("不急", "low"),
        ("low", "low"),
        ("whenever", None),
    ],
)
def test_urgency_words(written: str, urgency: str | None) -> None:
    assert urgency_of(written) == urgency


def test_the_subject_is_the_content_when_no_content_line_is_written() -> None:
    request = parse("接收部门：财务部\n紧急程度：低", subject="协作需求：核对 Q2 预算")
    assert request.ok and request.content == "核对 Q2 预算" and request.urgency == "low"


def test_a_content_field_takes_the_lines_that_follow_it() -> None:
    fields = read_request_fields("需求内容：核对预算\n包括 Q1 和 Q2\n\n接收部门：财务部\n谢谢")
    assert fields.get("content") == "核对预算\n包括 Q1 和 Q2"
    assert fields.get("receiver") == "财务部" and fields.free == ("谢谢",)


def test_a_person_may_receive_a_request_directly() -> None:
    request = parse("Content: check the invoices\nTo: @lilei\nExpected by: 2025-03-20")
    assert request.ok and request.receiver is not None
    assert (request.receiver.email, request.receiving_department) == (
        "li.lei@example.com",
        "财务部",
    )
    assert request.due == date(2025, 3, 20)


def test_the_requesters_department_comes_from_the_directory_when_not_written() -> None:
    request = parse("Content: x\nTo department: Finance", sender="zhang.wei@example.com")
    assert request.requester_department == "研发部"


def test_no_receiver_is_a_problem_with_how_to_fix_it() -> None:
    request = parse("Content: check the invoices")
    assert not request.ok
    (problem,) = request.problems
    assert problem.field == "receiver" and "To department" in (problem.hint or "")


def test_an_unknown_department_lists_the_known_ones() -> None:
    request = parse("Content: print the flyers\nTo department: Printing")
    assert not request.ok
    assert "Printing" in request.problems[0].text and "财务部" in (request.problems[0].hint or "")


def test_a_department_without_a_head_asks_for_a_person() -> None:
    request = parse("需求内容：整理数据\n接收部门：研发部")
    assert not request.ok and "研发部" in request.problems[0].text
    assert "接收人" in (request.problems[0].hint or "")


def test_no_content_and_no_title_is_a_problem() -> None:
    request = parse("接收部门：财务部", subject="REQUEST:")
    assert not request.ok and [p.field for p in request.problems] == ["content"]


def test_what_cannot_be_read_is_skipped_and_said_not_guessed() -> None:
    request = parse(
        "Content: check\nTo department: Finance\nUrgency: whenever\nDue: someday\nUrgency: low"
    )
    assert request.ok  # created, the receipt lists what was not used
    assert request.urgency == "normal" and request.due is None
    assert sorted(p.field for p in request.skipped) == ["due", "urgency", "urgency"]


def test_a_date_in_the_past_is_not_used() -> None:
    request = parse("Content: check\nTo department: Finance\nDue: 2025-03-01")
    assert request.due is None and "past" in request.skipped[0].text


def test_a_markdown_rule_row_and_a_header_row_are_not_fields() -> None:
    fields = read_request_fields("| 字段 | 内容 |\n|:---|---:|\n| 接收部门 | 财务部 |")
    assert fields.values == {"receiver": "财务部"}
