"""Read the TOML configuration into a :class:`~mailflow.config.schema.Config`, or say what is wrong.

Every problem is collected before anything is raised, so one run of ``mailflow config check``
lists them all, each with its key path (``imap.port``, ``schedule.calendar.extra_holidays[2]``)
and line. Relative paths are resolved against the config file's directory. Secrets are located
(``password_env`` / ``password_file``) but never read here: the variable may be unset on the
machine that checks the file, and a secret read early is a secret that can leak into a log.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from mailflow.config.locate import KeyLines, key_lines, syntax_error
from mailflow.config.people import PersonRecord, check_people, person_from_table, read_people_file
from mailflow.config.schedule import read_schedule
from mailflow.config.schema import (
    AUTHS,
    ArchiveSettings,
    Config,
    DatabaseSettings,
    Folders,
    ImapSettings,
    LoggingSettings,
    MailSettings,
    MeetingSettings,
    MetricsSettings,
    PeopleSettings,
    Security,
    SmtpSettings,
)
from mailflow.config.validate import LOCALES, Problems, Table, email_problem, is_loopback
from mailflow.errors import ConfigError, ConfigProblem

SECURITIES: tuple[Security, ...] = ("tls", "starttls", "plain")
_IMAP_PORTS: dict[Security, int] = {"tls": 993, "starttls": 143, "plain": 143}
_SMTP_PORTS: dict[Security, int] = {"tls": 465, "starttls": 587, "plain": 25}
_DB_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


def load_config(path: Path) -> Config:
    """Read and validate ``path``; raises ConfigError listing every problem found."""
    config, problems = _read(path)
    if problems or config is None:
        raise ConfigError(problems)
    return config


def check_config(path: Path) -> list[ConfigProblem]:
    """Every problem in ``path`` (and in the people file it names); empty when it is valid."""
    return _read(path)[1]


def config_from_mapping(
    data: Mapping[str, object], *, source: str | None = None, base_dir: Path
) -> Config:
    """Validate already-parsed data (tests, generated configs); raises ConfigError."""
    config, problems = _build(data, KeyLines(), source, base_dir)
    if problems:
        raise ConfigError(problems)
    return replace(config, source=Path(source)) if source else config


def _read(path: Path) -> tuple[Config | None, list[ConfigProblem]]:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        return None, [ConfigProblem("(file)", f"cannot read: {exc.strerror}", None, source)]
    except UnicodeDecodeError as exc:
        return None, [ConfigProblem("(file)", f"not UTF-8 (byte {exc.start})", None, source)]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = syntax_error(exc)
        return None, [ConfigProblem("(file)", message, line, source)]
    resolved = path.resolve()
    config, problems = _build(data, key_lines(text), source, resolved.parent)
    return replace(config, source=resolved), problems


def _build(
    data: Mapping[str, object], lines: KeyLines, source: str | None, base_dir: Path
) -> tuple[Config, list[ConfigProblem]]:
    problems = Problems(source, lines.find)
    root = Table(data, "", problems)
    templates_dir = root.file_path("templates_dir", base_dir)
    if templates_dir is not None and not templates_dir.is_dir():
        root.report("templates_dir", f"{templates_dir} is not a directory")
    config = Config(
        mail=_mail(root.table("mail"), base_dir),
        imap=_imap(root.table("imap"), base_dir),
        smtp=_smtp(root.table("smtp"), base_dir),
        database=_database(root.table("database"), base_dir),
        schedule=read_schedule(root.table("schedule")),
        people=_people(root.table("people"), base_dir),
        meetings=_meetings(root.table("meetings")),
        logging=_logging(root.table("logging")),
        metrics=_metrics(root.table("metrics")),
        archive=_archive(root.table("archive"), base_dir),
        templates_dir=templates_dir,
    )
    root.finish()
    # Problems come out in reading order; a person fixes a file top to bottom, and the main file
    # before the people file it names.
    problems.items.sort(key=lambda p: (p.source != source, p.source or "", p.line or 1 << 30))
    return config, problems.items


def _mail(t: Table, base_dir: Path) -> MailSettings:
    domain = t.need_text("domain").lower()
    # A domain is valid exactly when an address at it is, so one pattern serves both.
    if domain and email_problem(f"postmaster@{domain}"):
        t.report("domain", f"{domain!r} is not a domain name")
    bot_address = t.need_text("bot_address")
    if bot_address and (problem := email_problem(bot_address)):
        t.report("bot_address", problem)
    elif bot_address and domain:
        bot_domain = bot_address.rpartition("@")[2].lower()
        related = (
            bot_domain == domain,
            bot_domain.endswith(f".{domain}"),
            domain.endswith(f".{bot_domain}"),
        )
        # A subdomain either way is a common, deliberate set-up; an unrelated domain means replies
        # and Message-IDs would name a domain whose mail never reaches the bot.
        if not any(related):
            t.report(
                "bot_address", f"its domain {bot_domain!r} is unrelated to mail.domain {domain!r}"
            )
    settings = MailSettings(
        domain=domain,
        bot_address=bot_address,
        bot_name=t.text("bot_name", "mailflow") or "mailflow",
        default_locale=t.choice("default_locale", LOCALES, "en"),
        # Optional until reply-token signing lands (the devstack config has none); then pass
        # needed_for= so a config without it is refused.
        token_secret=t.secret("token_secret", base_dir),
        require_authenticated_senders=t.flag("require_authenticated_senders", False),
        authserv_ids=_authserv_ids(t),
        max_message_bytes=t.integer("max_message_bytes", MailSettings.max_message_bytes),
        alias_domains=_alias_domains(t.table("alias_domains")),
    )
    t.finish()
    return settings


def _authserv_ids(t: Table) -> tuple[str, ...]:
    ids: list[str] = []
    for key, item in t.items("authserv_ids"):
        if not isinstance(item, str) or not item.strip() or any(c.isspace() for c in item.strip()):
            t.problems.add(
                key, f"{item!r} is not an authserv-id (a host name such as mx.example.com)"
            )
        else:
            ids.append(item.strip().lower())
    if t.data.get("require_authenticated_senders") is True and not ids:
        t.report(
            "authserv_ids",
            "set the authserv-id your receiving server writes in Authentication-Results "
            '(e.g. ["mx.example.com"]) when require_authenticated_senders is true: '
            "otherwise a header written by the sender could be believed",
        )
    return tuple(ids)


def _alias_domains(t: Table) -> tuple[tuple[str, str], ...]:
    """``[mail.alias_domains]``: ``"example.cn" = "example.com"``, alias to canonical domain."""
    pairs: list[tuple[str, str]] = []
    for alias in sorted(t.data):
        canonical = t.text(alias, None)
        if canonical is None:
            continue
        bad = [d for d in (alias, canonical) if email_problem(f"postmaster@{d}")]
        if bad:
            t.report(alias, f"{bad[0]!r} is not a domain name")
        elif alias.lower() == canonical.lower():
            t.report(alias, "a domain cannot be an alias of itself")
        else:
            pairs.append((alias.lower(), canonical.lower()))
    t.finish()
    return tuple(pairs)


def _meetings(t: Table) -> MeetingSettings:
    d = MeetingSettings()
    mailboxes: list[str] = []
    for key, item in t.items("mailboxes"):
        if not isinstance(item, str) or email_problem(item):
            t.problems.add(key, f"{item!r} is not an email address")
        else:
            mailboxes.append(item.strip().lower())
    delegates_table = t.table("delegates")
    delegates: list[tuple[str, tuple[str, ...]]] = []
    for organiser in sorted(delegates_table.data):
        if problem := email_problem(organiser):
            delegates_table.report(organiser, problem)
            continue
        helpers: list[str] = []
        for key, item in delegates_table.items(organiser):
            if not isinstance(item, str) or email_problem(item):
                t.problems.add(key, f"{item!r} is not an email address")
            else:
                helpers.append(item.strip().lower())
        delegates.append((organiser.lower(), tuple(helpers)))
    delegates_table.finish()
    settings = MeetingSettings(
        mailboxes=tuple(mailboxes),
        delegates=tuple(delegates),
        max_occurrences_per_day=t.integer(
            "max_occurrences_per_day", d.max_occurrences_per_day, high=24
        ),
        max_occurrences_per_year=t.integer(
            "max_occurrences_per_year", d.max_occurrences_per_year, high=10_000
        ),
        max_notices_per_pass=t.integer("max_notices_per_pass", d.max_notices_per_pass),
    )
    t.finish()
    return settings


def _server(t: Table, ports: dict[Security, int], default: Security) -> tuple[str, int, Security]:
    """host, port and security of an IMAP or SMTP server; the port defaults by security."""
    host = t.need_text("host")
    security = t.choice("security", SECURITIES, default)
    port = t.integer("port", ports[security], low=1, high=65535)
    if security == "plain" and host and not is_loopback(host):
        t.report(
            "security",
            f"plain sends passwords and mail unencrypted, so it is only allowed with a loopback "
            f"host (localhost, 127.0.0.1, ::1), not {host!r}; use tls or starttls",
        )
    return host, port, security


def _imap(t: Table, base_dir: Path) -> ImapSettings:
    host, port, security = _server(t, _IMAP_PORTS, "tls")
    user = t.need_text("user")
    password = t.secret("password", base_dir, needed_for="IMAP needs a password to log in")
    ft = t.table("folders")
    folders = Folders(
        inbox=ft.text("inbox", Folders.inbox) or Folders.inbox,
        processed=ft.text("processed", Folders.processed) or Folders.processed,
        quarantine=ft.text("quarantine", Folders.quarantine) or Folders.quarantine,
    )
    if len({folders.inbox, folders.processed, folders.quarantine}) < 3:
        ft.report("quarantine", "inbox, processed and quarantine must be three different folders")
    ft.finish()
    settings = ImapSettings(
        host=host,
        port=port,
        security=security,
        user=user,
        password=password,
        folders=folders,
        idle=t.flag("idle", True),
        # RFC 2177: servers may drop an IDLE after 30 minutes, so clients renew it within 29.
        idle_timeout_seconds=t.integer("idle_timeout_seconds", 300, high=29 * 60),
        poll_interval_seconds=t.integer("poll_interval_seconds", 30),
        batch_size=t.integer("batch_size", 200),
        batch_bytes=t.integer("batch_bytes", ImapSettings.batch_bytes, low=1024 * 1024),
        timeout_seconds=t.number("timeout_seconds", 30.0),
        lease_seconds=t.integer("lease_seconds", 60, low=3, high=3600),
        parse_workers=t.integer("parse_workers", 1, low=0, high=32),
        auth=t.choice("auth", AUTHS, "password"),
    )
    if settings.lease_seconds <= settings.timeout_seconds:
        # A poll renews the lease between IMAP commands: one slow command must not outlast it.
        t.report(
            "lease_seconds",
            f"{settings.lease_seconds} must be longer than timeout_seconds "
            f"({settings.timeout_seconds:g})",
        )
    t.finish()
    return settings


def _smtp(t: Table, base_dir: Path) -> SmtpSettings:
    host, port, security = _server(t, _SMTP_PORTS, "starttls")
    user = t.text("user", None, blank_is_none=True)
    password = t.secret("password", base_dir)
    has_password = any((password.env, password.file, password.command))
    if user is not None and not has_password and "password" not in t.data:
        t.report(
            "password", "a user is set: set password_env, password_file or password_command too"
        )
    if user is None and has_password:
        t.report("user", "a password is set but no user to log in as")
    settings = SmtpSettings(
        host=host,
        port=port,
        security=security,
        user=user,
        password=password,
        max_per_recipient_per_hour=t.integer("max_per_recipient_per_hour", 20),
        batch_size=t.integer("batch_size", 100),
        timeout_seconds=t.number("timeout_seconds", 30.0),
        max_attempts=t.integer("max_attempts", 8),
        claim_seconds=t.integer("claim_seconds", 300, low=2, high=24 * 3600),
        retry_base_seconds=t.number("retry_base_seconds", 30.0),
        render_workers=t.integer("render_workers", 1, low=0, high=32),
        auth=t.choice("auth", AUTHS, "password"),
    )
    if settings.auth == "xoauth2" and user is None:
        t.report("auth", "xoauth2 logs in as a user: set user (and the token's password_*)")
    if settings.claim_seconds <= settings.timeout_seconds:
        # A claim that runs out while the server still answers lets another replica send again.
        t.report(
            "claim_seconds",
            f"{settings.claim_seconds} must be longer than timeout_seconds "
            f"({settings.timeout_seconds:g})",
        )
    t.finish()
    return settings


def _database(t: Table, base_dir: Path) -> DatabaseSettings:
    url = t.text("url", DatabaseSettings.url) or DatabaseSettings.url
    t.finish()
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in _DB_SCHEMES:
        t.report("url", "use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
        return DatabaseSettings()
    if scheme.lower() == "sqlite":
        return DatabaseSettings(_sqlite_url(rest, base_dir))
    if urlsplit(url).password is not None:
        t.report(
            "url",
            "never put a secret in the file; leave the password out of the URL and set "
            "PGPASSWORD or use a ~/.pgpass file",
        )
    # SQLAlchemy reads a bare postgresql:// as psycopg2, which mailflow does not ship.
    return DatabaseSettings(f"postgresql+psycopg://{rest}")


def _sqlite_url(rest: str, base_dir: Path) -> str:
    """``sqlite:///relative.db`` is relative to the config file, not to the daemon's cwd."""
    path, query_sep, query = rest.removeprefix("/").partition("?")
    if not path or path == ":memory:" or path.startswith("file:") or Path(path).is_absolute():
        return f"sqlite:///{path}{query_sep}{query}"
    return f"sqlite:///{base_dir / path}{query_sep}{query}"


