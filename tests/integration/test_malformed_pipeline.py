"""Malformed MIME through the whole inbound pipeline: nothing raises, every message is recorded.

Hypothesis writes batches of broken messages into an mbox archive; the pipeline reads them like
``mailflow import`` does, into a fresh SQLite tracker.
"""

from __future__ import annotations

import mailbox
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mailflow.config.schema import (
    Config,
    DatabaseSettings,
    ImapSettings,
    MailSettings,
    SmtpSettings,
)
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.inbound.reading.archive import ArchiveMailbox
from mailflow.tracker import db
from mailflow.tracker.models import InboundMessage
from tests.conftest import SteppingClock
from tests.unit.test_malformed_mime import raw_messages


def _config(url: str) -> Config:
    return Config(
        mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
        imap=ImapSettings(host="127.0.0.1", port=1, security="plain", user="bot@example.test"),
        smtp=SmtpSettings(host="127.0.0.1", port=1, security="plain"),
        database=DatabaseSettings(url=url),
    )


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(raw_messages(), min_size=10, max_size=30))
def test_pipeline_records_every_malformed_message(raws: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'mf.db'}"
        archive_path = Path(tmp) / "broken.mbox"
        archive = mailbox.mbox(archive_path)
        for raw in raws:
            archive.add(raw)
        archive.close()
        engine = db.make_engine(url)
        try:
            db.upgrade(engine)
            sessions = db.make_session_factory(engine)
            source = ArchiveMailbox(archive_path)
            try:
                clock = SteppingClock(datetime(2025, 3, 10, tzinfo=UTC))
                result = InboundPipeline(_config(url), sessions, clock).poll(source)
            finally:
                source.close()
            with sessions() as session:
                recorded = session.scalar(select(func.count()).select_from(InboundMessage))
        finally:
            engine.dispose()
    assert result.fetched == len(raws)
    duplicates = result.by_outcome.get("duplicate", 0)
    assert recorded == len(raws) - duplicates, "every message is recorded once (same key: once)"
