"""Issues and risks in minutes as people write them: keyword lines in zh/zh_TW/en, an Outlook
table and a 飞书 Markdown table with a type column, lines under an issues heading, Chinese
sentences (由X负责…前); with and without an owner."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.schema import CalendarSettings, Person
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.minutes import MinutesDoc
from mailflow.domain.minutes_issues import is_issue_row
from mailflow.domain.minutes_parser import parse_minutes
from mailflow.domain.minutes_tables import column_meaning
from mailflow.inbound.understanding.replies.reply_html import html_reply_text

DIRECTORY = Directory(
    (
        Person("bob@example.com", "Bob Smith", ("bob",), "Finance", "head"),
        Person("dave@example.com", "Dave Lee", ("dave",), "Sales", "head"),
        Person("zhangwei@example.com", "张伟", ("zhangwei",), "财务部", "负责人"),
        Person("lina@example.com", "李娜", ("lina",), "市场部", "负责人"),
        Person("chen@example.com", "陳志明", ("chen",), "業務部", "負責人"),
    )
)
CALENDAR = BusinessCalendar(CalendarSettings(country="CN"))
# Friday 7 March 2025, 10:00 in Shanghai.
START = datetime(2025, 3, 7, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def read(text: str) -> MinutesDoc:
    return parse_minutes(text, meeting_start=START, directory=DIRECTORY, calendar=CALENDAR)


def issues(doc: MinutesDoc) -> list[tuple[str | None, str, date | None]]:
    return [(d.owner, d.task, d.due) for d in doc.disputes]


def actions(doc: MinutesDoc) -> list[tuple[str | None, str, date | None]]:
    return [(a.owner, a.task, a.due) for a in doc.actions]


@pytest.mark.parametrize(
    ("line", "owner", "task", "due"),
    [
        (
            "DISPUTE: Outsource testing? owner: bob; due: next Friday",
            "bob",
            "Outsource testing?",
            date(2025, 3, 14),
        ),
        ("ISSUE: @dave the CRM export is broken", "dave", "the CRM export is broken", None),
        (
            "RISK: the venue may be double-booked — @bob — by 3/12",
            "bob",
            "the venue may be double-booked",
            date(2025, 3, 12),
        ),
        ("Risk: supplier delay", None, "supplier delay", None),
        ("争议：是否外包测试 负责人：李娜", "lina", "是否外包测试", None),
        (
            "问题：服务器性能不足，由张伟负责排查，3月14日前",
            "zhangwei",
            "服务器性能不足，排查",
            date(2025, 3, 14),
        ),
        (
            "风险：供应商可能延期交货 负责人：张伟 截止：3月20日前",
            "zhangwei",
            "供应商可能延期交货",
            date(2025, 3, 20),
        ),
        (
            "爭議：是否延後上市 負責人：陳志明 截止時間：3月21日",
            "chen",
            "是否延後上市",
            date(2025, 3, 21),
        ),
        ("風險：匯率波動影響報價", None, "匯率波動影響報價", None),
        ("【风险】物流旺季运力紧张", None, "物流旺季运力紧张", None),
    ],
    ids=[
        "dispute-en",
        "issue-mention",
        "risk-dashes",
        "risk-no-owner",
        "争议",
        "问题-由X负责",
        "风险-labels",
        "爭議-zh_TW-labels",
        "風險-no-owner",
        "bracketed",
    ],
)
def test_issue_lines(line: str, owner: str | None, task: str, due: date | None) -> None:
    doc = read(line)
    email = f"{owner}@example.com" if owner else None
    assert issues(doc) == [(email, task, due)]
    assert doc.actions == () and doc.unused == ()


def test_an_issue_naming_an_unknown_person_is_not_tracked_but_said() -> None:
    doc = read("RISK: @zed the demo may fail")
    assert doc.disputes == ()
    assert [p.code for p in doc.problems] == ["unknown_owner"]


OUTLOOK_TABLE = """\
<html><body><p class=MsoNormal>各位好，会议纪要如下：</p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0>
<tr><td><p class=MsoNormal><b>序号</b></p></td><td><p class=MsoNormal><b>类型</b></p></td>
<td><p class=MsoNormal><b>事项</b></p></td><td><p class=MsoNormal><b>负责人</b></p></td>
<td><p class=MsoNormal><b>完成时间</b></p></td><td><p class=MsoNormal><b>状态</b></p></td></tr>
<tr><td>1</td><td>行动项</td><td><p class=MsoNormal>汇总二季度预算</p></td><td>张伟</td>
<td>3月14日</td><td>进行中</td></tr>
<tr><td>2</td><td>风险</td><td><p class=MsoNormal>供应商交期不稳定</p></td><td>李娜</td>
<td>3月20日前</td><td>进行中</td></tr>
<tr><td>3</td><td>问题</td><td><p class=MsoNormal>测试环境不足</p></td><td>待定</td>
<td></td><td></td></tr>
<tr><td>4</td><td>问题</td><td><p class=MsoNormal>报价单格式错误</p></td><td>张伟</td>
<td></td><td>已解决</td></tr>
</table><p class=MsoNormal>谢谢</p></body></html>
"""


def test_an_outlook_table_with_a_type_column() -> None:
    doc = read(html_reply_text(OUTLOOK_TABLE, table_rows=True))
    assert actions(doc) == [("zhangwei@example.com", "汇总二季度预算", date(2025, 3, 14))]
    assert issues(doc) == [
        ("lina@example.com", "供应商交期不稳定", date(2025, 3, 20)),
        (None, "测试环境不足", None),
    ]
    # A row the sheet already marks resolved is history, and the scribe is told so.
    assert any("报价单格式错误" in note and "已解决" in note for note in doc.notes)
    assert doc.unused == ()


FEISHU = """\
## 会议纪要：v3.9 迭代评审

