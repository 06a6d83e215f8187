"""Thread headers on every mail, and batches bounded in bytes as well as in messages."""

from __future__ import annotations

import base64
from email.message import EmailMessage

from mailflow.inbound.pipeline import _chunks
from mailflow.outbound.rendering.thread_headers import (
    add_thread_headers,
    thread_index,
    thread_topic,
)


def _msg(subject: str, references: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    if references:
        msg["References"] = references
    return msg


def test_a_mail_of_no_meeting_gets_a_stable_thread_per_family_and_person() -> None:
    first = add_thread_headers(
        _msg("Your action items: 3 need an update"), "item_reminder", ["bob@x.test"], "x.test"
    )
    later = add_thread_headers(
        _msg("Weekly progress: please update"), "weekly_progress", ["Bob@x.test"], "x.test"
    )
    other = add_thread_headers(_msg("Digest"), "digest", ["bob@x.test"], "x.test")
    assert first["References"] == later["References"] == first["In-Reply-To"]
    assert first["References"] != other["References"]
    assert first["Thread-Index"] == later["Thread-Index"]
    assert len(base64.b64decode(str(first["Thread-Index"]))) == 22


def test_a_meeting_mail_keeps_its_thread_and_gets_outlooks_headers() -> None:
    root = "<abc.thread.mailflow@x.test>"
    msg = add_thread_headers(
        _msg("Re: 回复：季度规划", f"{root} <other@x.test>"), "notice", ["a@x.test"], "x.test"
    )
    assert msg["References"] == f"{root} <other@x.test>"
    assert msg["Thread-Index"] == thread_index(root)
    assert msg["Thread-Topic"] == "季度规划" == thread_topic("RE: Fwd: 季度规划")


def test_batches_are_bounded_in_messages_and_in_bytes() -> None:
    uids = list(range(1, 11))
    sizes = {uid: 20 * 1024 * 1024 for uid in uids}  # ten 20 MiB mails
    batches = list(_chunks(uids, 200, sizes, 64 * 1024 * 1024))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    huge = {1: 500 * 1024 * 1024}
    assert list(_chunks([1, 2, 3], 200, huge, 64 * 1024 * 1024)) == [[1], [2, 3]]
    assert [len(b) for b in _chunks(list(range(450)), 200)] == [200, 200, 50]
