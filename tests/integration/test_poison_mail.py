"""No single mail can stop the inbox: poison mails among good ones, on SQLite and PostgreSQL.

Each poison mail once made the apply *and* its quarantine record fail, aborting the batch and every
poll after it: a lone surrogate in the subject (a malformed UTF-7 encoded word), NUL bytes
(PostgreSQL refuses them), a 400-character From, a Message-ID with control characters. Now each is
applied or quarantined, the mails after it are read, and an empty From authorises nothing.
"""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import (
    Config,
    DatabaseSettings,
    ImapSettings,
    MailSettings,
    SmtpSettings,
)
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.inbound.reading.archive import ArchiveMailbox
from mailflow.tracker.models import InboundMessage
from tests.conftest import SteppingClock

GOOD = (
    b"From: Alice <alice@example.test>\r\nTo: bot@example.test\r\nSubject: hello {n}\r\n"
    b"Message-ID: <good-{n}@example.test>\r\n\r\nJust saying hello.\r\n"
)
POISON = [
    # A UTF-7 encoded word that decodes to a lone surrogate.
    b"From: a@example.test\r\nSubject: =?utf-7?q?+2AA-?= DONE\r\nMessage-ID: <p1@x>\r\n\r\n"
    b"MF-0001 DONE\r\n",
    # NUL bytes in the subject, the Message-ID and the body.
    b"From: b@example.test\r\nSubject: MEETING: a\x00b\r\nMessage-ID: <p2\x00@x>\r\n\r\n"
    b"Time: tomorrow 10:00\x00\r\nAttendees: c@example.test\r\n",
    # A From of 400 characters.
    b"From: " + b"x" * 400 + b"@example.test\r\nSubject: Accept\r\nMessage-ID: <p3@x>\r\n\r\n"
    b"Accept\r\n",
    # Control characters and a malformed encoded word in From.
    b"From: =?utf-8?b?\xff\xfe?= <\x01evil@example.test>\r\nSubject: =?x-unknown?q?abc?=\r\n"
    b"Message-ID: <p4\x07@x>\r\n\r\nhi\r\n",
    # An empty From giving item commands.
    b"From: \r\nSubject: Re: MF-0001\r\nMessage-ID: <p5@x>\r\n\r\n"
    b"MF-0001 DONE\r\nMF-0002 REASSIGN bob@example.test\r\n",
    # A calendar with a NUL in its UID and a surrogate's bytes as its SUMMARY.
    b"From: d@example.test\r\nContent-Type: text/calendar; method=REQUEST\r\n"
    b"Message-ID: <p6@x>\r\n\r\n"
    b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:\x00u\r\nSUMMARY:\xed\xa0\x80\r\n"
    b"DTSTART:20250312T100000Z\r\nORGANIZER:mailto:d@example.test\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n",
]


def _config() -> Config:
    return Config(
        mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
        imap=ImapSettings(
            host="127.0.0.1", port=1, security="plain", user="bot@example.test", batch_size=4
        ),
        smtp=SmtpSettings(host="127.0.0.1", port=1, security="plain"),
        database=DatabaseSettings(url="sqlite://"),
    )


def test_poison_mails_are_quarantined_and_the_mails_after_them_are_read(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    path = tmp_path / "inbox.mbox"
    archive = mailbox.mbox(path)
    raws = []
    for n, poison in enumerate(POISON):
        raws.append(GOOD.replace(b"{n}", str(n).encode()))
        raws.append(poison)
    raws.append(GOOD.replace(b"{n}", b"last"))
    for raw in raws:
        archive.add(raw)
    archive.close()
    source = ArchiveMailbox(path)
    try:
        clock = SteppingClock(datetime(2025, 3, 10, tzinfo=UTC))
        result = InboundPipeline(_config(), session_factory, clock).poll(source)
    finally:
        source.close()
    assert result.fetched == len(raws), "the mails after each poison mail were read"
    with session_factory() as session:
        records = list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))
    assert len(records) == len(raws), "every mail recorded once"
    assert {str(r.outcome) for r in records} <= {
        "applied",
        "ignored",
        "left_for_person",
        "refused",
        "quarantined",
    }
    empty_from = [r for r in records if r.subject == "Re: MF-0001"]
    assert [str(r.outcome) for r in empty_from] != ["applied"], "an empty From authorises nothing"
    for record in records:
        for text in (record.subject or "", record.sender or "", record.message_key):
            assert "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)
        assert record.sender is None or len(record.sender) <= 254
