"""The daily report (当日进展 + 明日计划) as people write it in their mail clients."""

from __future__ import annotations

import pytest

from mailflow.domain.daily_report import DailyEntry, split_daily

CASES = [
    # Gmail / Apple Mail plain text, Simplified.
    (
        "今日进展：完成接口联调\n明日计划：联调测试\n",
        [DailyEntry(None, "完成接口联调", "联调测试")],
    ),
    # 飞书 markdown: bold labels.
    ("**今日进展**：完成接口\n**明日计划**：联调", [DailyEntry(None, "完成接口", "联调")]),
    # Foxmail / WeChat Work habit: 【】 labels without a colon.
    (
        "【今日进展】完成A\n【明日计划】B\n【问题】缺测试环境",
        [DailyEntry(None, "完成A", "B", "缺测试环境")],
    ),
    # Taiwan, bulleted.
    ("- 今日進展：完成登入頁\n- 明日計畫：測試", [DailyEntry(None, "完成登入頁", "測試")]),
    # Outlook: a label on its own line, the text bulleted under it, then the signature.
    (
        "Today:\n  * wired the API\n  * fixed login\nTomorrow: tests\n\n-- \nBob",
        [DailyEntry(None, "wired the API；fixed login", "tests")],
    ),
    # Several items, each line with its ref.
    (
        "MF-0042 今日进展：A\nMF-0043 今日：B\nMF-0042 明日计划：C",
        [DailyEntry("MF-0042", "A", "C"), DailyEntry("MF-0043", "B")],
    ),
]


@pytest.mark.parametrize(("text", "entries"), CASES)
def test_reports_as_clients_write_them(text: str, entries: list[DailyEntry]) -> None:
    assert split_daily(text)[0] == entries


@pytest.mark.parametrize(
    "text",
    [
        "今天天气不错",
        "今日完成的事情很多",
        "Today I met Bob about the launch",
        "Tomorrow is a holiday, see you Monday",
        "Thanks!",
    ],
)
def test_sentences_are_not_reports(text: str) -> None:
    assert split_daily(text) == ([], text)


def test_commands_in_the_same_reply_are_left_for_the_item_parser() -> None:
    entries, rest = split_daily(
        "今日进展：完成接口联调\n进度 60%\n明日计划：\n联调测试\nMF-0042 DONE"
    )
    assert entries == [DailyEntry(None, "完成接口联调", "联调测试")]
    assert rest.splitlines() == ["进度 60%", "MF-0042 DONE"]
