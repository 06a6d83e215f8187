"""Database faults survived by a running ``mailflow serve``: PostgreSQL restarted, SQLite disk full.

PostgreSQL restarted under a daemon handling mail: every inbound message is recorded once and
every outbox row sent once afterwards, the outage is logged once (not once per retry) and
``mailflow status`` works. The SQLite database on a tmpfs that fills up: the mail that arrives
meanwhile stays in the INBOX (neither lost nor quarantined), the failure is logged, and once space
is freed the daemon handles it by itself, exactly once. The PostgreSQL test runs its own cluster
(``tests.fixtures.private_pg``: initdb in a temporary directory, a free port), never the machine's
shared server; the SQLite test needs root (``mount``) and skips with the reason otherwise, and puts
the system back as it found it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from mailflow.cli import main
from mailflow.dev.devstack import BOT, MailStack
from mailflow.dev.devstack.audit import (
    append_all,
    audit,
    copies,
    enqueue_messages,
    progress,
    stop_request,
)
from mailflow.dev.devstack.fleet import Fleet, Pace, serve_env, wait_until
from mailflow.tracker.db import upgrade
from mailflow.tracker.models import InboundMessage
from tests.fixtures.private_pg import PrivateCluster

pytestmark = pytest.mark.integration

PACE = Pace(retry_base_seconds=0.2)


def _status(config: Path, password: str) -> str:
    env = {**serve_env(password), "COLUMNS": "250"}
    result = CliRunner().invoke(main, ["status", "--config", str(config)], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def _answers(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError:
        return False
    return True


def _count(log: str, *needles: str) -> int:
    return sum(1 for line in log.splitlines() if any(needle in line for needle in needles))


# --- PostgreSQL restarted -------------------------------------------------------------------


def test_postgresql_restarted_under_a_serving_daemon(
    mailstack: MailStack, tmp_path: Path, private_postgres: PrivateCluster
) -> None:
    # Our own cluster: the machine's shared PostgreSQL is never stopped or restarted.
    cluster = private_postgres
    server = cluster.server()
    url = server.create_migrated()
    # NullPool: every check opens a fresh connection, so the test's own reads survive the restart.
    engine = create_engine(url, poolclass=NullPool)
    before = [stop_request("pg-before", n) for n in range(3)]
    during = [stop_request("pg-during", n) for n in range(5)]
    after = [stop_request("pg-after", n) for n in range(5)]
    inbound_ids = [message_id for message_id, _raw in before + during + after]
    try:
        with Fleet(mailstack, url.render_as_string(hide_password=False), tmp_path, PACE) as fleet:
            [daemon] = fleet.start()
            assert daemon.wait_until_serving(), fleet.logs()
            tokens = enqueue_messages(engine, "pg-before", range(3))
            append_all(mailstack, (raw for _id, raw in before))
            assert wait_until(
                lambda: progress(engine).inbound == 3 and progress(engine).unfinished == 0, 30
            ), fleet.logs()

            # A plain restart is over before the daemon notices (pre-ping reconnects quietly)...
            cluster.restart()
            assert wait_until(lambda: _answers(engine), 30, interval=0.2)
            # ...so restart it once more with an outage of a few seconds in the middle, while mail
            # arrives: the daemon, polling every second, must meet the database gone.
            cluster.stop()
            append_all(mailstack, (raw for _id, raw in during))
            assert wait_until(lambda: "failed" in daemon.log_text(), 15), fleet.logs()
            time.sleep(3)  # several retry periods of the poller and the flush job
            cluster.start()
            # More work once it is back: mail and outbox rows.
            assert wait_until(lambda: _answers(engine), 30, interval=0.2)
            append_all(mailstack, (raw for _id, raw in after))
            tokens += enqueue_messages(engine, "pg-after", range(3, 8))

            assert wait_until(
                lambda: (
                    progress(engine).inbound == len(inbound_ids)
                    and progress(engine).unfinished == 0
                ),
                45,
                interval=0.2,
            ), fleet.logs()
            shown = _status(fleet.config_path, mailstack.password)
            assert daemon.running, fleet.logs()
            assert daemon.stop() == 0, fleet.logs()
            log = daemon.log_text()
        result = audit(mailstack, engine, inbound_ids, tokens)
    finally:
        engine.dispose()
        if not cluster.running():
            cluster.start()
        with contextlib.suppress(SQLAlchemyError):
            server.drop(url)
        server.close()
    assert result.ok, "\n".join(result.lines())
    assert not result.answers.duplicates and not result.outbound.duplicates, result.lines()
    assert "outbox" in shown.lower(), shown
    # Logged once per outage by each part that met it, then its end, not once per retry.
    assert _count(log, "job flush-outbox failed") == 1, log
    assert _count(log, "inbox poll failed") == 1, log
    assert "job flush-outbox works again" in log, log
    assert "inbox reachable again" in log, log


# --- SQLite disk full ------------------------------------------------------------------------


def _fill(directory: Path) -> Path:
    """Write a filler file until the filesystem refuses another byte."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (1 << 16, 1 << 12, 1):
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * size)
    return filler


