"""Mixed Chinese/English subjects read back exactly after mailflow writes them (gh-144156)."""

from __future__ import annotations

import email
import random
from email import policy
from email.message import EmailMessage

from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.adapters.smtp import wire
from mailflow.adapters.subject_header import subject_lines
from mailflow.mailpolicy import POLICY

ALPHABET = [
    *"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ 0123456789 -:()[]/,.'\"",
    *"会议通知季度规划预算评审张伟李娜周例会纪要行动项（）：，。、“”【】",
    "😀",
    "é",
    "ß",
    "\u3000",
]


def round_trip(subject: str) -> tuple[str, list[bytes]]:
    msg = EmailMessage(policy=POLICY)
    msg["From"], msg["To"], msg["Subject"] = "bot@example.com", "bob@example.com", subject
    msg.set_content("x")
    data = wire(msg, sender="bot@example.com", recipients=["bob@example.com"]).data
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    back = email.message_from_bytes(data, policy=policy.default)["Subject"]
    return str(back), head


def test_ten_thousand_mixed_subjects_read_back_exactly_in_short_lines() -> None:
    rng = random.Random(20261203)
    checked = 0
    for _ in range(10_000):
        subject = " ".join(
            "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 140))).split()
        )
        if not subject:
            continue
        back, head = round_trip(subject)
        assert back == subject
        assert all(len(line) <= 78 for line in head)
        checked += 1
    assert checked > 9_900


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=200))
def test_any_subject_reads_back(text: str) -> None:
    subject = " ".join(text.split())
    if subject:
        assert round_trip(subject)[0] == subject


def test_known_cpython_case_keeps_its_spaces() -> None:
    subject = "会议通知：Q2 budget review 二季度预算评审 with Finance 财务部 — Mon 10 Mar 09:30"
    assert round_trip(subject)[0] == subject
    lines = subject_lines(subject)
    assert lines is not None and lines.startswith("Subject: =?utf-8?b?")
    assert subject_lines("plain ASCII subject") is None
