"""Replies written in Traditional Chinese, as in Taiwan: RSVPs, item commands, PUBLISH, DETAILS.

Keywords are matched in Simplified (``mailflow.text_forms.simplified``); what people wrote
after them (a comment, a reason, a name) comes back as they wrote it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.schema import Person
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import parse_item_commands
from mailflow.domain.reply_commands import (
    details_request,
    parse_commands,
    wants_publish,
    wants_stop_reminders,
)

TAIPEI = ZoneInfo("Asia/Taipei")
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=TAIPEI)  # a Monday
DIRECTORY = Directory(
    [
        Person("wang@example.com", "王小明", aliases=("xiaoming",)),
        Person("zhang@example.com", "張偉", aliases=("zhang",)),
    ]
)


@pytest.mark.parametrize(
    ("line", "partstat", "comment"),
    [
        ("參加", "ACCEPTED", ""),
        ("出席", "ACCEPTED", ""),
        ("參加，會準時到", "ACCEPTED", "會準時到"),
        ("不參加，出差中", "DECLINED", "出差中"),
        ("不出席", "DECLINED", ""),
        ("不克出席：當天在高雄", "DECLINED", "當天在高雄"),
        ("待定 看客戶行程", "TENTATIVE", "看客戶行程"),
        ("未定", "TENTATIVE", ""),
        ("暫定", "TENTATIVE", ""),
        ("接受", "ACCEPTED", ""),
        ("拒絕", "DECLINED", ""),
    ],
)
def test_traditional_rsvp_words(line: str, partstat: str, comment: str) -> None:
    [command] = parse_commands(line)

    assert command.verb == "rsvp"
    assert command.args == {"partstat": partstat, "comment": comment}
    assert command.line == line


def test_traditional_status_words() -> None:
    assert [c.verb for c in parse_commands("狀態")] == ["status"]
    assert [c.verb for c in parse_commands("回覆情形")] == ["status"]
    assert [c.verb for c in parse_commands("回覆情況")] == ["status"]


def test_a_traditional_sentence_is_not_a_command() -> None:
    assert parse_commands("參加會議的人請先看附件") == []
    assert parse_commands("待定事項下次再談") == []


@pytest.mark.parametrize(
    ("line", "verb", "args"),
    [
        ("確認", "confirm", {}),
        ("已確認", "confirm", {}),
        ("完成", "done", {}),
        ("已完成", "done", {}),
        ("完成了，謝謝", "done", {"note": "謝謝"}),
        ("進度 60% 剩下測試", "progress", {"percent": "60", "note": "剩下測試"}),
        ("進度：80%", "progress", {"percent": "80"}),
        (
            "延期 下週三 廠商延遲交貨",
            "delay",
            {"until": "2025-03-19", "until_raw": "下週三", "reason": "廠商延遲交貨"},
        ),
        (
            "延後到3月25日，等待報價",
            "delay",
            {"until": "2025-03-25", "until_raw": "3月25日", "reason": "等待報價"},
        ),
        (
            "完成時間：3月20日 廠商延遲",
            "delay",
            {"until": "2025-03-20", "until_raw": "3月20日", "reason": "廠商延遲"},
        ),
        ("拒絕 不屬於本部門業務", "decline", {"reason": "不屬於本部門業務"}),
        ("婉拒：人力不足", "decline", {"reason": "人力不足"}),
        ("轉交 @zhang", "reassign", {"owner": "zhang@example.com", "owner_raw": "@zhang"}),
        ("負責人：王小明", "reassign", {"owner": "wang@example.com", "owner_raw": "王小明"}),
        ("備註 供應商已回覆", "note", {"text": "供應商已回覆"}),
    ],
)
def test_traditional_item_commands(line: str, verb: str, args: dict[str, str]) -> None:
    found = parse_item_commands(line, now=NOW, directory=DIRECTORY)

    assert found.errors == []
    [command] = found.commands
    assert (command.verb, command.args, command.line) == (verb, args, line)


def test_traditional_commands_with_refs_in_one_reply() -> None:
    text = "MF-0042 已完成\nMF-0043 進度 30%\n【MF-0044】延期 3月28日 等待預算核准"
    found = parse_item_commands(text, now=NOW, directory=DIRECTORY)

    assert [(c.ref, c.verb) for c in found.commands] == [
        ("MF-0042", "done"),
        ("MF-0043", "progress"),
        ("MF-0044", "delay"),
    ]
    assert found.commands[2].args["reason"] == "等待預算核准"


def test_traditional_free_text_is_not_a_command() -> None:
    text = "完成報告後再寄給您\n負責人已經確認了\n備註欄請看附件"
    found = parse_item_commands(text, now=NOW, directory=DIRECTORY)

    assert found.commands == [] and found.errors == []


def test_a_traditional_delay_without_a_reason_is_an_error() -> None:
    found = parse_item_commands("延期 3月28日", now=NOW, directory=DIRECTORY)

    assert found.commands == []
    assert [error.code for error in found.errors] == ["delay_no_reason"]


@pytest.mark.parametrize("line", ["發布", "發佈", "確認發布", "發布。"])
def test_publish_in_traditional(line: str) -> None:
    assert wants_publish(f"{line}\n\n> 原信") is True


def test_details_and_stop_in_traditional() -> None:
    assert details_request("詳情 研發部") == "研發部"
    assert details_request("明細：財務部") == "財務部"
    assert wants_stop_reminders("停止提醒") is True
    assert wants_stop_reminders("", subject="退訂提醒") is True
