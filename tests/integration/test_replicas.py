"""Several replicas on one PostgreSQL, one daemon per SQLite file: leases, locks, real processes.

The lease functions run on both backends with a stepping clock. The end-to-end test starts three
real ``mailflow serve`` processes on one PostgreSQL database and one bot mailbox, SIGKILLs the one
polling the mailbox halfway through the work, and then counts every message in the mailboxes.
"""

from __future__ import annotations

import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from mailflow.adapters.imap import ImapMailbox
from mailflow.config.schema import Config
from mailflow.dev.devstack import MailStack
from mailflow.dev.devstack.audit import (
    append_all,
    audit,
    enqueue_messages,
    progress,
    stop_request,
)
from mailflow.dev.devstack.fleet import Fleet, Pace, serve_command, serve_env, wait_until
from mailflow.errors import AlreadyRunningError, MailboxUnavailableError
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.inbound.watcher import InboxWatcher
from mailflow.outbound.delivery import outbox
from mailflow.tracker import file_lock, leases
from mailflow.tracker.leases import LeaseKeeper
from mailflow.tracker.models import InboundMessage, Lease
from tests.conftest import SteppingClock
from tests.stored_payload import stored

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
TTL = 60
MAILBOX = "mailbox:INBOX"


def _at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def _lease(session: Session) -> Lease:
    return session.scalars(
        select(Lease).where(Lease.name == MAILBOX).execution_options(populate_existing=True)
    ).one()


# --- leases on both backends ---------------------------------------------------------------------


def test_lease_acquire_held_expired_renew_release(session: Session) -> None:
    assert leases.acquire(session, MAILBOX, "a", _at(0), TTL)
    assert not leases.acquire(session, MAILBOX, "b", _at(1), TTL), "held by a"
    assert leases.renew(session, MAILBOX, "a", _at(30), TTL)
    assert not leases.renew(session, MAILBOX, "b", _at(30), TTL), "b never had it"
    session.commit()
    assert _lease(session).expires_at == _at(30 + TTL)

    # a renewed at 30 s: its lease still runs at 89 s, is exactly over at 90 s, and gone after.
    assert not leases.acquire(session, MAILBOX, "b", _at(89), TTL)
    assert not leases.acquire(session, MAILBOX, "b", _at(30 + TTL), TTL)
    assert leases.acquire(session, MAILBOX, "b", _at(91), TTL), "expired: b takes over"
    session.commit()
    row = _lease(session)
    assert (row.holder, row.acquired_at, row.expires_at) == ("b", _at(91), _at(91 + TTL))

    assert not leases.renew(session, MAILBOX, "a", _at(92), TTL), "a lost it"
    assert leases.acquire(session, MAILBOX, "b", _at(100), TTL), "acquire renews the holder's"
    session.commit()
    assert _lease(session).acquired_at == _at(91), "held since the takeover"

    assert not leases.release(session, MAILBOX, "a")
    assert leases.release(session, MAILBOX, "b")
    assert leases.acquire(session, MAILBOX, "a", _at(101), TTL), "released: free at once"
    session.commit()


def test_a_lease_that_ran_out_unclaimed_is_still_renewed(session: Session) -> None:
    assert leases.acquire(session, MAILBOX, "a", _at(0), TTL)
    assert leases.renew(session, MAILBOX, "a", _at(TTL + 30), TTL), "nobody took it meanwhile"
    assert not leases.acquire(session, MAILBOX, "b", _at(TTL + 31), TTL)


def test_lease_keeper_takes_over_and_logs_the_change(
    session_factory: sessionmaker[Session], clock: SteppingClock
) -> None:
    first = LeaseKeeper(session_factory, MAILBOX, "host:1", clock, ttl_seconds=5)
    second = LeaseKeeper(session_factory, MAILBOX, "host:2", clock, ttl_seconds=5)
    assert first.check_seconds == pytest.approx(5 / 3)
    assert first.hold() and not second.hold()
    clock.advance(seconds=4)
    assert first.hold(), "renewed within the time to live"
    clock.advance(seconds=4)
    assert not second.hold(), "the renewal moved the expiry on"
    clock.advance(seconds=2)
    assert second.hold(), "first stopped renewing (died): second takes over"
    assert not first.hold() and not first.held, "first learns it lost the lease"
    second.release()
    assert first.hold(), "a released lease is free at once"


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
def test_racing_acquires_have_one_winner_on_postgresql(
    session_factory: sessionmaker[Session],
) -> None:
    results: dict[str, bool] = {}
    with session_factory() as first, session_factory() as second:
        results["first"] = leases.acquire(first, MAILBOX, "a", NOW, TTL)

        def contender() -> None:
            # Waits on first's uncommitted row; a lock timeout turns a hang into a failure.
            second.execute(text("SET LOCAL lock_timeout = '10s'"))
            results["second"] = leases.acquire(second, MAILBOX, "b", NOW, TTL)
            second.commit()

        thread = threading.Thread(target=contender)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "second waits for first's transaction"
        first.commit()
        thread.join(15)
        assert not thread.is_alive()
    assert results == {"first": True, "second": False}


