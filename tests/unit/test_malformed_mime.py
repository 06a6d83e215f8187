"""Hypothesis-generated malformed MIME: classifying, reading and inspecting never raise.

The pipeline quarantines whatever a handler raises, but the steps before the guard (the message
key, the headers, the sender and subject recorded with a quarantined message) must never raise on
anything a mail server can deliver. The end-to-end version through the pipeline is in
``tests/integration/test_malformed_pipeline.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from mailflow.inbound.inspect import inspect_message
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import classify
from mailflow.tracker.repo import message_key

HEADER_NAMES = st.sampled_from(
    [
        b"From",
        b"To",
        b"Subject",
        b"Message-ID",
        b"Content-Type",
        b"Content-Transfer-Encoding",
        b"In-Reply-To",
        b"References",
        b"Auto-Submitted",
        b"Date",
        b"MIME-Version",
        b"X-Junk",
    ]
)
CONTENT_TYPES = st.sampled_from(
    [
        b"text/plain",
        b"text/html",
        b"multipart/mixed",
        b"multipart/alternative",
        b"multipart/report",
        b"text/calendar; method=REPLY",
        b"message/rfc822",
        b"application/octet-stream",
        b'multipart/mixed; boundary="',
        b"multipart/related; boundary=",
        b"text/plain; charset=gb2312",
        b"text/plain; charset=x-unknown",
        b'text/plain; charset="utf-8\'"',
        b"text/calendar",
    ]
)
ODD_VALUES = st.one_of(
    st.binary(max_size=80),
    st.sampled_from(
        [
            b"=?utf-8?B?5byg5Lyf?=",
            b"=?gb2312?B?broken",
            b"=?x-unknown?Q?abc?=",
            b"<a@b",
            b"\xe4\xbd\xa0\xe5\xa5\xbd",
            b"\xc4\xe3\xba\xc3",
            b"",
            b"<<>>",
            b"undisclosed-recipients:;",
        ]
    ),
)


@st.composite
def raw_messages(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        name = draw(HEADER_NAMES)
        value = draw(CONTENT_TYPES) if name == b"Content-Type" else draw(ODD_VALUES)
        lines.append(name + b": " + value.replace(b"\n", b" ").replace(b"\r", b" "))
    boundary = draw(st.sampled_from([b"b", b"", b"--", b"x" * 80]))
    if draw(st.booleans()):
        lines.append(b'Content-Type: multipart/mixed; boundary="' + boundary + b'"')
    body_parts = []
    for _ in range(draw(st.integers(0, 4))):
        body_parts.append(b"--" + boundary)
        body_parts.append(b"Content-Type: " + draw(CONTENT_TYPES))
        body_parts.append(
            draw(
                st.sampled_from(
                    [
                        b"Content-Transfer-Encoding: base64",
                        b"",
                        b"Content-Transfer-Encoding: quoted-printable",
                    ]
                )
            )
        )
        body_parts.append(b"")
        body_parts.append(draw(st.binary(max_size=200)))
    if draw(st.booleans()):
        body_parts.append(b"--" + boundary + b"--")
    return b"\r\n".join(lines) + b"\r\n\r\n" + b"\r\n".join(body_parts)


@settings(max_examples=300, deadline=None)
@given(raw_messages())
def test_reading_and_classifying_never_raise(raw: bytes) -> None:
    mail = InboundMail(raw)
    key = message_key(mail.message_id, raw)
    assert key
    # What a quarantine record stores must be text the database accepts.
    for text in (mail.sender, mail.subject):
        text.encode("utf-8")
    found = classify(mail)
    assert found.kind


@settings(max_examples=150, deadline=None)
@given(raw_messages())
def test_inspect_never_raises(raw: bytes) -> None:
    report = inspect_message(raw, now=datetime(2025, 3, 10, tzinfo=UTC))
    assert report["kind"]
    str(report["new_text"]).encode("utf-8")
