"""The Prometheus endpoint scraped over HTTP, against a tracker with known rows (SQLite and PG).

Every figure is read from the database at scrape time, so the test writes rows, scrapes, writes
more and scrapes again: the second scrape sees the change with nothing kept in between.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import (
    Config,
    ImapSettings,
    MailSettings,
    MetricsSettings,
    SmtpSettings,
)
from mailflow.errors import ConfigError
from mailflow.metrics import MetricsServer, serve_metrics, start_metrics
from mailflow.outbound.delivery import outbox
from mailflow.tracker import repo
from mailflow.tracker.models import ActionItem, ItemStatus, OutboxRow
from mailflow.tracker.ops_report import note_unprocessed
from tests.conftest import SteppingClock
from tests.stored_payload import stored

NOW = datetime(2025, 3, 12, 2, 0, tzinfo=UTC)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _scrape(port: int) -> Samples:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode("utf-8")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _item(ref: str, status: ItemStatus, level: int) -> ActionItem:
    return ActionItem(
        ref=ref,
        owner_email="dave@example.test",
        description=f"task {ref}",
        due_date=date(2025, 3, 10),
        status=status,
        escalation_level=level,
        created_at=NOW - timedelta(days=5),
        updated_at=NOW - timedelta(days=1),
    )


def fill_tracker(session: Session) -> None:
    """Known rows: inbound records, unsent and sent outbox rows, items, poll and send times."""
    records = [
        ("reply", "applied"),
        ("reply", "applied"),
        ("bounce", "ignored"),
        ("unknown", "left_for_person"),
    ]
    for n, (kind, outcome) in enumerate(records):
        repo.record_inbound(
            session, message_key=f"<m{n}@example.test>", kind=kind, outcome=outcome, now=NOW
        )
    # Two unsent rows: one planned three hours ago and due for an hour, one held until tomorrow.
    outbox.enqueue(
        session,
        key="due",
        recipients=["bob@example.test"],
        payload=stored("notice"),
        now=NOW - timedelta(hours=3),
        not_before=NOW - timedelta(hours=1),
    )
    outbox.enqueue(
        session,
        key="held",
        recipients=["carol@example.test"],
        payload=stored("item_reminder"),
        now=NOW - timedelta(minutes=10),
        not_before=NOW + timedelta(hours=20),
    )
    outbox.enqueue(
        session, key="sent", recipients=["a@example.test"], payload=stored("receipt"), now=NOW
    )
    sent = session.query(OutboxRow).filter_by(idempotency_key="sent").one()
    outbox.mark_sent(session, sent.id, now=NOW - timedelta(minutes=5))
    session.add_all(
        [
            _item("MF-0001", ItemStatus.NOT_STARTED, 2),
            _item("MF-0002", ItemStatus.DELAYED, 3),
            _item("MF-0003", ItemStatus.DONE, 3),  # escalated once, closed since
            _item("MF-0004", ItemStatus.IN_PROGRESS, 1),  # only the owner was told
        ]
    )
    repo.set_status(session, "last_poll", "", NOW - timedelta(seconds=30))
    repo.set_status(session, "last_send", "", NOW - timedelta(minutes=5))


@pytest.fixture
def served(session_factory: sessionmaker[Session]) -> Iterator[tuple[MetricsServer, SteppingClock]]:
    clock = SteppingClock(NOW)
    server = serve_metrics(session_factory, clock, 0)
    try:
        yield server, clock
    finally:
        server.stop()


def test_every_figure_comes_from_the_database(
    served: tuple[MetricsServer, SteppingClock], session_factory: sessionmaker[Session]
) -> None:
    server, clock = served
    empty = _scrape(server.port)
    assert empty[("mailflow_database_up", ())] == 1
    assert empty[("mailflow_outbox_rows", (("status", "pending"),))] == 0
    assert ("mailflow_last_poll_timestamp_seconds", ()) not in empty, "never polled: no sample"

    with session_factory() as session, session.begin():
        fill_tracker(session)
    samples = _scrape(server.port)

    def inbound(kind: str, outcome: str) -> float:
        return samples[("mailflow_inbound_messages_total", (("kind", kind), ("outcome", outcome)))]

    assert inbound("reply", "applied") == 2
    assert inbound("bounce", "ignored") == 1
    assert inbound("unknown", "left_for_person") == 1
    assert samples[("mailflow_outbox_rows", (("status", "pending"),))] == 2
    assert samples[("mailflow_outbox_rows", (("status", "sent"),))] == 1
    assert samples[("mailflow_outbox_oldest_unsent_age_seconds", ())] == 3 * 3600
    assert samples[("mailflow_outbox_oldest_due_age_seconds", ())] == 3600, "the held row waits"
    assert samples[("mailflow_escalations_open", ())] == 2
    assert (
        samples[("mailflow_last_poll_timestamp_seconds", ())]
        == (NOW - timedelta(seconds=30)).timestamp()
    )
    assert (
        samples[("mailflow_last_send_timestamp_seconds", ())]
        == (NOW - timedelta(minutes=5)).timestamp()
    )
    assert samples[("mailflow_inbox_unprocessed_messages", ())] == 0

    # A poll with 500 new messages has handled 200 of them, and ten minutes have passed.
    with session_factory() as session, session.begin():
        note_unprocessed(session, 500, NOW)
        note_unprocessed(session, 300, NOW + timedelta(minutes=5))
    clock.current = NOW + timedelta(minutes=10)
    samples = _scrape(server.port)
    assert samples[("mailflow_inbox_unprocessed_messages", ())] == 300
    assert samples[("mailflow_inbox_oldest_unprocessed_age_seconds", ())] == 600
    with session_factory() as session, session.begin():
        note_unprocessed(session, 0, NOW + timedelta(minutes=10))
    samples = _scrape(server.port)
    assert samples[("mailflow_inbox_oldest_unprocessed_age_seconds", ())] == 0


def test_off_unless_a_port_is_configured(session_factory: sessionmaker[Session]) -> None:
    config = Config(
        mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
        imap=ImapSettings("127.0.0.1", 143, "plain", "bot"),
        smtp=SmtpSettings("127.0.0.1", 25, "plain"),
    )
    assert config.metrics == MetricsSettings(port=0)
    assert start_metrics(config, session_factory, SteppingClock(NOW)) is None


def test_a_busy_port_is_reported_as_a_config_problem(
    session_factory: sessionmaker[Session],
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError) as caught:
            serve_metrics(session_factory, SteppingClock(NOW), port)
    assert "metrics.port" in str(caught.value.problems[0])
