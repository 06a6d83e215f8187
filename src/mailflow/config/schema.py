"""The configuration as frozen, typed value objects.

`config/mailflow.example.toml` documents every key; :mod:`mailflow.config.load` reads a TOML file
into these objects and reports every problem with its key path. Secrets are never stored in the
file: a :class:`Secret` names an environment variable or a file and is resolved only when used.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Literal

from mailflow.errors import ConfigError, ConfigProblem
from mailflow.text_forms import normalise

Security = Literal["tls", "starttls", "plain"]
Auth = Literal["password", "xoauth2"]
AUTHS: tuple[Auth, ...] = ("password", "xoauth2")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Secret:
    """Where a password lives: an environment variable, a file or a command's output, never the
    config itself.

    A command (``password_command``) is how mail clients fetch an OAuth2 access token (mutt's
    ``oauthbearer_refresh_command``, msmtp's ``passwordeval``): a helper such as ``oama`` or
    ``gcloud auth print-access-token`` prints a fresh one each time it is run.
    """

    key: str
    env: str | None = None
    file: Path | None = None
    command: tuple[str, ...] | None = None

    def reveal(self) -> str:
        """The secret's value. Raises ConfigError naming the key when it cannot be read."""
        if self.env is not None:
            value = os.environ.get(self.env)
            if value is None:
                raise ConfigError(
                    [ConfigProblem(self.key, f"environment variable {self.env} is not set")]
                )
            return value
        if self.file is not None:
            try:
                return self.file.read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise ConfigError(
                    [ConfigProblem(self.key, f"cannot read {self.file}: {exc.strerror}")]
                ) from exc
        if self.command is not None:
            return self._run()
        return ""

    @property
    def fresh(self) -> bool:
        """Read again at every login (a command's token expires); env and files once at start."""
        return self.command is not None

    def _run(self) -> str:
        assert self.command is not None
        try:
            done = subprocess.run(
                self.command, capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(
                [ConfigProblem(self.key, f"command {self.command[0]!r} failed: {exc}")]
            ) from exc
        value = done.stdout.strip()
        if done.returncode != 0 or not value:
            # The helper's own message, never its output: that would be the secret.
            said = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
            raise ConfigError(
                [
                    ConfigProblem(
                        self.key,
                        f"command {self.command[0]!r} exited {done.returncode}: {said}",
                    )
                ]
            )
        return value

    def __repr__(self) -> str:  # never print the value, only where it comes from
        where = f"file={str(self.file) if self.file else None!r}"
        if self.command is not None:
            where += f", command={self.command[0]!r}"
        return f"Secret(env={self.env!r}, {where})"


NO_SECRET = Secret(key="")


@dataclass(frozen=True)
class MailSettings:
    domain: str
    bot_address: str
    bot_name: str = "mailflow"
    default_locale: str = "en"
    token_secret: Secret = NO_SECRET
    require_authenticated_senders: bool = False
    # The authserv-ids our own receiving servers write in Authentication-Results (RFC 8601).
    authserv_ids: tuple[str, ...] = ()
    max_message_bytes: int = 25 * 1024 * 1024
    # Domains that are the same mailboxes under another name: (alias, canonical) pairs, so
    # alice@example.cn is alice@example.com when answering, organising or owning.
    alias_domains: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Folders:
    inbox: str = "INBOX"
    processed: str = "mailflow/processed"
    quarantine: str = "mailflow/quarantine"


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: Security
    user: str
    password: Secret = NO_SECRET
    folders: Folders = field(default_factory=Folders)
    idle: bool = True
    idle_timeout_seconds: int = 300
    poll_interval_seconds: int = 30
    batch_size: int = 200
    # At most this many bytes of mail are fetched for one batch (a big message alone).
    batch_bytes: int = 64 * 1024 * 1024
    timeout_seconds: float = 30.0
    # Replicas on one PostgreSQL: the mailbox lease's time to live (``tracker.leases``).
    lease_seconds: int = 60
    # "password" (LOGIN) or "xoauth2" (the secret is an OAuth2 access token: Gmail, Microsoft 365).
    auth: Auth = "password"
    # Worker processes that parse a backlog's next batch while one is applied (inbound.prepare).
    parse_workers: int = 1


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    user: str | None = None
    password: Secret = NO_SECRET
    max_per_recipient_per_hour: int = 20
    batch_size: int = 100
    timeout_seconds: float = 30.0
    max_attempts: int = 8
    # How long a claimed outbox row is reserved for the replica sending it.
    claim_seconds: int = 300
    # First delay before a row that failed temporarily is tried again; it doubles each time.
    retry_base_seconds: float = 30.0
    # Worker processes rendering the next full batch while one is sent (outbound.render_ahead).
    render_workers: int = 1
    # "password" (AUTH PLAIN/LOGIN) or "xoauth2" (the secret is an OAuth2 access token).
    auth: Auth = "password"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///mailflow.db"


@dataclass(frozen=True)
class CalendarSettings:
    """Business days: the `holidays` package for a country, plus company overrides."""

    country: str | None = None
    subdivision: str | None = None
    extra_holidays: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()
    weekend: tuple[Weekday, ...] = ("sat", "sun")


@dataclass(frozen=True)
class EscalationSettings:
    level2_after_hours: int = 24
    level3_after_hours: int = 48


@dataclass(frozen=True)
class DigestSettings:
    daily_time: time | None = None
    weekly_day: Weekday | None = "mon"
    weekly_time: time | None = time(8, 0)


@dataclass(frozen=True)
class ScheduleSettings:
    timezone: str = "UTC"
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    notice_lead_business_days: int = 1
    notice_send_time: time = time(9, 0)
    minutes_deadline_hours: int = 24
    reminder_offsets_business_days: tuple[int, ...] = (3, 1)
    weekly_progress_day: Weekday = "fri"
    weekly_progress_time: time = time(15, 0)
    weekly_progress_due_time: time = time(17, 0)
    quiet_hours_start: time | None = time(20, 0)
    quiet_hours_end: time | None = time(8, 0)
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    # Acceptance (成果验收): a rejected deliverable is due again this many business days later;
    # an acceptor who has not answered in this many business days is reminded, then escalated.
    rework_business_days: int = 3
    acceptance_reminder_business_days: int = 2
    # At risk (进度滞后): an open item whose progress lags the elapsed share of its time by more
    # than this many points; its coordinator must record a talk with the owner (约谈) within
    # ``talk_within_hours`` or the owner's executive is told.
    at_risk_lag_points: int = 20
    talk_within_hours: int = 24
    # Collaboration requests (协作需求单): an urgent request its receiver has not answered
    # (CONFIRM/REASSIGN/DECLINE or any update) is reminded after this many hours; a normal or
    # low one on the next business day, at ``notice_send_time``.
    urgent_request_reminder_hours: int = 4
    poll_interval_seconds: int = 30
    plan_interval_seconds: int = 60
    flush_interval_seconds: int = 10


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    aliases: tuple[str, ...] = ()
    department: str | None = None
    role: str | None = None
    manager: str | None = None  # email of the person's executive / manager
    locale: str | None = None
    timezone: str | None = None


# Roles that make a person the head of their department, compared after `normalise`. Here, next
# to Person, because the people loader (two heads for one department) and the directory both ask.
HEAD_ROLES = frozenset({"head", "department head", "dept head", "负责人", "部门负责人"})


def is_head(person: Person) -> bool:
    """Whether ``person`` heads their department (their role is one of HEAD_ROLES)."""
    return person.role is not None and normalise(person.role) in HEAD_ROLES


@dataclass(frozen=True)
class PeopleSettings:
    file: Path | None = None
    people: tuple[Person, ...] = ()


@dataclass(frozen=True)
class MeetingSettings:
    """Who may run meetings through mailflow, and how much one meeting may ask of it."""

    # Other addresses that count as mailflow when invited (a shared mailbox delivered to its inbox).
    mailboxes: tuple[str, ...] = ()
    # Organiser -> the people who may change or cancel their meetings for them (assistants).
    delegates: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # A rule repeating more often than this in one day is refused (BYHOUR/BYMINUTE expansions).
    max_occurrences_per_day: int = 1
    # A rule with more occurrences than this in any one year from its start is refused.
    max_occurrences_per_year: int = 366
    # Notices enqueued by one planning pass; the rest wait for the next pass.
    max_notices_per_pass: int = 2000


@dataclass(frozen=True)
class LoggingSettings:
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["human", "json"] = "human"


@dataclass(frozen=True)
class MetricsSettings:
    """The opt-in Prometheus endpoint, served on 127.0.0.1 only; port 0 (the default) is off."""

    port: int = 0


@dataclass(frozen=True)
class ArchiveSettings:
    """Where a project's archive (归档) is written when it closes, and the largest one mailed to
    its coordinator as an attachment (a larger one is named by its path instead)."""

    dir: Path = Path("archives")
    mail_max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class Config:
    mail: MailSettings
    imap: ImapSettings
    smtp: SmtpSettings
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    people: PeopleSettings = field(default_factory=PeopleSettings)
    meetings: MeetingSettings = field(default_factory=MeetingSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    templates_dir: Path | None = None
    source: Path | None = None
