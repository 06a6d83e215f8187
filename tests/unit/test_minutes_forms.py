"""Minutes as people write them: tables, free sentences in zh/zh_TW/en, dates, and what is said
back about every line that did not become a complete item."""

from __future__ import annotations

import io
from datetime import date, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from benchmarks.minutes_mail_accuracy import CALENDAR, DATA, load_directory

from mailflow.domain.due_dates import parse_due
from mailflow.domain.minutes import MinutesDoc, hold_reason
from mailflow.domain.minutes_parser import parse_minutes
from mailflow.domain.minutes_tables import Table, column_meaning
from mailflow.inbound.reading.attachments import attached_tables
from mailflow.inbound.understanding.replies.reply_html import html_reply_text

DIRECTORY = load_directory(DATA / "people.json")
# Wednesday 12 March 2025, 14:00 in Shanghai.
START = datetime(2025, 3, 12, 14, tzinfo=ZoneInfo("Asia/Shanghai"))


def read(text: str, tables: tuple[Table, ...] = (), sender: str | None = None) -> MinutesDoc:
    return parse_minutes(
        text,
        meeting_start=START,
        directory=DIRECTORY,
        calendar=CALENDAR,
        tables=tables,
        sender=sender,
    )


def items(doc: MinutesDoc) -> list[tuple[str | None, str, date | None]]:
    return [(a.owner, a.task, a.due) for a in doc.actions]


def codes(doc: MinutesDoc) -> list[str | None]:
    return [p.code for p in doc.problems]


TAB_TABLE = (
    "三、工作安排\n"
    "序号\t工作事项\t负责人\t牵头部门\t完成时间\t状态\n"
    "1\t汇总二季度预算\t张伟\t财务部\t3月14日\t进行中\n"
    "2\t竞品分析报告\t\t市场部\t月底前\t未开始\n"
    "3\t服务器迁移\t王伟\t研发部\t3个工作日内\t未开始\n"
    "4\t整理会议照片\t赵敏\t行政部\t下周三\t未开始\n"
    "5\t更新报价单\t待定\t\t4月上旬\t\n"
    "6\t上月报表\t孙丽\t财务部\t3/10\t已完成\n"
)


def test_a_pasted_excel_table_is_read_by_what_its_columns_mean() -> None:
    doc = read(TAB_TABLE)
    assert items(doc) == [
        ("zhang.wei@example.com", "汇总二季度预算", date(2025, 3, 14)),
        ("li.na@example.com", "竞品分析报告", date(2025, 3, 31)),
        ("wang.wei@example.com", "服务器迁移", date(2025, 3, 17)),
    ]
    assert doc.actions[0].status == "in_progress", "the status column starts the item"
    assert doc.actions[1].owner_raw == "市场部", "an empty owner cell falls to the lead department"
    refused = {p.code: p.line for p in doc.unused}
    assert "赵敏" in refused["unknown_owner"] and "更新报价单" in refused["table_no_owner"]
    assert any("上月报表" in note for note in doc.notes), "a done row is history, and said so"


@pytest.mark.parametrize(
    "table",
    [
        "| 事项 | 负责人 | 截止时间 |\n|---|---|---|\n| 汇总预算 | @张伟 | 本周五 |\n",
        "｜事项｜负责人｜截止时间｜\n｜汇总预算｜张伟｜本周五｜\n",
        "Task            Owner       Due\n"
        "---------------------------------\n"
        "汇总预算        张伟        本周五\n",
        "事项            负责人      完成时间\n汇总预算        张伟        本周五\n",
    ],
    ids=["markdown", "full-width", "aligned-en", "aligned-cjk"],
)
def test_text_tables_of_every_kind(table: str) -> None:
    assert items(read(table)) == [("zhang.wei@example.com", "汇总预算", date(2025, 3, 14))]


@pytest.mark.parametrize(
    "table",
    [
        "议程\t时间\t主讲人\n预算回顾\t14:00-14:20\t张伟\n",
        "时间\t内容\t负责人\n14:00-14:30\t预算回顾\t张伟\n14:30-15:00\t市场计划\t李娜\n",
        "姓名\t部门\t签到\n张伟\t财务部\t是\n李娜\t市场部\t是\n",
        "项目\t金额（元）\t备注\n差旅\t12,000\t\n",
    ],
    ids=["agenda", "agenda-with-owner", "attendance", "budget"],
)
def test_tables_that_list_no_actions_give_nothing(table: str) -> None:
    assert read(table) == MinutesDoc()


def test_column_words_in_three_languages_and_with_decorations() -> None:
    assert column_meaning("負責人") == "owner"
    assert column_meaning("计划完成时间") == "due"
    assert column_meaning("By when") == "due"
    assert column_meaning("责任人（部门）") == "owner"
    assert column_meaning("完成情况") == "status"
    assert column_meaning("金额") is None


