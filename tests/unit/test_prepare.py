"""Parsing ahead in worker processes: what a prepared message carries back, and failures.

These start real worker processes (``forkserver``); no server is involved.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
from datetime import UTC, datetime
from email.message import EmailMessage

import icalendar
import pytest

from mailflow.config.schema import MailSettings
from mailflow.inbound.prepare import Preparer, Work, prepare_one
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.calendar.itip import itip_of
from mailflow.inbound.understanding.replies.reply_text import reply_text_of

WORK = Work(MailSettings(domain="example.test", bot_address="bot@example.test"), "Asia/Shanghai")


def _reply(body: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Bob <bob@example.test>"
    msg["To"] = "bot@example.test"
    msg["Subject"] = "Re: Meeting notice: 预算评审"
    msg["Message-ID"] = "<r1@example.test>"
    msg["In-Reply-To"] = "<notice.1.mailflow@example.test>"
    quote = "On Mon, 10 Mar 2025, mailflow <bot@example.test> wrote:\n> Accept\n"
    msg.set_content(f"{body}\n\n{quote}")
    return msg.as_bytes()


def _calendar_reply() -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REPLY")
    event = icalendar.Event()
    event.add("uid", "m-1@example.test")
    event.add("dtstamp", datetime(2025, 3, 10, 3, 0, tzinfo=UTC))
    event.add("attendee", "mailto:carol@example.test", parameters={"PARTSTAT": "DECLINED"})
    calendar.add_component(event)
    msg = EmailMessage()
    msg["From"] = "carol@example.test"
    msg["To"] = "bot@example.test"
    msg["Subject"] = "Declined: 预算评审"
    msg["Message-ID"] = "<c1@example.test>"
    msg.set_content("")
    msg.add_alternative(
        calendar.to_ical(), maintype="text", subtype="calendar", params={"method": "REPLY"}
    )
    return msg.as_bytes()


def test_a_pickled_mail_keeps_its_header_views_and_memo_but_not_the_parse_tree() -> None:
    mail = InboundMail(_reply("不参加，出差"))
    assert reply_text_of(mail) == "不参加，出差"
    assert mail.subject == "Re: Meeting notice: 预算评审" and mail.sender == "bob@example.test"
    assert "message" in mail.__dict__, "the full parse was done for the reply text"

    back = pickle.loads(pickle.dumps(mail))

    assert "message" not in back.__dict__
    assert back.raw == mail.raw and back.memo == {"new_text": "不参加，出差"}
    assert (back.subject, back.sender, back.message_id) == (
        mail.subject,
        mail.sender,
        "<r1@example.test>",
    )
    # Remembered: asking again does not parse; the parse tree comes back only when asked for.
    assert reply_text_of(back) == "不参加，出差" and "message" not in back.__dict__
    assert back.message["Message-ID"] == "<r1@example.test>"


def test_prepare_one_classifies_and_does_the_handlers_parse() -> None:
    reply, found = prepare_one(_reply("Accept"), 1000, WORK)
    assert found is not None and found.kind == "reply"
    assert reply.memo == {"new_text": "Accept"}

    rsvp, found = prepare_one(_calendar_reply(), 1000, WORK)
    assert found is not None and found.kind == "itip_reply"
    itip = rsvp.memo["itip:Asia/Shanghai"]
    assert [(r.attendee, r.partstat) for r in itip.replies] == [("carol@example.test", "DECLINED")]
    assert itip_of(rsvp, floating_tz="Asia/Shanghai") is itip


def test_a_message_over_a_limit_comes_back_unprepared() -> None:
    mail, found = prepare_one(_reply("Accept"), 10**9, WORK)
    assert found is None and mail.memo == {}, "the pipeline meets the limit itself and quarantines"


def test_workers_prepare_batches_in_order() -> None:
    preparer = Preparer(2, WORK)
    try:
        raws = [_reply("Accept"), _calendar_reply(), _reply("Decline"), b"not mail at all"]
        prepared = preparer.submit([(raw, len(raw)) for raw in raws])()
    finally:
        preparer.close()

    assert [mail.raw for mail, _ in prepared] == raws
    kinds = [found.kind if found else None for _, found in prepared]
    assert kinds == ["reply", "itip_reply", "reply", "unknown"]
    assert prepared[2][0].memo == {"new_text": "Decline"}


def test_a_dead_worker_costs_only_the_preparation(caplog: pytest.LogCaptureFixture) -> None:
    preparer = Preparer(1, WORK)
    raw = _reply("Accept")
    try:
        assert preparer.submit([(raw, len(raw))])()[0][1] is not None
        pool = preparer._pool._pool
        assert pool is not None
        for pid in list(pool._processes):  # the worker dies as if the OOM killer took it
            os.kill(pid, signal.SIGKILL)
        with caplog.at_level(logging.WARNING, logger="mailflow.workers"):
            after_death = preparer.submit([(raw, len(raw))])()
        again = preparer.submit([(raw, len(raw))])()
    finally:
        preparer.close()

    [(mail, found)] = after_death
    assert found is None and mail.raw == raw, "handed back bare: the pipeline parses it itself"
    assert "parse workers failed" in caplog.text
    assert again[0][1] is not None, "the next batch starts new workers"
