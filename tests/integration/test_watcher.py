"""The inbox watcher thread on real Dovecot: IDLE wakes it, a server restart does not stop it."""

from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.config.schema import Config
from mailflow.dev.devstack import BOT, MailStack
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.inbound.watcher import InboxWatcher
from mailflow.tracker.models import InboundMessage
from tests.conftest import SteppingClock


def _auto_reply(n: int) -> bytes:
    return (
        f"From: carol@example.test\r\nTo: {BOT}\r\nSubject: away {n}\r\n"
        f"Message-ID: <away-{n}@example.test>\r\nAuto-Submitted: auto-replied\r\n\r\naway\r\n"
    ).encode()


def _wait_for_records(sessions: sessionmaker[Session], count: int, timeout: float = 15.0) -> int:
    # The watcher runs in its own thread against a real server: wait, bounded, for its commits.
    deadline = time.monotonic() + timeout
    found = 0
    while time.monotonic() < deadline:
        with sessions() as session:
            found = session.scalar(select(func.count()).select_from(InboundMessage)) or 0
        if found >= count:
            return found
        time.sleep(0.05)
    return found


def test_idle_wakes_the_watcher_and_a_dovecot_restart_is_survived(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    watcher = InboxWatcher(
        InboundPipeline(app_config, session_factory, clock),
        lambda: ImapMailbox(app_config.imap, mailstack.password),
        idle=True,
        idle_timeout_seconds=60,
        poll_interval_seconds=60,
    )
    watcher.start()
    try:
        mailstack.send(_auto_reply(1), "carol@example.test", [BOT])
        assert _wait_for_records(session_factory, 1) == 1, "IDLE reported the new message"

        mailstack.dovecot.restart()
        mailstack.send(_auto_reply(2), "carol@example.test", [BOT])
        assert _wait_for_records(session_factory, 2) == 2, "the watcher reconnected by itself"
    finally:
        started = time.monotonic()
        watcher.stop()
        assert time.monotonic() - started < 5, "stop() interrupts IDLE instead of waiting it out"