def test_an_outbox_claim_that_ran_out_is_not_sent_by_its_first_worker(session: Session) -> None:
    outbox.enqueue(session, key="k", recipients=["a@x"], payload=stored("message"), now=NOW)
    [row] = outbox.claim(session, worker="slow", now=NOW, limit=10, lease_seconds=60)
    session.commit()
    assert outbox.renew_claims(session, [row.id], worker="slow", now=_at(30), lease_seconds=60)
    session.commit()
    assert outbox.claim(session, worker="w2", now=_at(89), limit=10, lease_seconds=60) == []
    [again] = outbox.claim(session, worker="w2", now=_at(91), limit=10, lease_seconds=60)
    session.commit()
    assert again.id == row.id
    # The slow worker reaches the row late in its batch: it is not its row any more.
    assert not outbox.renew_claims(session, [row.id], worker="slow", now=_at(92), lease_seconds=60)
    assert outbox.renew_claims(session, [row.id], worker="w2", now=_at(92), lease_seconds=60)


# --- the watcher takes turns ---------------------------------------------------------------------


class _Switch:
    """A turn the test grants and withdraws by hand."""

    check_seconds = 0.1

    def __init__(self) -> None:
        self.granted = False
        self.released = False

    def hold(self) -> bool:
        return self.granted

    def release(self) -> None:
        self.released = True


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_the_watcher_polls_only_while_it_holds_the_turn(
    app_config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
) -> None:
    connects: list[ImapMailbox] = []

    def connect() -> ImapMailbox:
        connects.append(ImapMailbox(app_config.imap, mailstack.password))
        return connects[-1]

    turn = _Switch()
    watcher = InboxWatcher(
        InboundPipeline(app_config, session_factory, clock),
        connect,
        idle=True,
        idle_timeout_seconds=60,
        poll_interval_seconds=60,
        turn=turn,
    )
    append_all(mailstack, [stop_request("turn", 0)[1]])
    watcher.start()
    try:
        # Absence has no event to wait for: a short bounded wait that must come out empty.
        assert not wait_until(lambda: bool(connects), 0.5), "no turn, no IMAP connection"
        turn.granted = True
        assert wait_until(lambda: _recorded(session_factory) == 1, 15), "granted: it polls"

        turn.granted = False
        # IDLE is cut into chunks of check_seconds, so the watcher notices within one of them.
        assert wait_until(lambda: _closed(connects[0]), 5, 0.01), "turn gone: connection closed"
        append_all(mailstack, [stop_request("turn", 1)[1]])
        assert not wait_until(lambda: _recorded(session_factory) > 1, 1.0), "withdrawn: no poll"
        turn.granted = True
        assert wait_until(lambda: _recorded(session_factory) == 2, 15), "granted again"
    finally:
        watcher.stop()
    assert turn.released, "the turn is given up when the watcher stops"


def _recorded(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(InboundMessage)) or 0


def _closed(mailbox: ImapMailbox) -> bool:
    try:
        _ = mailbox.client
    except MailboxUnavailableError:
        return True
    return False


# --- one daemon per SQLite file ------------------------------------------------------------------


def test_the_sqlite_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db' / 'mf.db'}"
    lock = file_lock.lock_database(url)
    assert lock is not None
    try:
        with pytest.raises(AlreadyRunningError) as refused:
            file_lock.lock_database(url)
        assert str(refused.value) == (
            f"another mailflow serve is using {tmp_path / 'db' / 'mf.db'} (pid "
            f"{lock.path.read_text().strip()}); SQLite allows one daemon — use PostgreSQL for "
            "several replicas"
        )
    finally:
        lock.release()
    again = file_lock.lock_database(url)
    assert again is not None, "released: the next daemon may start"
    again.release()
    assert file_lock.lock_database("postgresql+psycopg://u@db.example/mf") is None


