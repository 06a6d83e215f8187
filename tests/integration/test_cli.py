"""The ``mailflow`` command line as a user runs it: config check, db upgrade, serve, status."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, select

from mailflow.cli import main
from mailflow.dev.devstack import BOT, MailStack
from mailflow.dev.devstack.__main__ import PASSWORD_ENV, config_toml
from mailflow.tracker.models import InboundMessage, Meeting, OutboxRow
from tests.conftest import offline_config_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "mailflow.example.toml"


def test_example_config_passes_check() -> None:
    result = CliRunner().invoke(main, ["config", "check", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_broken_config_is_reported_key_by_key(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('password_env = "MAILFLOW_IMAP_PASSWORD"', 'password = "hunter2"', 1)
    text = text.replace("[imap]\n", "[imap]\nhots = 1\n", 1)
    broken = tmp_path / "broken.toml"
    broken.write_text(text, encoding="utf-8")

    result = CliRunner().invoke(main, ["config", "check", str(broken)])

    assert result.exit_code == 1
    assert "imap.password" in result.output and "secret" in result.output
    assert "imap.hots" in result.output and "host" in result.output
    assert "hunter2" not in result.output, "a secret is never echoed back"


def test_serve_refuses_an_invalid_config_with_the_same_report(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("port = 993", "port = 99999", 1),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["serve", "--config", str(broken)])
    assert result.exit_code == 2
    assert "imap.port" in result.output


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mf.db'}"
    result = CliRunner().invoke(main, ["db", "upgrade", "--url", url])
    assert result.exit_code == 0, result.output
    assert "database at revision" in result.output
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(select(InboundMessage)).all() == []
    finally:
        engine.dispose()


def _wait_for_processed(stack: MailStack, timeout: float = 20.0) -> None:
    # The daemon creates the processed folder when it starts: wait for it, then for the message.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with stack.imap(BOT) as client:
            if client.folder_exists("mailflow/processed"):
                break
        time.sleep(0.05)  # waiting on another process, bounded by the deadline
    stack.wait_for_messages(BOT, 1, folder="mailflow/processed", timeout=timeout)


def test_serve_handles_mail_then_stops_on_sigterm(mailstack: MailStack, tmp_path: Path) -> None:
    """The real daemon process: a mail sent over SMTP is recorded; SIGTERM stops it cleanly."""
    db_path = tmp_path / "mailflow.db"
    config = tmp_path / "mailflow.toml"
    config.write_text(config_toml(mailstack, f"sqlite:///{db_path}"), encoding="utf-8")
    env = {**os.environ, PASSWORD_ENV: mailstack.password}
    daemon = subprocess.Popen(
        [sys.executable, "-m", "mailflow.cli", "serve", "--config", str(config)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        mailstack.send(
            b"From: alice@example.test\r\nTo: bot@example.test\r\nSubject: OOO\r\n"
            b"Message-ID: <ooo-1@example.test>\r\nAuto-Submitted: auto-replied\r\n\r\naway\r\n",
            "alice@example.test",
            [BOT],
        )
        _wait_for_processed(mailstack)
    finally:
        daemon.send_signal(signal.SIGTERM)
        started = time.monotonic()
        _, log = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, log
    assert time.monotonic() - started < 15, "SIGTERM stops the daemon promptly"
    # Any UID: earlier tests may have used the mailbox, and UIDs never go back.
    assert re.search(
        r"inbound uid=\d+ key=<ooo-1@example.test> kind=auto_reply outcome=ignored", log
    )
    assert mailstack.password not in log, "no secret in the log"

    status = CliRunner().invoke(main, ["status", "--config", str(config)], env=env)
    assert status.exit_code == 0, status.output
    assert "auto_reply" in status.output and "ignored" in status.output


def _meeting_setup(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "mailflow.toml"
    config.write_text(
        offline_config_text(
            tmp_path / "mf.db",
            """[schedule]
timezone = "Asia/Shanghai"
[[people.person]]
email = "alice@example.test"
name = "Alice Wang"
locale = "en"
timezone = "Europe/London"
[[people.person]]
email = "bob@example.test"
name = "张伟"
aliases = ["bob"]
locale = "zh_CN"
""",
        ),
        encoding="utf-8",
    )
    # A date well ahead of today, so the meeting is never in the past whenever the suite runs.
    start = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%dT09:30:00")
    meeting = tmp_path / "meeting.toml"
    meeting.write_text(
        f"""
title = "Budget review 预算评审"
start = {start}
duration = 45
timezone = "Asia/Shanghai"
organiser = "alice@example.test"
attendees = ["@bob", "Guest <guest@partner.example>"]
[[agenda]]
topic = "Budget 预算"
owner = "@bob"
minutes = 30
""",
        encoding="utf-8",
    )
    return config, meeting


def test_meeting_preview_writes_one_eml_per_attendee(tmp_path: Path) -> None:
    config, meeting = _meeting_setup(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["meeting", "preview", str(meeting), "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.eml"))
    # The organiser gets mailflow's invitation too, as its chair.
    assert [f.name for f in files] == [
        "01-alice@example.test.eml",
        "02-bob@example.test.eml",
        "03-guest@partner.example.eml",
    ]
    to_bob = message_from_bytes(files[1].read_bytes(), policy=policy.default)
    assert str(to_bob["Subject"]).startswith("会议通知：Budget review 预算评审")
    methods = [
        p.get_param("method") for p in to_bob.walk() if p.get_content_type() == "text/calendar"
    ]
    assert methods == ["REQUEST"]
    assert any(p.get_filename() == "invite.ics" for p in to_bob.walk())


def test_meeting_add_stores_once_and_queues_the_receipt(tmp_path: Path) -> None:
    config, meeting = _meeting_setup(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["meeting", "add", str(meeting), "--config", str(config)])
    again = runner.invoke(main, ["meeting", "add", str(meeting), "--config", str(config)])
    assert first.exit_code == 0, first.output
    assert "created" in first.output
    assert again.exit_code == 0 and "updated" in again.output
    engine = create_engine(f"sqlite:///{tmp_path / 'mf.db'}")
    try:
        with engine.connect() as connection:
            meetings = connection.execute(select(Meeting.title, Meeting.invite_sequence)).all()
            receipts = connection.execute(
                select(OutboxRow.recipients).where(OutboxRow.kind == "receipt")
            ).all()
    finally:
        engine.dispose()
    assert meetings == [("Budget review 预算评审", 0)], (
        "the same file twice: one meeting, no change"
    )
    assert [r.recipients for r in receipts] == [["alice@example.test"]]


def test_meeting_add_refuses_an_unknown_attendee(tmp_path: Path) -> None:
    config, meeting = _meeting_setup(tmp_path)
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("@bob", "@nobody"), "utf-8")
    result = CliRunner().invoke(main, ["meeting", "add", str(meeting), "--config", str(config)])
    assert result.exit_code == 1
    assert "nobody" in result.output
