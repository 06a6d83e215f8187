"""The configuration as frozen, typed value objects, and the rules each key of the file obeys.

`config/mailflow.example.toml` documents every key. Each table of the file is a frozen dataclass
here, and each field says its type, default and checks at once: ``port: Annotated[int,
between(1, 65535)]``. :mod:`mailflow.config.load` validates a TOML file against :class:`Config`
with pydantic; code that builds these objects itself (tests, the demo) gets plain dataclasses and
no checks. The validators are in :mod:`~mailflow.config.fields` (kinds of value), and
:mod:`~mailflow.config.rules`, :mod:`~mailflow.config.schedule`, :mod:`~mailflow.config.person`
and :mod:`~mailflow.config.people` (checks of one table). Secrets are never stored in the file: a
:class:`Secret` names an environment variable, a file or a command and is resolved only when used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal

from mailflow.config import rules, schedule
from mailflow.config.fields import (
    LOCALES,
    Check,
    Email,
    FileName,
    Flag,
    IsoDate,
    Lower,
    NoRepeats,
    NotInFile,
    OptionalText,
    Positive,
    Text,
    WeekdayItem,
    Zone,
    between,
    clock,
    later_than,
    longer_than,
    one_of,
    relative_path,
    table,
    weekday,
)
from mailflow.config.fields import WEEKDAYS as WEEKDAYS
from mailflow.config.fields import Weekday as Weekday
from mailflow.config.people import directory, people_file
from mailflow.config.person import HEAD_ROLES as HEAD_ROLES
from mailflow.config.person import Person as Person
from mailflow.config.person import is_head as is_head
from mailflow.config.secret import NO_SECRET as NO_SECRET
from mailflow.config.secret import Secret as Secret
from mailflow.config.secret import secret

Security = Literal["tls", "starttls", "plain"]
SECURITIES: tuple[Security, ...] = ("tls", "starttls", "plain")
Auth = Literal["password", "xoauth2"]
AUTHS: tuple[Auth, ...] = ("password", "xoauth2")

# Without a security, tls for IMAP and starttls for SMTP; the port is that security's usual one.
_IMAP_DEFAULTS = rules.server_defaults({"tls": 993, "starttls": 143, "plain": 143}, "tls")
_SMTP_DEFAULTS = rules.server_defaults({"tls": 465, "starttls": 587, "plain": 25}, "starttls")
_Time = Annotated[time, clock()]
_TimeOrOff = Annotated[time | None, clock(optional=True)]


@table
@dataclass(frozen=True)
class MailSettings:
    domain: Annotated[str, Text, Lower, rules.Domain]
    bot_address: Annotated[str, Text, Email, rules.RelatedToDomain]
    bot_name: Annotated[str, Text] = "mailflow"
    default_locale: Annotated[str, one_of(LOCALES)] = "en"
    # Optional until reply-token signing lands (the devstack config has none); then pass
    # needed_for= so a config without it is refused.
    token_secret: Annotated[Secret, secret()] = NO_SECRET
    require_authenticated_senders: Annotated[bool, Flag] = False
    # The authserv-ids our own receiving servers write in Authentication-Results (RFC 8601).
    authserv_ids: Annotated[tuple[Annotated[str, rules.AuthservId], ...], rules.AuthservNeeded] = ()
    max_message_bytes: Annotated[int, between()] = 25 * 1024 * 1024
    # Domains that are the same mailboxes under another name: (alias, canonical) pairs, so
    # alice@example.cn is alice@example.com when answering, organising or owning.
    alias_domains: Annotated[tuple[tuple[str, str], ...], rules.AliasDomains] = ()


@table
@dataclass(frozen=True)
class Folders:
    inbox: Annotated[str, Text] = "INBOX"
    processed: Annotated[str, Text] = "mailflow/processed"
    quarantine: Annotated[str, Text, rules.ThreeFolders] = "mailflow/quarantine"


@table
@dataclass(frozen=True)
class ImapSettings:
    host: Annotated[str, Text]
    port: Annotated[int, between(1, 65535)]
    security: Annotated[Security, one_of(SECURITIES), rules.Encrypted]
    user: Annotated[str, Text]
    password: Annotated[Secret, secret("IMAP needs a password to log in")] = NO_SECRET
    folders: Folders = field(default_factory=Folders)
    idle: Annotated[bool, Flag] = True
    # RFC 2177: servers may drop an IDLE after 30 minutes, so clients renew it within 29.
    idle_timeout_seconds: Annotated[int, between(1, 29 * 60)] = 300
    poll_interval_seconds: Annotated[int, between()] = 30
    batch_size: Annotated[int, between()] = 200
    # At most this many bytes of mail are fetched for one batch (a big message alone).
    batch_bytes: Annotated[int, between(1024 * 1024)] = 64 * 1024 * 1024
    timeout_seconds: Annotated[float, Positive] = 30.0
    # Replicas on one PostgreSQL: the mailbox lease's time to live (``tracker.leases``). A poll
    # renews it between IMAP commands, so one slow command must not outlast it.
    lease_seconds: Annotated[int, between(3, 3600), longer_than("timeout_seconds")] = 60
    # "password" (LOGIN) or "xoauth2" (the secret is an OAuth2 access token: Gmail, Microsoft 365).
    auth: Annotated[Auth, one_of(AUTHS)] = "password"
    # Worker processes that parse a backlog's next batch while one is applied (inbound.prepare).
    parse_workers: Annotated[int, between(0, 32)] = 1


@table
@dataclass(frozen=True)
class SmtpSettings:
    host: Annotated[str, Text]
    port: Annotated[int, between(1, 65535)]
    security: Annotated[Security, one_of(SECURITIES), rules.Encrypted]
    user: Annotated[str | None, OptionalText] = None
    password: Annotated[Secret, secret(), rules.Login] = NO_SECRET
    max_per_recipient_per_hour: Annotated[int, between()] = 20
    batch_size: Annotated[int, between()] = 100
    timeout_seconds: Annotated[float, Positive] = 30.0
    max_attempts: Annotated[int, between()] = 8
    # How long a claimed outbox row is reserved for the replica sending it. A claim that runs out
    # while the server still answers lets another replica send again.
    claim_seconds: Annotated[int, between(2, 24 * 3600), longer_than("timeout_seconds")] = 300
    # First delay before a row that failed temporarily is tried again; it doubles each time.
    retry_base_seconds: Annotated[float, Positive] = 30.0
    # Worker processes rendering the next full batch while one is sent
    # (outbound.delivery.render_ahead).
    render_workers: Annotated[int, between(0, 32)] = 1
    # "password" (AUTH PLAIN/LOGIN) or "xoauth2" (the secret is an OAuth2 access token).
    auth: Annotated[Auth, one_of(AUTHS), rules.UserForToken] = "password"


@table
@dataclass(frozen=True)
class DatabaseSettings:
    # A relative sqlite:/// path is relative to the config file; postgresql:// means psycopg.
    url: Annotated[str, rules.DatabaseUrl] = "sqlite:///mailflow.db"


@table
@dataclass(frozen=True)
class CalendarSettings:
    """Business days: the `holidays` package for a country, plus company overrides."""

    country: Annotated[str | None, OptionalText, schedule.Country] = None
    subdivision: Annotated[str | None, OptionalText, schedule.Subdivision] = None
    extra_holidays: Annotated[tuple[Annotated[date, IsoDate], ...], schedule.Ascending] = ()
    extra_working_days: Annotated[
        tuple[Annotated[date, IsoDate], ...], schedule.Ascending, schedule.NotHolidays
    ] = ()
    weekend: Annotated[tuple[Annotated[Weekday, WeekdayItem], ...], NoRepeats, schedule.Weekend] = (
        "sat",
        "sun",
    )


@table
@dataclass(frozen=True)
class EscalationSettings:
    level2_after_hours: Annotated[int, between()] = 24
    level3_after_hours: Annotated[int, between(), later_than("level2_after_hours")] = 48


@table
@dataclass(frozen=True)
class DigestSettings:
    daily_time: _TimeOrOff = None
    weekly_day: Annotated[Weekday | None, weekday(optional=True)] = "mon"
    weekly_time: Annotated[time | None, clock(optional=True), schedule.WeeklyTime] = time(8, 0)


@table
@dataclass(frozen=True)
class ScheduleSettings:
    timezone: Annotated[str, Text, Zone] = "UTC"
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    notice_lead_business_days: Annotated[int, between(1, 2)] = 1
    notice_send_time: _Time = time(9, 0)
    minutes_deadline_hours: Annotated[int, between()] = 24
    # Business days before a due date, each ≥ 0 and listed once; kept latest first.
    reminder_offsets_business_days: Annotated[
        tuple[Annotated[int, schedule.Offset], ...], NoRepeats, schedule.Descending
    ] = (3, 1)
    weekly_progress_day: Annotated[Weekday, weekday()] = "fri"
    weekly_progress_time: _Time = time(15, 0)
    weekly_progress_due_time: Annotated[time, clock(), later_than("weekly_progress_time")] = time(
        17, 0
    )
    quiet_hours_start: _TimeOrOff = time(20, 0)
    quiet_hours_end: Annotated[time | None, clock(optional=True), schedule.QuietHoursEnd] = time(
        8, 0
    )
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    # Acceptance (成果验收): a rejected deliverable is due again this many business days later;
    # an acceptor who has not answered in this many business days is reminded, then escalated.
    rework_business_days: Annotated[int, between(1, 60)] = 3
    acceptance_reminder_business_days: Annotated[int, between(1, 30)] = 2
    # At risk (进度滞后): an open item whose progress lags the elapsed share of its time by more
    # than this many points; its coordinator must record a talk with the owner (约谈) within
    # ``talk_within_hours`` or the owner's executive is told.
    at_risk_lag_points: Annotated[int, between(1, 100)] = 20
    talk_within_hours: Annotated[int, between(1, 240)] = 24
    # Collaboration requests (协作需求单): an urgent request its receiver has not answered
    # (CONFIRM/REASSIGN/DECLINE or any update) is reminded after this many hours; a normal or
    # low one on the next business day, at ``notice_send_time``.
    urgent_request_reminder_hours: Annotated[int, between(1, 72)] = 4
    poll_interval_seconds: Annotated[int, between()] = 30
    plan_interval_seconds: Annotated[int, between()] = 60
    flush_interval_seconds: Annotated[int, between()] = 10


@table
@dataclass(frozen=True)
class PeopleSettings:
    file: Annotated[Path | None, relative_path(), Check("after", people_file)] = None
    # Written [[people.person]]; after loading, the people of the file and then these.
    people: Annotated[tuple[Person, ...], FileName("person"), Check("after", directory)] = ()


@table
@dataclass(frozen=True)
class MeetingSettings:
    """Who may run meetings through mailflow, and how much one meeting may ask of it."""

    # Other addresses that count as mailflow when invited (a shared mailbox delivered to its inbox).
    mailboxes: tuple[Annotated[str, rules.Mailbox], ...] = ()
    # Organiser -> the people who may change or cancel their meetings for them (assistants).
    delegates: Annotated[tuple[tuple[str, tuple[str, ...]], ...], rules.Delegates] = ()
    # A rule repeating more often than this in one day is refused (BYHOUR/BYMINUTE expansions).
    max_occurrences_per_day: Annotated[int, between(1, 24)] = 1
    # A rule with more occurrences than this in any one year from its start is refused.
    max_occurrences_per_year: Annotated[int, between(1, 10_000)] = 366
    # Notices enqueued by one planning pass; the rest wait for the next pass.
    max_notices_per_pass: Annotated[int, between()] = 2000


@table
@dataclass(frozen=True)
class LoggingSettings:
    level: Annotated[
        Literal["debug", "info", "warning", "error"], one_of(("debug", "info", "warning", "error"))
    ] = "info"
    format: Annotated[Literal["human", "json"], one_of(("human", "json"))] = "human"


@table
@dataclass(frozen=True)
class MetricsSettings:
    """The opt-in Prometheus endpoint, served on 127.0.0.1 only; port 0 (the default) is off."""

    port: Annotated[int, between(0, 65535)] = 0


@table
@dataclass(frozen=True)
class ArchiveSettings:
    """Where a project's archive (归档) is written when it closes, and the largest one mailed to
    its coordinator as an attachment (a larger one is named by its path instead)."""

    # Relative to the config file: "archives" beside it when unset.
    dir: Annotated[Path, relative_path("archives")] = Path("archives")
    mail_max_bytes: Annotated[int, between(0)] = 10 * 1024 * 1024


@table
@dataclass(frozen=True)
class WebSettings:
    """The read-only web board (``mailflow web``) and the links to it that mails carry."""

    # Public URL of the board, e.g. "https://board.example.org"; "" means mails carry no links.
    base_url: Annotated[str, OptionalText, rules.BaseUrl] = ""
    host: Annotated[str, Text] = "127.0.0.1"
    port: Annotated[int, between(1, 65535)] = 8080
    # Signs the board's links and sessions. Optional here: `mailflow web` refuses to start
    # without it; without it the daemon's mails carry no links.
    secret_key: Annotated[Secret, secret()] = NO_SECRET
    # Lifetime of the signed links in mails.
    link_days: Annotated[int, between(1, 366)] = 30
    # The header a reverse proxy sets to the signed-in user's email (SSO); "" means off.
    trusted_user_header: Annotated[str, OptionalText, rules.HeaderName] = ""
    rate_limit_per_minute: Annotated[int, between()] = 120


@table
@dataclass(frozen=True)
class Config:
    mail: MailSettings
    imap: Annotated[ImapSettings, _IMAP_DEFAULTS]
    smtp: Annotated[SmtpSettings, _SMTP_DEFAULTS]
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    people: PeopleSettings = field(default_factory=PeopleSettings)
    meetings: MeetingSettings = field(default_factory=MeetingSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    web: WebSettings = field(default_factory=WebSettings)
    # Your own templates, relative to the config file; None: only the built-in ones.
    templates_dir: Annotated[Path | None, relative_path(), rules.IsDir] = None
    # The file the config was read from, set by the loader (never a key of the file).
    source: Annotated[Path | None, NotInFile] = None
