"""The ``mailflow`` command line as a user runs it: config check, db upgrade, serve, status."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, select

from mailflow.cli import main
from mailflow.devstack import BOT, MailStack
from mailflow.devstack.__main__ import PASSWORD_ENV, config_toml
from mailflow.tracker.models import InboundMessage

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
    assert "inbound uid=1 key=<ooo-1@example.test> kind=auto_reply outcome=ignored" in log
    assert mailstack.password not in log, "no secret in the log"

    status = CliRunner().invoke(main, ["status", "--config", str(config)], env=env)
    assert status.exit_code == 0, status.output
    assert "auto_reply" in status.output and "ignored" in status.output
