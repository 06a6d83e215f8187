"""Mutated real mail through the whole inbound pipeline on SQLite and PostgreSQL: no batch aborts,
every message is recorded once as applied, ignored, left for a person, refused or quarantined.
(``benchmarks/inbound_fuzz.py`` runs the same with 10,000 messages and prints the figures.)"""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
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
from tests.fuzz_mail import corpus_mails, mutated

OUTCOMES = {"applied", "ignored", "left_for_person", "refused", "quarantined"}


def fuzz_config() -> Config:
    return Config(
        mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
        imap=ImapSettings(
            host="127.0.0.1", port=1, security="plain", user="bot@example.test", batch_size=50
        ),
        smtp=SmtpSettings(host="127.0.0.1", port=1, security="plain"),
        database=DatabaseSettings(url="sqlite://"),
    )


def test_four_hundred_mutated_mails_never_abort_a_batch(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    mails = corpus_mails()
    if not mails:
        pytest.skip("the shared corpus is not beside the repository")
    path = tmp_path / "fuzz.mbox"
    archive = mailbox.mbox(path)
    for raw in mutated(mails, 400):
        archive.add(raw)
    archive.close()
    source = ArchiveMailbox(path)
    try:
        clock = SteppingClock(datetime(2025, 3, 10, tzinfo=UTC))
        result = InboundPipeline(fuzz_config(), session_factory, clock).poll(source)
    finally:
        source.close()
    assert result.fetched == len(source) == 400
    duplicates = result.by_outcome.pop("duplicate", 0)
    assert set(result.by_outcome) <= OUTCOMES
    with session_factory() as session:
        recorded = session.scalar(select(func.count()).select_from(InboundMessage))
    assert recorded == 400 - duplicates