def test_a_word_table_keeps_its_grid_with_merged_cells() -> None:
    html = (
        "<table><tr><td rowspan=2><p><b>序号</b></p></td><td colspan=2><b>责任</b></td>"
        "<td rowspan=2>完成时限</td></tr><tr><td>部门</td><td>负责人</td></tr>"
        "<tr><td>1</td><td>人事部</td><td><p>王伟</p><p></p></td><td>9月10日</td></tr></table>"
    )
    text = html_reply_text(html, table_rows=True)
    assert text.splitlines() == [
        "序号\t责任\t\t完成时限",
        "序号\t部门\t负责人\t完成时限",
        "1\t人事部\t王伟\t9月10日",
    ]
    header = "序号\t事项\t部门\t负责人\t完成时限\n"
    doc = read(header + "1\t新员工考核流程优化\t人事部\t王伟\t9月10日\n")
    assert items(doc) == [("wang.wei.hr@example.com", "新员工考核流程优化", date(2025, 9, 10))], (
        "the department column tells the two 王伟 apart"
    )


def _message_with(name: str, payload: bytes, kind: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "会议纪要"
    message.set_content("行动项见附件。")
    maintype, subtype = kind.split("/")
    message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=name)
    return message


def test_an_xlsx_sheet_with_a_title_row_and_excel_dates() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["二季度行动项跟踪表"])
    sheet.append(["序号", "行动项", "责任人", "截止日期"])
    sheet.append([1, "提交预算", "张伟", datetime(2025, 3, 14)])
    sheet.append([2, "Draft the FAQ", "Carol", "next Wednesday"])
    data = io.BytesIO()
    book.save(data)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    tables, problems = attached_tables(
        _message_with("跟踪表.xlsx", data.getvalue(), kind), chinese=True
    )
    assert problems == []
    assert items(read("", tuple(tables))) == [
        ("zhang.wei@example.com", "提交预算", date(2025, 3, 14)),
        ("carol.king@example.com", "Draft the FAQ", date(2025, 3, 19)),
    ]


def test_a_gbk_csv_as_excel_saves_it_and_an_unreadable_office_file() -> None:
    csv = "序号,事项,负责人,完成时间\r\n1,联系供应商,李娜,3/20\r\n".encode("gbk")
    tables, problems = attached_tables(_message_with("行动项.csv", csv, "text/csv"), chinese=True)
    assert items(read("", tuple(tables))) == [
        ("li.na@example.com", "联系供应商", date(2025, 3, 20))
    ]
    message = _message_with("纪要.xls", b"\xd0\xcf\x11\xe0 old excel", "application/vnd.ms-excel")
    tables, problems = attached_tables(message, chinese=True)
    assert tables == [] and [p.code for p in problems] == ["attachment_unread"]
    assert "纪要.xls" in problems[0].reason, "the scribe hears which file was not read"


@pytest.mark.parametrize(
    ("line", "owner", "task", "due"),
    [
        (
            "由市场部经理负责，4月5日前完成竞品分析报告。",
            "li.na",
            "完成竞品分析报告",
            date(2025, 4, 5),
        ),
        ("请张伟于本周五前提交二季度预算。", "zhang.wei", "提交二季度预算", date(2025, 3, 14)),
        (
            "李娜牵头，财务部配合，3月底前完成供应商评估。",
            "li.na",
            "完成供应商评估",
            date(2025, 3, 31),
        ),
        (
            "责成采购部重新评估供应商报价，两周内报送。",
            "he.ping",
            "重新评估供应商报价，报送",
            date(2025, 3, 26),
        ),
        ("@张伟 周五前把预算发群里", "zhang.wei", "把预算发群里", date(2025, 3, 14)),
        (
            "会上，李娜表示市场部将在下周三前完成竞品分析。",
            "li.na",
            "完成竞品分析",
            date(2025, 3, 19),
        ),
        ("奖品采购何经理负责，周四前下单。", "he.ping", "奖品采购，下单", date(2025, 3, 13)),
        (
            "由張雅婷負責，於3月21日前完成客戶名單的更新。",
            "zhang.yating",
            "完成客戶名單的更新",
            date(2025, 3, 21),
        ),
        (
            "請Grace於下週三前提交行銷計畫初稿。",
            "lin.meiling",
            "提交行銷計畫初稿",
            date(2025, 3, 19),
        ),
        (
            "AI: Bob to send the revised forecast by Fri",
            "bob.smith",
            "send the revised forecast",
            date(2025, 3, 14),
        ),
        ("Carol will draft the FAQ (due 3/14).", "carol.king", "draft the FAQ", date(2025, 3, 14)),
        (
            "@Dave please book the room by next Wednesday",
            "dave.lee",
            "book the room",
            date(2025, 3, 19),
        ),
        (
            "Bob agreed to circulate the deck before Monday's board call.",
            "bob.smith",
            "circulate the deck",
            date(2025, 3, 17),
        ),
        (
            "Sun Li will reconcile the open POs by end of month.",
            "sun.li",
            "reconcile the open POs",
            date(2025, 3, 31),
        ),
    ],
)
def test_free_sentences_that_give_a_task(
    line: str, owner: str, task: str, due: date | None
) -> None:
    doc = read(line)
    [action] = doc.actions
    assert action.owner == f"{owner}@example.com"
    assert (action.task, action.due) == (task, due)


