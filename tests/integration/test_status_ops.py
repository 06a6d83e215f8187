"""``mailflow status`` shows the health figures, and never a secret (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from rich.console import Console
from sqlalchemy import URL
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import (
    Config,
    DatabaseSettings,
    ImapSettings,
    MailSettings,
    Secret,
    SmtpSettings,
)
from mailflow.status import print_status
from tests.conftest import SteppingClock
from tests.integration.test_metrics import NOW, fill_tracker

DB_PASSWORD, IMAP_PASSWORD = "db-hunter2-secret", "imap-hunter3-secret"


def _status(config: Config) -> str:
    out = io.StringIO()
    print_status(config, Console(file=out, width=200), SteppingClock(NOW + timedelta(minutes=1)))
    return out.getvalue()


def test_health_figures_and_no_secret(
    migrated_db_url: URL,
    db_backend: str,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MF_TEST_IMAP_PASSWORD", IMAP_PASSWORD)
    url = migrated_db_url
    if db_backend == "postgresql":
        # The test server trusts loopback, so it ignores the password; the URL still carries one.
        url = url.set(password=DB_PASSWORD)
    config = Config(
        mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
        imap=ImapSettings(
            "127.0.0.1",
            143,
            "plain",
            "bot",
            password=Secret("imap.password", env="MF_TEST_IMAP_PASSWORD"),
        ),
        smtp=SmtpSettings("127.0.0.1", 25, "plain"),
        database=DatabaseSettings(url=url.render_as_string(hide_password=False)),
    )
    with session_factory() as session, session.begin():
        fill_tracker(session)

    shown = _status(config)

    assert DB_PASSWORD not in shown and IMAP_PASSWORD not in shown
    if db_backend == "postgresql":
        assert "***" in shown, "the URL is shown with its password hidden"
    assert "2025-03-12 01:59:30 UTC (1 min ago)" in shown, "last successful poll"
    assert "2025-03-12 01:55:00 UTC (6 min ago)" in shown, "last successful send"
    assert "2 row(s); oldest planned 2025-03-11 23:00:00 UTC (3 h ago)" in shown
    assert "due since 2025-03-12 01:00:00 UTC (1 h ago)" in shown
    assert "2 item(s) at level 2 or 3" in shown
    assert "inbox backlog" in shown and "0 message(s)" in shown