def _people(t: Table, base_dir: Path) -> PeopleSettings:
    file = t.file_path("file", base_dir)
    records: list[PersonRecord] = []
    # File-level mistakes are reported on the `file =` line of this config; mistakes inside the
    # people file are reported on that file's own lines.
    if file is not None and file.suffix.lower() not in (".csv", ".toml"):
        t.report("file", f"{file.name}: use a .csv or a .toml file")
    elif file is not None and not file.is_file():
        t.report("file", f"{file} does not exist")
    elif file is not None:
        records += read_people_file(file, t.problems.items)
    # The file is the directory and inline people are additions to it, so a clash is reported
    # at the inline entry.
    records += [person_from_table(p) for p in t.tables("person")]
    check_people(records)
    t.finish()
    return PeopleSettings(file=file, people=tuple(r.person for r in records))


def _logging(t: Table) -> LoggingSettings:
    settings = LoggingSettings(
        level=t.choice("level", ("debug", "info", "warning", "error"), "info"),
        format=t.choice("format", ("human", "json"), "human"),
    )
    t.finish()
    return settings


def _metrics(t: Table) -> MetricsSettings:
    settings = MetricsSettings(port=t.integer("port", 0, low=0, high=65535))
    t.finish()
    return settings


def _archive(t: Table, base_dir: Path) -> ArchiveSettings:
    settings = ArchiveSettings(
        dir=t.file_path("dir", base_dir) or base_dir / "archives",
        mail_max_bytes=t.integer("mail_max_bytes", ArchiveSettings.mail_max_bytes, low=0),
    )
    t.finish()
    return settings
