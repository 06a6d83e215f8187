"""CLOSE PROJECT / 项目结束 / 專案結束: read from the subject in en, zh_CN and zh_TW, pure."""

from __future__ import annotations

import pytest

from mailflow.domain.project_command import close_command, name_from_body
from mailflow.outbound.rendering.archive_writer import archive_root, safe_name


@pytest.mark.parametrize(
    ("subject", "name"),
    [
        ("CLOSE PROJECT Launch", "Launch"),
        ("Close project: “Launch X”", "Launch X"),
        ("close the project Launch", "Launch"),
        ("项目结束：新产品发布", "新产品发布"),
        ("项目结束 新产品发布", "新产品发布"),
        ("结束项目：新产品发布", "新产品发布"),
        ("專案結束：新品上市", "新品上市"),
        ("[外部] 專案結束: 「新品上市」", "新品上市"),
        ("项目结束", ""),
        ("CLOSE PROJECT", ""),
    ],
)
def test_close_commands_name_their_project(subject: str, name: str) -> None:
    assert close_command(subject) == name


@pytest.mark.parametrize(
    "subject",
    [
        "Closed projects review",
        "项目结束后的安排",
        "Re: 项目结束：新产品发布",
        "MEETING: 项目结束会",
    ],
)
def test_other_subjects_are_not_commands(subject: str) -> None:
    assert close_command(subject) is None


def test_a_name_may_stand_on_the_first_line_of_the_body() -> None:
    assert name_from_body("\n  新产品发布 \n谢谢") == "新产品发布"
    assert name_from_body("\n\n") == ""


def test_archive_names_are_safe_on_every_file_system() -> None:
    assert archive_root("新产品/发布: v2?") == "跨部门协作-新产品_发布_ v2_"
    assert safe_name(" ..a\x00b.. ") == "a_b"
    assert safe_name("...") == "_"


def test_minutes_titled_after_the_end_are_minutes_not_a_command() -> None:
    from mailflow.inbound.reading.mail import InboundMail
    from mailflow.inbound.understanding.classifiers.project_command import classify

    def subject(text: str) -> str | None:
        raw = f"From: a@example.test\r\nSubject: {text}\r\n\r\nx\r\n".encode()
        found = classify(InboundMail(raw))
        return None if found is None else str(found.details["close"])

    assert subject("项目结束 会议纪要") is None
    assert subject("CLOSE PROJECT Launch") == "Launch"
