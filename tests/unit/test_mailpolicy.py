"""mailflow's email policy remembers parsed headers, and reads and writes as policy.default."""

from __future__ import annotations

import email
import email.generator
import email.headerregistry
import email.message
import email.policy
import io
from email.headerregistry import Address

from mailflow.inbound.reading.mail import InboundMail
from mailflow.mailpolicy import POLICY

RAW = (
    b"From: =?utf-8?b?5byg5Lyf?= <zhang@example.com>\r\n"
    b"To: bot@example.com, Bob <bob@example.com>\r\n"
    b"Subject: =?utf-8?q?Re=3A_=E4=BC=9A=E8=AE=AE?=\r\n"
    b"Message-ID: <m1@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Accept\r\n"
    b"--b1\r\n"
    b"Content-Type: text/calendar; charset=utf-8; method=REPLY\r\n"
    b'Content-Disposition: attachment; filename="invite.ics"\r\n'
    b"\r\n"
    b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"
    b"--b1--\r\n"
)


def _view(msg: email.message.Message) -> list[tuple[object, ...]]:
    return [
        (
            part.get_content_type(),
            part.get_param("charset"),
            part.get_param("method"),
            part.get_filename(),
            part.get_payload(decode=True) if not part.is_multipart() else None,
        )
        for part in msg.walk()
    ]


def test_the_parse_reads_as_policy_default_does() -> None:
    ours = InboundMail(RAW).message
    stdlib = email.message_from_bytes(RAW, policy=email.policy.default)
    assert _view(ours) == _view(stdlib)
    for name in ("From", "To", "Subject", "Message-ID", "Content-Type"):
        assert str(ours[name]) == str(stdlib[name])
    assert ours["To"].addresses == stdlib["To"].addresses
    ours_body, stdlib_body = ours.get_body(("plain",)), stdlib.get_body(("plain",))
    assert ours_body is not None and stdlib_body is not None
    assert ours_body.get_content() == stdlib_body.get_content() == "Accept"


def test_a_header_read_twice_is_parsed_once() -> None:
    msg = InboundMail(RAW).message
    assert msg["Subject"] is msg["Subject"]
    assert str(msg["Subject"]) == "Re: 会议"
    other = InboundMail(RAW.replace(b"<m1@", b"<m2@")).message
    assert other["Content-Type"] is msg["Content-Type"], "one header line, one parsed object"


def test_values_that_are_not_strings_are_not_cached() -> None:
    built = email.message.EmailMessage(policy=POLICY)
    built["To"] = [Address("Bob", "bob", "example.com")]
    built["Cc"] = Address("Ann", "ann", "example.com")
    assert str(built["To"]) == "Bob <bob@example.com>"
    assert str(built["Cc"]) == "Ann <ann@example.com>"


def test_long_header_lines_are_parsed_every_time() -> None:
    long_subject = "x" * 5000
    raw = RAW.replace(
        b"Subject: =?utf-8?q?Re=3A_=E4=BC=9A=E8=AE=AE?=", f"Subject: {long_subject}".encode()
    )
    msg = InboundMail(raw).message
    assert str(msg["Subject"]) == long_subject
    assert msg["Subject"] is not msg["Subject"]


def test_one_header_class_per_name() -> None:
    registry = POLICY.header_factory
    assert isinstance(registry, email.headerregistry.HeaderRegistry)
    assert registry["Subject"] is registry["subject"]
    assert issubclass(registry["To"], email.headerregistry.AddressHeader)
    assert POLICY.header_max_count("Subject") == email.policy.default.header_max_count("Subject")


def test_a_built_message_is_written_as_with_policy_default() -> None:
    def build(policy: email.policy.EmailPolicy[email.message.EmailMessage]) -> bytes:
        msg = email.message.EmailMessage(policy=policy)
        msg["From"] = Address("机器人", "bot", "example.com")
        msg["To"] = "Bob <bob@example.com>, 张伟 <zhang@example.com>"
        msg["Subject"] = "会议通知：季度规划 — a long subject " + "that needs folding " * 6
        msg.set_content("Hello\n")
        msg.add_alternative("<p>Hello</p>", subtype="html")
        msg.add_attachment(b"BEGIN:VCALENDAR\r\n", maintype="text", subtype="calendar")
        buffer = io.BytesIO()
        email.generator.BytesGenerator(buffer).flatten(msg, linesep="\r\n")
        # Boundaries are random: compare with them taken out.
        out = buffer.getvalue()
        for boundary in {part.get_boundary() for part in msg.walk()} - {None}:
            out = out.replace(str(boundary).encode(), b"BOUNDARY")
        return out

    assert build(POLICY) == build(email.policy.default)