def test_sqlite_disk_full_keeps_mail_in_the_inbox_until_space_is_freed(
    mailstack: MailStack, tmp_path: Path
) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tiny tmpfs for the SQLite database needs root and mount(8)")
    volume = tmp_path / "volume"
    volume.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(volume)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    before = [stop_request("full-before", n) for n in range(2)]
    during = [stop_request("full-during", n) for n in range(4)]
    inbound_ids = [message_id for message_id, _raw in before + during]
    url = f"sqlite:///{volume / 'mailflow.db'}"
    engine = create_engine(url, poolclass=NullPool)
    try:
        upgrade(url)
        with Fleet(mailstack, url, tmp_path, PACE) as fleet:
            [daemon] = fleet.start()
            assert daemon.wait_until_serving(), fleet.logs()
            append_all(mailstack, (raw for _id, raw in before))
            assert wait_until(
                lambda: progress(engine).inbound == 2 and progress(engine).unfinished == 0, 30
            ), fleet.logs()

            filler = _fill(volume)
            append_all(mailstack, (raw for _id, raw in during))
            assert wait_until(lambda: "failed" in daemon.log_text(), 15), fleet.logs()
            time.sleep(3)  # several polls meet the full disk
            # Nothing was recorded, lost or quarantined: the mail waits in the INBOX.
            assert progress(engine).inbound == 2, fleet.logs()
            waiting = {c.message_id for c in copies(mailstack, [BOT])}
            assert waiting == {message_id for message_id, _raw in during}, fleet.logs()
            assert copies(mailstack, [BOT], "mailflow/quarantine") == [], fleet.logs()

            filler.unlink()
            assert wait_until(
                lambda: (
                    progress(engine).inbound == len(inbound_ids)
                    and progress(engine).unfinished == 0
                ),
                30,
                interval=0.2,
            ), fleet.logs()
            shown = _status(fleet.config_path, mailstack.password)
            assert daemon.running, fleet.logs()
            assert daemon.stop() == 0, fleet.logs()
            log = daemon.log_text()
        result = audit(mailstack, engine, inbound_ids, [])
        with Session(engine) as session:
            keys = list(session.scalars(select(InboundMessage.message_key)))
    finally:
        engine.dispose()
        subprocess.run(["umount", str(volume)], capture_output=True, timeout=30, check=False)
        if os.path.ismount(volume):
            subprocess.run(["umount", "-l", str(volume)], capture_output=True, timeout=30)
    assert result.ok, "\n".join(result.lines())
    assert sorted(keys) == sorted(inbound_ids), "each message recorded exactly once"
    assert not result.answers.duplicates, result.lines()
    assert "outbox" in shown.lower(), shown
    # A full database cannot record its own error for `mailflow status`: the log has it, once per
    # outage (the reconnects during it succeed, so only a whole poll ends it), and work resumes.
    assert "database or disk is full" in log, log
    assert _count(log, "inbox poll failed") == 1, log
    assert _count(log, "inbox reachable again") == 1, log