### 行动项
| 事项 | 负责人 | 截止 |
|---|---|---|
| 更新上线文档 | @李娜 | 本周五 |

### 风险与问题
| 描述 | 负责人 | 截止 |
|---|---|---|
| 第三方接口限流 | @张伟 | 3月12日 |
| 汇率波动 | | |

| Type | Item | Owner | Due |
|---|---|---|---|
| Risk | Launch slips if QA is short-staffed | Dave | 3/21 |
| Action | Book the venue | Bob | 3/14 |
"""


def test_feishu_markdown_tables_under_an_issues_heading_and_with_a_type_column() -> None:
    doc = read(FEISHU)
    assert actions(doc) == [
        ("lina@example.com", "更新上线文档", date(2025, 3, 7)),
        ("bob@example.com", "Book the venue", date(2025, 3, 14)),
    ]
    assert issues(doc) == [
        ("zhangwei@example.com", "第三方接口限流", date(2025, 3, 12)),
        (None, "汇率波动", None),
        ("dave@example.com", "Launch slips if QA is short-staffed", date(2025, 3, 21)),
    ]


PLAIN = """\
各位：
一、会议决议
同意按期发布。
二、待办事项
1. 由张伟负责汇总预算，3月14日前完成。
三、问题与风险
1. 供应商交期不稳定，由李娜负责协调，下周三前给出结论。
2. 测试环境不足，需申请两台服务器。
谢谢
"""


def test_plain_chinese_sentences_under_an_issues_heading() -> None:
    doc = read(PLAIN)
    assert actions(doc) == [("zhangwei@example.com", "汇总预算", date(2025, 3, 14))]
    assert [(owner, due) for owner, _task, due in issues(doc)] == [
        ("lina@example.com", date(2025, 3, 12)),
        (None, None),
    ]
    assert issues(doc)[0][1].startswith("供应商交期不稳定")
    assert issues(doc)[1][1] == "测试环境不足，需申请两台服务器"


def test_type_column_words_and_rows() -> None:
    assert column_meaning("类型") == "kind"
    assert column_meaning("類別") == "kind"
    assert column_meaning("Type") == "kind"
    assert is_issue_row({"kind": "風險", "task": "x"}, None)
    assert is_issue_row({"kind": "Issue", "task": "x"}, "action")
    assert not is_issue_row({"kind": "行动项", "task": "x"}, "dispute")
    assert is_issue_row({"task": "x"}, "dispute") and not is_issue_row({"task": "x"}, None)
