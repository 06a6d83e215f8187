"""Shared fixtures: a mailflow Config pointing at the loopback mail stack and the test database.

The database (``tests.fixtures.db``) and mail stack (``tests.fixtures.mailstack``) fixtures are
loaded as plugins from pyproject's ``addopts``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Generator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pluggy
import pytest
from sqlalchemy.engine import Engine

from mailflow.config.schema import (
    CalendarSettings,
    Config,
    DatabaseSettings,
    MailSettings,
    PeopleSettings,
    Person,
    ScheduleSettings,
    Secret,
)
from mailflow.dev.devstack import MailStack

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
# Set by .ci/run (and by CI services): every test must run, a skip is a failure with its reason.
NO_SKIPS_ENV = "MAILFLOW_TEST_NO_SKIPS"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    """Under CI a skipped test (no Dovecot, no PostgreSQL, no Chromium, not root...) fails.

    The suite's skips all say what is missing; on a developer's laptop that is enough, but CI
    installs everything, so a skip there means a test that silently stopped running.
    """
    outcome = yield
    report = outcome.get_result()
    if report.skipped and (os.environ.get(NO_SKIPS_ENV) or os.environ.get("CI")):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped where every test must run ({NO_SKIPS_ENV}): {reason}"


class SteppingClock:
    """A clock the test moves by hand: time is an argument, never a sleep."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(datetime(2025, 3, 10, 1, 0, tzinfo=UTC))


@pytest.fixture
def app_config(mailstack: MailStack, engine: Engine) -> Config:
    """A Config for the bot's mailbox on the loopback stack and the SQLite or PostgreSQL test DB."""
    return Config(
        mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
        imap=mailstack.imap_settings(),
        smtp=mailstack.smtp_settings(),
        database=DatabaseSettings(url=engine.url.render_as_string(hide_password=False)),
    )


def shanghai_config(
    app_config: Config, people: tuple[Person, ...], monkeypatch: pytest.MonkeyPatch
) -> Config:
    """The end-to-end tests' organisation: Shanghai time, China's business calendar, ``people``,
    and a reply-token secret (from the environment, as in production)."""
    monkeypatch.setenv("MF_TEST_TOKEN_SECRET", "s3cret-for-tokens")
    return dataclasses.replace(
        app_config,
        mail=dataclasses.replace(
            app_config.mail, token_secret=Secret("mail.token_secret", env="MF_TEST_TOKEN_SECRET")
        ),
        schedule=ScheduleSettings(
            timezone="Asia/Shanghai", calendar=CalendarSettings(country="CN")
        ),
        people=PeopleSettings(people=people),
    )


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (it ships beside the repository)")
    return CORPUS


def offline_config_text(database: Path, more: str = "") -> str:
    """A config file's text for CLI tests that never reach a mail server, with ``more`` after.

    The servers are loopback ports nothing listens on; the database is a SQLite file.
    """
    return f"""
[mail]
domain = "example.test"
bot_address = "bot@example.test"
[imap]
host = "127.0.0.1"
port = 1143
security = "plain"
user = "bot@example.test"
password_env = "UNUSED_IMAP_PASSWORD"
[smtp]
host = "127.0.0.1"
port = 1025
security = "plain"
[database]
url = "sqlite:///{database}"
{more}"""


def invite_bot(ics: bytes, bot: str) -> bytes:
    """A real calendar file with the bot added as an attendee of each event, as an organiser does
    when inviting mailflow (mailflow takes a REQUEST only when it is invited)."""
    line = f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{bot}".encode()
    return re.sub(rb"(\r?\n)END:VEVENT", lambda m: m.group(1) + line + m.group(0), ics)
