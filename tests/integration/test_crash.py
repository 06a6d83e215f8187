"""SIGKILL the daemon at random points under load, restart it, and count what survived.

A real ``mailflow serve`` on SQLite gets a backlog (inbound "STOP REMINDERS" mails, each applied
and answered once, plus outbox rows) and is killed a bounded number of times, each time after a
random delay, so kills land during fetch, between apply and move, in the middle of an SMTP
transaction or between send and mark. A last run drains the backlog. Then the mailboxes and the
database are compared: no inbound message lost, none applied twice, every outbox row delivered,
and any duplicate copy carries the same Message-ID (the documented at-least-once window).
``benchmarks/crash_campaign.py`` runs the same with 50 kills.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from sqlalchemy import create_engine

from mailflow.dev.devstack import MailStack
from mailflow.dev.devstack.audit import append_all, audit, enqueue_messages, progress, stop_request
from mailflow.dev.devstack.fleet import Fleet, Pace, wait_until
from mailflow.tracker.db import upgrade

KILLS = 5
INBOUND_PER_ROUND = 40
OUTBOX_PER_ROUND = 20
PACE = Pace(claim_seconds=4, timeout_seconds=2)


def test_sigkill_at_random_points_loses_nothing_and_applies_nothing_twice(
    mailstack: MailStack, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'mailflow.db'}"
    upgrade(url)
    # A plain engine: mailflow's own starts every transaction with BEGIN IMMEDIATE, and the test's
    # reads must not queue for the write lock behind the daemon they are watching.
    engine = create_engine(url)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    inbound: list[str] = []
    outbound: list[str] = []
    kills: list[str] = []
    try:
        with Fleet(mailstack, url, tmp_path, PACE) as fleet:
            for round_ in range(KILLS):
                # Fresh work for every run, so that each kill lands while there is work in hand.
                batch = [stop_request(f"crash{round_}", n) for n in range(INBOUND_PER_ROUND)]
                append_all(mailstack, (raw for _id, raw in batch))
                inbound += [message_id for message_id, _raw in batch]
                outbound += enqueue_messages(engine, f"crash{round_}", range(OUTBOX_PER_ROUND))
                [daemon] = fleet.start()
                assert daemon.wait_until_serving(), fleet.logs()
                # Inbound takes the first few hundred milliseconds of work, sending the rest:
                # every other kill comes early. A kill has no event to wait for: it is a sleep.
                delay = rng.uniform(0.0, 0.4 if round_ % 2 else 1.5)
                time.sleep(delay)
                seen = progress(engine)
                daemon.kill()
                kills.append(
                    f"kill {round_ + 1} after {delay:.2f} s: {seen.inbound} in, {seen.outbox}"
                )

            [last] = fleet.start()

            def drained() -> bool:
                now = progress(engine)
                return now.inbound >= len(inbound) and now.unfinished == 0

            # A daemon that exits early (a bad config) fails the test at once, not at the timeout.
            wait_until(lambda: drained() or not last.running, 60, 0.1)
            assert last.running and drained(), f"{progress(engine)}\n{fleet.logs()}"
            assert last.stop() == 0, fleet.logs()
        result = audit(mailstack, engine, inbound, outbound)
    finally:
        engine.dispose()
    report = [f"crash test, seed {seed}", *kills, *result.lines()]
    print("\n".join(report))
    assert result.ok, "\n".join(report)
    assert result.inbound_recorded == KILLS * INBOUND_PER_ROUND
