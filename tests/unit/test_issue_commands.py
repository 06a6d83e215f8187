"""RESOLVED and ESCALATE (已解决 / 需升级) as reply commands, in English, zh_CN and zh_TW, and the
everyday sentences that must stay free text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailflow.config.schema import Person
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import ItemCommands, parse_item_commands

NOW = datetime(2025, 3, 11, 6, tzinfo=UTC)
DIRECTORY = Directory((Person("bob@example.com", "Bob Smith", ("bob",)),))


def parse(text: str) -> ItemCommands:
    return parse_item_commands(text, now=NOW, directory=DIRECTORY)


@pytest.mark.parametrize(
    ("line", "verb", "ref", "args"),
    [
        ("MF-0042 RESOLVED", "resolve", "MF-0042", {}),
        (
            "MF-0042 RESOLVED the vendor shipped",
            "resolve",
            "MF-0042",
            {"note": "the vendor shipped"},
        ),
        ("Resolved.", "resolve", None, {}),
        ("已解决", "resolve", None, {}),
        ("MF-0042 已解决：供应商已发货", "resolve", "MF-0042", {"note": "供应商已发货"}),
        ("已解決 供應商已出貨", "resolve", None, {"note": "供應商已出貨"}),
        (
            "MF-0042 ESCALATE the vendor will not commit",
            "escalate",
            "MF-0042",
            {"reason": "the vendor will not commit"},
        ),
        ("需升级 供应商无法承诺交期", "escalate", None, {"reason": "供应商无法承诺交期"}),
        ("MF-0042 需升級：廠商仍無回覆", "escalate", "MF-0042", {"reason": "廠商仍無回覆"}),
        ("- [MF-0042] ESCALATE: budget frozen", "escalate", "MF-0042", {"reason": "budget frozen"}),
    ],
)
def test_issue_commands(line: str, verb: str, ref: str | None, args: dict[str, str]) -> None:
    found = parse(line)
    assert found.errors == []
    [command] = found.commands
    assert (command.verb, command.ref, command.args) == (verb, ref, args)


@pytest.mark.parametrize(
    "line", ["ESCALATE", "MF-0042 escalate", "需升级", "MF-0042 需升級：", "Escalate:"]
)
def test_escalate_needs_a_reason(line: str) -> None:
    found = parse(line)
    assert found.commands == []
    assert [e.code for e in found.errors] == ["escalate_no_reason"]
    assert found.errors[0].hint and (
        "ESCALATE <reason>" in found.errors[0].hint or "需升级 <原因>" in found.errors[0].hint
    )


@pytest.mark.parametrize(
    "line",
    [
        "Resolved the printer issue yesterday, thanks",
        "escalate this if you think it helps",
        "问题已解决了吗？",
        "已经解决的问题不再讨论",
    ],
)
def test_everyday_sentences_are_not_commands(line: str) -> None:
    assert parse(line) == ItemCommands()
