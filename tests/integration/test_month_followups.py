"""A simulated month of follow-ups on the real mail stack (SQLite and PostgreSQL), stepping clock.

March 2025 in Shanghai. Three meetings (3, 10 and 17 March) produce 20 action items: three due
Friday 7 March — Bob finishes his early, Carol delays hers to the 14th and finishes it then, Dave
ignores his — and seventeen due Monday 31 March. The follow-up planners (reminders, weekly
requests and nudges, escalations, digests) and the outbox sender run at 08:00, 09:00, 10:00, 15:00
and 17:00 every day; owners answer by mail. The exact set of mails each mailbox receives, and when,
is written out below by hand from the rules (not recomputed by the code under test), and checked.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.adapters.smtp import SmtpSender
from mailflow.config.schema import (
    CalendarSettings,
    Config,
    PeopleSettings,
    Person,
    ScheduleSettings,
)
from mailflow.dev.devstack import BOT, MailStack
from mailflow.domain.directory import Directory
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.domain.minutes import ActionSpec, MinutesDoc
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.outbound.delivery.flush import OutboxFlusher
from mailflow.outbound.delivery.registry import render
from mailflow.outbound.rendering.compose import RenderContext
from mailflow.services.digests import plan_digests
from mailflow.services.escalations import plan_escalations
from mailflow.services.followups import plan_reminders, plan_weekly
from mailflow.services.meetings import apply_spec
from mailflow.services.minutes import apply_minutes
from mailflow.tracker.models import ActionItem, ItemStatus, MeetingSource, OutboxRow
from tests.conftest import SteppingClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALICE, BOB, CAROL, DAVE, EXEC = (
    f"{n}@example.test" for n in ("alice", "bob", "carol", "dave", "exec")
)
PEOPLE = (
    Person(ALICE, "Alice", department="Ops", timezone="Asia/Shanghai"),
    Person(BOB, "Bob", department="Eng", manager=EXEC, timezone="Asia/Shanghai"),
    Person(CAROL, "Carol", department="Sales", manager=EXEC, timezone="Asia/Shanghai"),
    Person(DAVE, "Dave", department="Eng", manager=EXEC, timezone="Asia/Shanghai"),
    Person(EXEC, "Exec", department="Board", role="head", timezone="Asia/Shanghai"),
)
EARLY, MONTH_END = date(2025, 3, 7), date(2025, 3, 31)
# Meeting day → the items its minutes create: (owner, due date).
MEETINGS = {
    3: [(BOB, EARLY), (CAROL, EARLY), (DAVE, EARLY)]
    + [(o, MONTH_END) for o in (BOB, CAROL, DAVE, BOB, CAROL, DAVE, BOB)],
    10: [(o, MONTH_END) for o in (CAROL, DAVE, BOB, CAROL, DAVE)],
    17: [(o, MONTH_END) for o in (BOB, CAROL, DAVE, BOB, CAROL)],
}
# (day, hour) → (owner, reply text) sent at that time.
REPLIES = {
    (5, 10): (BOB, "MF-0001 DONE"),
    (6, 10): (CAROL, "MF-0002 DELAY 2025-03-14 waiting for the Q1 numbers"),
    (14, 10): (CAROL, "MF-0002 DONE"),
}
HOURS = (8, 9, 10, 15, 17)


# Every mail of the month: (day, hour, recipient, kind), derived from the rules by hand.
WEEKLY_FRIDAYS, NUDGE_MONDAYS, DIGEST_MONDAYS = (
    (7, 14, 21, 28),
    (10, 17, 24, 31),
    (3, 10, 17, 24, 31),
)
EXPECTED = sorted(
    [
        # Three business days before Friday 7: Tuesday 4, for the three early items.
        *[(4, 9, who, "item_reminder") for who in (BOB, CAROL, DAVE)],
        (5, 10, BOB, "item_receipt"),  # Bob's DONE is answered; his before_1 never goes.
        *[(6, 9, who, "item_reminder") for who in (CAROL, DAVE)],  # before_1
        (6, 10, CAROL, "item_receipt"),  # the DELAY to the 14th
        (7, 9, DAVE, "item_reminder"),  # due today
        # Dave's item is overdue from Saturday 00:00: level 2 after 24 h (Sunday 00:00) and
        # level 3 after 48 h (Monday 00:00), both held for Monday 08:00, the first allowed moment.
        (10, 8, ALICE, "escalation"),
        (10, 8, EXEC, "escalation"),
        (10, 9, DAVE, "item_reminder"),  # overdue, the next business day at the send hour
        # Carol's new date: three and one business days before Friday 14, and the day itself.
        (11, 9, CAROL, "item_reminder"),
        (13, 9, CAROL, "item_reminder"),
        (14, 9, CAROL, "item_reminder"),
        (14, 10, CAROL, "item_receipt"),
        # The month-end items: Wednesday 26 (3 business days), Friday 28 (1), Monday 31 (today).
        *[(d, 9, who, "item_reminder") for d in (26, 28, 31) for who in (BOB, CAROL, DAVE)],
        # Every Friday at 15:00 each owner of open items is asked; nobody answers after it, so
        # each gets one nudge the next Monday at 09:00.
        *[(d, 15, who, "weekly_progress") for d in WEEKLY_FRIDAYS for who in (BOB, CAROL, DAVE)],
        *[(d, 9, who, "weekly_nudge") for d in NUDGE_MONDAYS for who in (BOB, CAROL, DAVE)],
        # The executive's weekly digest, Mondays at 08:00.
        *[(d, 8, EXEC, "digest") for d in DIGEST_MONDAYS],
    ]
)


@pytest.fixture
def config(app_config: Config) -> Config:
    return dataclasses.replace(
        app_config,
        schedule=ScheduleSettings(
            timezone="Asia/Shanghai", calendar=CalendarSettings(country="CN")
        ),
        people=PeopleSettings(people=PEOPLE),
    )


def _meeting_and_minutes(session: Session, config: Config, day: int) -> None:
    start = datetime(2025, 3, day, 9, 0, tzinfo=SHANGHAI)
    spec = MeetingSpec(
        uid=f"m{day}@example.test",
        title=f"Weekly review {day} March",
        organiser=AttendeeSpec(ALICE),
        start=start,
        end=start + timedelta(hours=1),
        tzid="Asia/Shanghai",
        attendees=tuple(AttendeeSpec(p) for p in (BOB, CAROL, DAVE)),
    )
    meeting = apply_spec(
        session, spec, source=MeetingSource.CLI, domain="example.test", now=start
    ).meeting
    assert meeting is not None
    actions = tuple(
        ActionSpec(owner=owner, owner_raw=owner, task=f"Task {day}-{n}", due=due)
        for n, (owner, due) in enumerate(MEETINGS[day])
    )
    apply_minutes(
        session,
        meeting,
        MinutesDoc(actions=actions),
        raw_text="(minutes)",
        submitted_by=ALICE,
        source_message_id=None,
        directory=Directory(config.people.people),
        now=start + timedelta(hours=1),
    )


def _reply(sender: str, text: str, stack: MailStack, n: int) -> None:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = "Re: your items"
    # A reply in a mailflow thread, as any client writes it.
    msg["In-Reply-To"] = f"<{n}.0.0.mailflow@example.test>"
    msg["Message-ID"] = f"<owner-reply-{n}@example.test>"
    msg.set_content(text)
    stack.send(msg, sender, [BOT])


def _events(sessions: sessionmaker[Session]) -> list[tuple[int, int, str, str]]:
    with sessions() as session:
        rows = session.execute(
            select(OutboxRow.sent_at, OutboxRow.recipients, OutboxRow.kind).where(
                OutboxRow.status == "sent"
            )
        )
        found: list[tuple[int, int, str, str]] = []
        for sent_at, recipients, kind in rows:
            assert sent_at is not None, "a sent row has its sending time"
            local = sent_at.astimezone(SHANGHAI)
            found.extend((local.day, local.hour, r, kind) for r in recipients)
    return sorted(found)


def test_a_month_of_follow_ups(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    pipeline = InboundPipeline(config, session_factory, clock)
    flusher = OutboxFlusher(
        config, session_factory, clock, lambda: SmtpSender(config.smtp, None), worker="t"
    )
    planners = (plan_reminders, plan_weekly, plan_escalations, plan_digests)
    with ImapMailbox(config.imap, mailstack.password) as mailbox:
        mailbox.ensure_folders()
        for day in range(3, 32):
            for hour in HOURS:
                clock.current = datetime(2025, 3, day, hour, 0, tzinfo=SHANGHAI).astimezone(UTC)
                if hour == 10 and day in MEETINGS:
                    with session_factory() as session, session.begin():
                        _meeting_and_minutes(session, config, day)
                if (day, hour) in REPLIES:
                    _reply(*REPLIES[(day, hour)], mailstack, day)
                pipeline.poll(mailbox)
                for planner in planners:
                    with session_factory() as session, session.begin():
                        planner(session, clock.now(), config)
                flusher.flush()

    events = _events(session_factory)
    assert [e for e in events if e not in EXPECTED] == [], "no mail the rules do not call for"
    assert [e for e in EXPECTED if e not in events] == [], "every mail the rules call for"
    assert Counter(events) == Counter(EXPECTED), "nothing twice"
    for person in (ALICE, BOB, CAROL, DAVE, EXEC):
        delivered = len(mailstack.messages(person))
        assert delivered == sum(1 for e in EXPECTED if e[2] == person), person

    with session_factory() as session:
        items = {i.ref: i for i in session.scalars(select(ActionItem))}
        assert len(items) == 20
        assert items["MF-0001"].status is ItemStatus.DONE
        assert items["MF-0002"].status is ItemStatus.DONE
        assert items["MF-0003"].escalation_level == 3
        last_digest = session.scalars(
            select(OutboxRow).where(OutboxRow.kind == "digest").order_by(OutboxRow.id.desc())
        ).first()
        assert last_digest is not None
        payload = last_digest.payload
    # The digest's numbers are the DB's: per department and status.
    expected_counts: dict[str, Counter[str]] = {"Eng": Counter(), "Sales": Counter()}
    for item in items.values():
        if item.department in expected_counts:
            expected_counts[item.department][item.status.value] += 1
    for department, counted in expected_counts.items():
        shown = {k: v for k, v in payload["counts"][department].items() if v}
        assert shown == dict(counted), department
    assert [o["ref"] for o in payload["overdue"]] == ["MF-0003"]
    _screenshot(config, payload)


def _screenshot(config: Config, payload: dict[str, object]) -> None:
    """The last digest as HTML and, where Chromium is installed, as a PNG in artifacts/."""
    out = Path(__file__).resolve().parents[2] / "artifacts"
    out.mkdir(exist_ok=True)
    now = datetime(2025, 3, 31, 0, 0, tzinfo=UTC)
    msg = render(RenderContext(config, now), "digest", [EXEC], payload)
    html = msg.get_body(("html",))
    assert html is not None
    page = out / "month_digest.html"
    page.write_text(str(html.get_content()), encoding="utf-8")
    chromium = shutil.which("chromium")
    if chromium is None:
        return  # the screenshot test proper (test_digest_screenshot) says why it skips
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={out / 'month_digest.png'}",
                "--window-size=900,1600",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    assert (out / "month_digest.png").stat().st_size > 10_000
