"""A mail that cannot be delivered for good is never silent: the organiser is told, `status`
shows it; an address that hard-bounces gets no more reminders or digests until its owner writes."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config, Person
from mailflow.dev.devstack import BOT, MailStack
from mailflow.services.preferences import heard_from, opted_out
from mailflow.tracker.models import OutboxRow, OutboxStatus
from mailflow.tracker.models import Person as TrackedPerson
from mailflow.tracker.ops_report import ops_figures
from tests.conftest import SteppingClock, shanghai_config
from tests.integration.cycle import Cycle

ALICE, BOB = "alice@example.test", "bob@example.test"
GHOST = "ghost@example.test"  # not a mailbox of the test mail server: 550 User unknown
PEOPLE = (
    Person(ALICE, "Alice Wang", locale="en", timezone="Asia/Shanghai"),
    Person(BOB, "Bob Li", locale="en", timezone="Asia/Shanghai"),
)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    return shanghai_config(app_config, PEOPLE, monkeypatch)


def test_a_notice_refused_for_good_is_told_to_the_organiser_and_shown_in_status(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    cycle = Cycle(config, mailstack, session_factory, clock)
    clock.current = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = ALICE, BOT, "MEETING: Budget review"
    msg["Message-ID"] = "<budget@example.test>"
    msg.set_content(f"Time: 2025-03-11 10:00-11:00\nPlace: Room 5\nAttendees: {BOB}, {GHOST}\n")
    mailstack.send(msg, ALICE, [BOT])
    cycle.run()  # inside the lead time: the notices go at once
    cycle.run()  # the organiser's note about the failed one goes in the next flush
    with session_factory() as session:
        failed = session.scalars(
            select(OutboxRow).where(OutboxRow.status == OutboxStatus.FAILED)
        ).all()
        assert [row.recipients for row in failed] == [[GHOST]]
        figures = ops_figures(session, clock.now())
    assert figures.failed == 1 and figures.last_failed is not None
    assert "550" in figures.last_failed[1]
    told = [m for m in cycle.inbox(ALICE) if "Undeliverable" in str(m["Subject"])]
    assert len(told) == 1
    body = told[0].get_body(("plain",))
    assert (
        body is not None and GHOST in str(body.get_content()) and "550" in str(body.get_content())
    )


def test_a_hard_bouncing_address_is_quiet_until_its_owner_writes(session: Session) -> None:
    now = datetime(2025, 3, 10, tzinfo=UTC)
    session.add(
        TrackedPerson(email=BOB, bounce_count=1, failing_since=now, created_at=now, updated_at=now)
    )
    session.flush()
    assert BOB in opted_out(session)
    heard_from(session, BOB, now)
    assert BOB not in opted_out(session)