@pytest.mark.parametrize(
    "line",
    [
        "各部门负责人要高度重视安全生产，严格执行审批流程。",
        "全体员工须按时填报工时。",
        "李娜介绍了二季度整体推广思路。",
        "Everyone to keep the tracker updated.",
        "Alice will be on leave next week.",
        "Bob presented the Q1 results.",
    ],
)
def test_reports_and_standing_duties_are_not_tasks(line: str) -> None:
    assert read(line).actions == ()


def test_what_could_not_become_an_item_is_listed_never_dropped() -> None:
    doc = read(
        "由赵敏负责整理会议照片。\n"
        "王伟负责服务器巡检，本周五前。\n"
        "需尽快确定短信服务商。\n"
        "Kevin to check the payment gateway fees.\n"
        "Someone from legal to review the NDA.\n"
    )
    assert doc.actions == ()
    assert codes(doc) == [
        "unknown_owner",
        "ambiguous_owner",
        "ownerless",
        "unknown_owner",
        "ownerless",
    ]
    assert all(p.hint for p in doc.problems)


def test_an_item_without_a_readable_date_is_kept_and_flagged() -> None:
    doc = read("二、待办事项\n1. 张伟：汇总预算，4月上旬\n2. Carol: draft the FAQ - ASAP\n")
    assert [(a.owner, a.due) for a in doc.actions] == [
        ("zhang.wei@example.com", None),
        ("carol.king@example.com", None),
    ]
    assert [(p.code, p.kept) for p in doc.problems] == [
        ("due_unreadable", True),
        ("due_unreadable", True),
    ]
    assert [a.task for a in doc.actions] == ["汇总预算", "draft the FAQ"], (
        "no date left in the task"
    )


def test_me_is_the_sender() -> None:
    doc = read("年会节目单由我负责，3月20日前定稿。", sender="huang.min@example.com")
    assert [a.owner for a in doc.actions] == ["huang.min@example.com"]


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("周五下班前", date(2025, 3, 14)),
        ("下週三", date(2025, 3, 19)),
        ("3.25前", date(2025, 3, 25)),
        ("25日前", date(2025, 3, 25)),
        ("8月底前", date(2025, 8, 29)),  # Sunday 31 August: the working day before
        ("两周内", date(2025, 3, 26)),
        ("3個工作天內", date(2025, 3, 17)),
        ("国庆节前", date(2025, 9, 30)),
        ("春节前", date(2026, 2, 14)),  # Saturday 14 February 2026 is a working day (调休)
        ("节前", date(2025, 4, 3)),
        ("Q2", date(2025, 6, 30)),
        ("年底前", date(2025, 12, 31)),
        ("EOD", date(2025, 3, 12)),
        ("COB Thursday", date(2025, 3, 13)),
        ("EOW", date(2025, 3, 14)),
        ("by the 15th", date(2025, 3, 15)),
        ("end of March", date(2025, 3, 31)),
        ("14/3", date(2025, 3, 14)),
        ("before the National Day holiday", date(2025, 9, 30)),
    ],
)
def test_dates_as_people_write_them(phrase: str, due: date) -> None:
    found = parse_due(phrase, now=START, calendar=CALENDAR)
    assert found is not None and found.day == due


@pytest.mark.parametrize("phrase", ["4月上旬", "mid-April", "下月初", "TBD", "v4.2"])
def test_dates_nobody_can_read_are_not_guessed(phrase: str) -> None:
    assert parse_due(phrase, now=START, calendar=CALENDAR) is None


def test_minutes_are_held_when_actions_gave_nothing_or_came_from_another_system() -> None:
    lost = read("待办事项：\n赵敏：联系场地\n")
    assert hold_reason(lost) == "no_items"
    assert hold_reason(read("决议：预算批准\n")) is None, "decisions alone are fine"
    assert hold_reason(read(TAB_TABLE)) is None, "some items were made"
    assert hold_reason(read(TAB_TABLE), forwarded_summary=True) == "summary"
