"""Machine-mail rules the corpus does not show: Chinese and Japanese notices, and the iTIP guard.

Each message is built here in the shape the named client or server sends, so every rule chosen in
``bounces.py`` and ``classifiers/auto_reply.py`` has a test that says why.
"""

from __future__ import annotations

from email.header import Header

import pytest

from mailflow.inbound.reading.addresses import find_addresses, is_address
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import classify
from mailflow.inbound.understanding.machine.bounce_dsn import recipients_in_text

CALENDAR_REPLY = (
    "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n"
    "BEGIN:VEVENT\r\nUID:040000008200E00074C5B7101A82E008000000001\r\nSEQUENCE:0\r\n"
    "DTSTAMP:20250310T010000Z\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:li.wei@example.cn\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _mail(headers: dict[str, str], body: str, content_type: str = "text/plain") -> InboundMail:
    lines = [f"{name}: {value}" for name, value in headers.items()]
    lines += ["MIME-Version: 1.0", f"Content-Type: {content_type}; charset=utf-8", "", body]
    return InboundMail("\r\n".join(lines).encode("utf-8"))


def _encoded(subject: str, charset: str = "utf-8") -> str:
    return Header(subject, charset).encode()


def _outlook_rsvp(**extra: str) -> InboundMail:
    headers = {
        "From": "Li Wei <li.wei@example.cn>",
        "To": "meetings@example.com",
        "Subject": "Accepted: Weekly sync",
        "Message-ID": "<rsvp-1@example.cn>",
        "Thread-Topic": "Weekly sync",
        **extra,
    }
    return _mail(headers, CALENDAR_REPLY, 'text/calendar; method=REPLY; name="meeting.ics"')


def test_outlook_rsvp_with_auto_response_suppress_is_an_rsvp() -> None:
    # Exchange writes X-Auto-Response-Suppress on ordinary meeting responses.
    found = classify(_outlook_rsvp(**{"X-Auto-Response-Suppress": "All"}))
    assert found.kind == "itip_reply"


def test_auto_accepted_rsvp_from_a_resource_mailbox_is_an_rsvp() -> None:
    # A room's auto-accept answer is marked as generated mail but is a real RSVP.
    found = classify(_outlook_rsvp(**{"Auto-Submitted": "auto-generated", "Precedence": "bulk"}))
    assert found.kind == "itip_reply"


def test_auto_response_suppress_alone_is_not_an_auto_reply() -> None:
    mail = _mail(
        {"From": "a@example.com", "Subject": "Agenda", "X-Auto-Response-Suppress": "All"},
        "Please add item 3.",
    )
    assert classify(mail).kind != "auto_reply"


@pytest.mark.parametrize(
    "subject",
    [
        _encoded("自动回复：会议通知：周例会"),
        _encoded("自動回覆: 會議通知", "big5"),
        _encoded("不在通知 Re: 定例会議", "iso-2022-jp"),
        "休假：3月10日至3月14日",
        "Automatic reply: Weekly sync",
        "Out of Office: Weekly sync",
        "Auto: Weekly sync",
    ],
)
def test_out_of_office_subjects_are_auto_replies(subject: str) -> None:
    mail = _mail({"From": "zhang.san@example.cn", "Subject": subject}, "我正在休假。")
    assert classify(mail).kind == "auto_reply"


@pytest.mark.parametrize(
    "subject", ["Re: Out of office plans for May", "Out of office plans for May", "休假安排的讨论"]
)
def test_people_writing_about_absence_are_not_auto_replies(subject: str) -> None:
    mail = _mail({"From": "zhang.san@example.cn", "Subject": subject}, "See you then.")
    assert classify(mail).kind != "auto_reply"


def test_precedence_list_is_not_an_auto_reply() -> None:
    # A person may answer through a mailing list; only bulk, junk and auto_reply count.
    mail = _mail({"From": "a@example.com", "Subject": "Agenda", "Precedence": "list"}, "Hi")
    assert classify(mail).kind != "auto_reply"


def test_chinese_provider_bounce() -> None:
    body = (
        "抱歉，您的邮件被退回来了……\n\n原邮件信息：\n时　间：2025-03-10 09:00:00\n"
        "收件人：wang.wu@example.cn\n主　题：会议通知\n\n退信原因：收件人邮箱不存在（550 5.1.1）\n"
    )
    headers = {"From": "Postmaster@163.example.com", "To": "meetings@example.com"}
    mail = _mail({**headers, "Subject": _encoded("系统退信")}, body)
    found = classify(mail)
    assert found.kind == "bounce"
    assert found.details == {
        "recipients": ["wang.wu@example.cn"],
        "permanent": True,
        "status": "5.1.1",
    }


def test_a_person_asking_about_a_failed_delivery_is_not_a_bounce() -> None:
    mail = _mail(
        {
            "From": "organiser@example.com",
            "Subject": "Re: Notice not delivered to Bob?",
            "In-Reply-To": "<notice-1@example.com>",
        },
        "I think the notice could not be delivered to bob@example.com, can you check?",
    )
    assert classify(mail).kind != "bounce"


def test_mailbox_filter_notice_marked_auto_replied_is_an_auto_reply() -> None:
    mail = _mail(
        {
            "From": "postmaster@example.de",
            "Subject": "email notification",
            "Return-Path": "<>",
            "Auto-Submitted": "auto-replied",
        },
        "Your message was rejected: mailbox full.\ntarget mail address: anna@example.de\n",
    )
    assert classify(mail).kind == "auto_reply"


def test_delay_warning_is_not_permanent() -> None:
    mail = _mail(
        {"From": "MAILER-DAEMON@mx.example.com", "Subject": "Delayed Mail (still being retried)"},
        "This is a warning only. Delivery to the following recipient has been delayed:\n\n"
        "     bob@example.org\n\nMessage will be retried for 2 more day(s)\n",
    )
    found = classify(mail)
    assert found.kind == "bounce"
    assert found.details["permanent"] is False
    assert found.details["recipients"] == ["bob@example.org"]


def test_dsn_fields_prefer_the_address_the_sender_wrote() -> None:
    text = (
        "Final-Recipient: rfc822; mbox12@internal.example.org\n"
        "Original-Recipient: rfc822;Bob@Example.org\nAction: failed\n"
        "Status: 5.0.0\nDiagnostic-Code: smtp; 550 5.1.1 no such user\n"
    )
    [record] = recipients_in_text(text)
    assert (record.address, record.status, record.failed) == ("bob@example.org", "5.1.1", True)


def test_addresses_in_notices() -> None:
    text = "to 'james@example.co.uk', failed; dda:SMTP=DJB@EXAMPLE.COM; <a.b@[192.0.2.1]>"
    assert find_addresses(text) == ["james@example.co.uk", "djb@example.com", "a.b@[192.0.2.1]"]
    assert not is_address("root@localhost")


def test_read_receipt_inside_another_structure() -> None:
    # A gateway wrapped the MDN into a multipart/mixed with a banner of its own.
    raw = (
        "From: Li Wei <li.wei@example.cn>\r\nTo: meetings@example.com\r\n"
        "Subject: =?utf-8?B?5bey6K+7OiDkvJrorq7pgJrnn6U=?=\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
        "--outer\r\nContent-Type: text/plain\r\n\r\nScanned by the gateway.\r\n"
        "--outer\r\nContent-Type: multipart/report; report-type=disposition-notification;"
        ' boundary="in"\r\n\r\n'
        "--in\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n"
        "--in\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Reporting-UA: Foxmail\r\nFinal-Recipient: rfc822;li.wei@example.cn\r\n"
        "Original-Message-ID: <notice-7@example.com>\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
        "--in--\r\n--outer--\r\n"
    )
    found = classify(InboundMail(raw.encode()))
    assert found.kind == "read_receipt"
    assert found.details == {
        "disposition": "displayed",
        "recipient": "li.wei@example.cn",
        "original_message_id": "<notice-7@example.com>",
    }
