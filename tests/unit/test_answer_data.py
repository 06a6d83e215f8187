"""Answer payloads: typed, versioned, strict about types when read back, lenient about age."""

from __future__ import annotations

from typing import Any

import pytest

from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.outbound.kinds.answers.answer_data import (
    Answer,
    AnswerFile,
    AnswerTable,
    PayloadError,
)


def test_an_answer_round_trips_through_its_json() -> None:
    payload = answer_payload(
        locale="zh_TW",
        subject="請驗收：MF-0042 方案",
        paragraphs=["第一段", "第二段"],
        in_reply_to="<a@example.test>",
        references=["<root@example.test>"],
        table=(["編號", "任務"], [["MF-0042", "方案"]]),
        attachments=[("方案.pdf", "application/pdf", b"%PDF-1.7\x00\xff")],
    )
    stored = payload.to_json()
    assert stored["v"] == 1
    assert Answer.from_json(stored) == payload
    assert payload == Answer(
        locale="zh_TW",
        subject="請驗收：MF-0042 方案",
        paragraphs=("第一段", "第二段"),
        in_reply_to="<a@example.test>",
        references=("<root@example.test>",),
        table=AnswerTable(("編號", "任務"), (("MF-0042", "方案"),)),
        attachments=(AnswerFile("方案.pdf", "application/pdf", b"%PDF-1.7\x00\xff"),),
    )


def test_a_row_written_before_versions_is_read_as_version_0() -> None:
    old: dict[str, Any] = {
        "locale": "en",
        "subject": "Re: hello",
        "paragraphs": ["Recorded."],
        "in_reply_to": None,
        "references": [],
        "table": None,
    }
    assert Answer.from_json(old).paragraphs == ("Recorded.",)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"paragraphs": "one string"}, "paragraphs"),
        ({"subject": None}, "subject"),
        ({"table": {"headers": ["a"], "rows": "x"}}, "table.rows"),
        ({"attachments": [{"filename": "a", "content_type": "pdf", "data": ""}]}, "content_type"),
        ({"attachments": [{"filename": "a", "content_type": "a/b", "data": "!!"}]}, "data"),
        ({"v": 7}, "newer"),
    ],
)
def test_a_payload_that_does_not_fit_names_the_field(change: dict[str, Any], named: str) -> None:
    payload = {**answer_payload(locale="en", subject="s", paragraphs=["p"]).to_json(), **change}
    with pytest.raises(PayloadError, match=named):
        Answer.from_json(payload)
