"""``mailflow inspect`` on minutes and item replies: what would be read, without any DB.

Relative dates count from the mail's Date header (Monday 10 March 2025), never from today, and
owners are resolved against the configured people directory only.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from mailflow.cli import main
from mailflow.config.schema import (
    CalendarSettings,
    Config,
    ImapSettings,
    MailSettings,
    PeopleSettings,
    Person,
    ScheduleSettings,
    SmtpSettings,
)
from mailflow.inbound.inspect import inspect_message

# Long after the mails were written: a date read relative to "now" would land in 2030.
NOW = datetime(2030, 1, 1, tzinfo=UTC)
CONFIG = Config(
    mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
    imap=ImapSettings(host="127.0.0.1", port=1, security="plain", user="bot@example.test"),
    smtp=SmtpSettings(host="127.0.0.1", port=1, security="plain"),
    schedule=ScheduleSettings(timezone="Asia/Shanghai", calendar=CalendarSettings(country="CN")),
    people=PeopleSettings(
        people=(
            Person("alice@example.test", "Alice", aliases=("alice",), department="Ops"),
            Person("bob@example.test", "张伟", aliases=("bob",), department="财务部"),
        )
    ),
)
CONFIG_TOML = """
[mail]
domain = "example.test"
bot_address = "bot@example.test"
[imap]
host = "127.0.0.1"
port = 1143
security = "plain"
user = "bot@example.test"
password_env = "UNUSED"
[smtp]
host = "127.0.0.1"
port = 1025
security = "plain"
[schedule]
timezone = "Asia/Shanghai"
[[people.person]]
email = "bob@example.test"
name = "张伟"
aliases = ["bob"]
"""


def _mail(subject: str, body: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Alice <alice@example.test>"
    msg["To"] = "bot@example.test"
    msg["Subject"] = subject
    msg["Message-ID"] = "<m1@example.test>"
    msg["Date"] = "Mon, 10 Mar 2025 18:00:00 +0800"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def _reply(body: str) -> bytes:
    return _mail("Re: 会议纪要：季度规划", body, In_Reply_To="<1.2.3.mailflow@example.test>")


MINUTES = """\
DECISION: Budget approved
ACTION: @bob Prepare the budget; deliverable: spreadsheet; by Friday
ACTION: @nobody Fix the printer
DISPUTE: @alice Who owns the vendor contract? next Wednesday
NEXT: 2025-03-17 10:00; Room 301; budget review
"""


def test_a_minutes_mail_is_read_with_the_directory_from_the_config(tmp_path: Path) -> None:
    eml = tmp_path / "minutes.eml"
    eml.write_bytes(_mail("Minutes: Quarterly planning", MINUTES))
    config = tmp_path / "mailflow.toml"
    config.write_text(CONFIG_TOML, encoding="utf-8")

    result = CliRunner().invoke(main, ["inspect", str(eml), "--json", "--config", str(config)])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["kind"] == "minutes"
    minutes = report["minutes"]
    assert minutes["meeting_uid"] is None
    assert minutes["decisions"] == ["Budget approved"]
    assert minutes["actions"] == [
        {
            "owner": "bob@example.test",
            "owner_raw": "@bob",
            "task": "Prepare the budget",
            "deliverable": "spreadsheet",
            "due": "2025-03-14",
            "due_raw": "by Friday",
            "department": None,
        }
    ]
    # Alice is not in this config's directory: her dispute is a problem, not a guess.
    assert minutes["disputes"] == []
    assert {p["line"] for p in minutes["problems"]} == {
        "ACTION: @nobody Fix the printer",
        "DISPUTE: @alice Who owns the vendor contract? next Wednesday",
    }
    assert all(p["reason"] for p in minutes["problems"])
    assert minutes["next_meeting"] == {
        "raw": "2025-03-17 10:00; Room 301; budget review",
        "start": "2025-03-17T10:00:00+08:00",
        "location": "Room 301",
        "topic": "budget review",
    }


def test_without_a_config_nobody_is_known() -> None:
    report = inspect_message(_mail("Minutes: Quarterly planning", MINUTES), now=NOW)

    minutes = report["minutes"]
    assert minutes["actions"] == [] and minutes["disputes"] == []
    assert len(minutes["problems"]) == 3
    assert minutes["decisions"] == ["Budget approved"]


def test_a_chinese_reply_with_minutes_lines() -> None:
    body = (
        "出席：alice, bob\n"
        "决议：采用新供应商\n"
        "行动项：张伟 准备预算 交付物：预算表 3个工作日内\n"
        "争议：@alice 合同归属 本周五前\n"
        "下次会议：3月17日上午10点 301会议室 预算评审\n"
        "\n"
        "在 2025年3月10日，mailflow 写道：\n"
        "> 请填写会议纪要\n"
    )

    report = inspect_message(_reply(body), now=NOW, config=CONFIG)

    assert report["kind"] == "reply"
    assert report["date"] == "2025-03-10T18:00:00+08:00"
    minutes = report["minutes"]
    assert minutes["decisions"] == ["采用新供应商"]
    [action] = minutes["actions"]
    assert action["owner"] == "bob@example.test" and action["owner_raw"] == "张伟"
    assert action["task"] == "准备预算" and action["deliverable"] == "预算表"
    # Three business days after Monday 10 March, on the mail's day, not today's.
    assert action["due"] == "2025-03-13"
    [dispute] = minutes["disputes"]
    assert dispute["owner"] == "alice@example.test" and dispute["due"] == "2025-03-14"
    next_meeting = minutes["next_meeting"]
    assert next_meeting["start"] == "2025-03-17T10:00:00+08:00"
    assert next_meeting["location"] == "301会议室" and next_meeting["topic"] == "预算评审"
    assert minutes["problems"] == []


def _commands(report: dict[str, Any]) -> list[dict[str, Any]]:
    return list(report["commands"])


def test_a_reply_with_item_commands() -> None:
    body = "参加\nMF-0042 DONE\nMF-0043 60%\nMF-0044 延期 3月20日 供应商延迟\n"

    report = inspect_message(_reply(body), now=NOW, config=CONFIG)

    assert "minutes" not in report, "item commands are not minutes lines"
    assert _commands(report) == [
        {"verb": "rsvp", "args": {"partstat": "ACCEPTED", "comment": ""}},
        {"verb": "done", "ref": "MF-0042", "args": {}},
        {"verb": "progress", "ref": "MF-0043", "args": {"percent": "60"}},
        {
            "verb": "delay",
            "ref": "MF-0044",
            "args": {"until": "2025-03-20", "until_raw": "3月20日", "reason": "供应商延迟"},
        },
    ]


def test_a_plain_reply_has_no_minutes() -> None:
    report = inspect_message(_reply("Thanks, see you there.\n"), now=NOW)

    assert "minutes" not in report
    assert _commands(report) == []