@pytest.mark.parametrize(
    "spelling",
    [
        "sqlite:///file:{path}?uri=true",
        "sqlite:///file:{path}?mode=rwc&uri=true",
        "sqlite+pysqlite:///{path}",
        "sqlite:///{link}",
    ],
)
def test_no_spelling_of_the_url_bypasses_the_lock(tmp_path: Path, spelling: str) -> None:
    path = tmp_path / "mf.db"
    link = tmp_path / "other-name.db"
    link.symlink_to(path)
    lock = file_lock.lock_database(f"sqlite:///{path}")
    assert lock is not None
    try:
        with pytest.raises(AlreadyRunningError):
            file_lock.lock_database(spelling.format(path=path, link=link))
    finally:
        lock.release()


def test_a_second_serve_on_one_sqlite_file_exits_2(mailstack: MailStack, tmp_path: Path) -> None:
    database = tmp_path / "mailflow.db"
    with Fleet(mailstack, f"sqlite:///{database}", tmp_path) as fleet:
        [first] = fleet.start()
        lock_file = database.with_name("mailflow.db.lock")
        assert wait_until(
            lambda: lock_file.is_file() and lock_file.read_text().strip() == str(first.pid), 20
        ), fleet.logs()
        second = subprocess.run(
            serve_command(fleet.config_path),
            env=serve_env(mailstack.password),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2, second.stderr
        assert (
            f"error: another mailflow serve is using {database} (pid {first.pid}); SQLite allows "
            "one daemon — use PostgreSQL for several replicas"
        ) in second.stderr
        assert first.running, "the first daemon is not disturbed"
        assert first.stop() == 0, fleet.logs()


# --- three replicas, one killed ------------------------------------------------------------------

REPLICAS = 3
MESSAGES = 300
PACE = Pace(lease_seconds=5, claim_seconds=5, poll_seconds=1, flush_seconds=1)


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
def test_three_replicas_handle_everything_once_when_the_poller_is_killed(
    mailstack: MailStack, migrated_db_url: URL, tmp_path: Path
) -> None:
    engine = create_engine(migrated_db_url)
    inbound = [stop_request("rep", n) for n in range(MESSAGES)]
    outbound = enqueue_messages(engine, "rep", range(MESSAGES))
    append_all(mailstack, (raw for _id, raw in inbound))
    url = migrated_db_url.render_as_string(hide_password=False)
    try:
        with Fleet(mailstack, url, tmp_path, PACE) as fleet:
            started = time.monotonic()
            fleet.start(REPLICAS)
            # Halfway through the inbound work, kill whichever replica is polling the mailbox.
            assert wait_until(lambda: progress(engine).inbound >= MESSAGES // 2, 40, 0.02), (
                fleet.logs()
            )
            at_kill = progress(engine)
            assert at_kill.lease_holder is not None
            victim = fleet.by_pid(int(at_kill.lease_holder.rsplit(":", 1)[1]))
            assert victim is not None, at_kill
            victim.kill()
            killed = time.monotonic()

            # Another replica takes the mailbox over once the lease runs out.
            assert wait_until(
                lambda: progress(engine).lease_holder not in (None, at_kill.lease_holder), 15
            ), fleet.logs()
            takeover = time.monotonic() - killed

            def finished() -> bool:
                now = progress(engine)
                # Every inbound message queues one answer: 2 × MESSAGES rows in all.
                return now.inbound >= MESSAGES and now.outbox.get("sent", 0) >= 2 * MESSAGES

            assert wait_until(finished, 40, 0.1), f"{progress(engine)}\n{fleet.logs()}"
            done = time.monotonic()
            survivors = [p for p in fleet.processes if p is not victim]
            assert [p.stop() for p in survivors] == [0] * (REPLICAS - 1), fleet.logs()

        result = audit(mailstack, engine, [mid for mid, _raw in inbound], outbound)
    finally:
        engine.dispose()
    report = [
        f"3 replicas, {MESSAGES} inbound + {MESSAGES} outbox rows (+{MESSAGES} answers); "
        f"killed the poller at {at_kill.inbound} inbound, {at_kill.outbox}",
        f"takeover after {takeover:.1f} s (lease {PACE.lease_seconds} s); all done "
        f"{done - killed:.1f} s after the kill, {done - started:.1f} s in all",
        *result.lines(),
    ]
    print("\n".join(report))
    assert result.ok, "\n".join(report)
    assert result.inbound_recorded == MESSAGES
    # The lease runs out at most lease_seconds after the kill; a standby checks every third.
    assert takeover <= PACE.lease_seconds * 4 / 3 + 3, "the lease was taken over promptly"
    assert done - killed <= PACE.lease_seconds + PACE.claim_seconds + 15
