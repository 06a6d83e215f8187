"""The checks of the mail, server, database and web tables that no field type covers.

Each is a validator :mod:`mailflow.config.schema` attaches to one field: how a database URL is
resolved, which domain the bot's address may have, who may log in without encryption. One that
compares two keys reads the earlier one from ``info.data`` (see :mod:`mailflow.config.fields`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mailflow.config.fields import (
    Check,
    base_dir,
    checked,
    email_problem,
    is_loopback,
    mistyped,
    problem,
    text,
)
from mailflow.config.secret import Secret

if TYPE_CHECKING:
    from pydantic import ValidationInfo

_DB_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")
# An HTTP header name is an RFC 9110 token.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _domain(domain: str) -> str:
    # A domain is valid exactly when an address at it is, so one pattern serves both.
    if email_problem(f"postmaster@{domain}"):
        raise problem(f"{domain!r} is not a domain name")
    return domain


def _related(bot_address: str, data: dict[str, Any]) -> str | None:
    domain = data.get("domain")
    bot_domain = bot_address.rpartition("@")[2].lower()
    related = (
        bot_domain == domain,
        bot_domain.endswith(f".{domain}"),
        str(domain).endswith(f".{bot_domain}"),
    )
    # A subdomain either way is a common, deliberate set-up; an unrelated domain means replies and
    # Message-IDs would name a domain whose mail never reaches the bot.
    if domain is None or any(related):
        return None
    return f"its domain {bot_domain!r} is unrelated to mail.domain {domain!r}"


def _authserv_id(item: object) -> str:
    if not isinstance(item, str) or not item.strip() or any(c.isspace() for c in item.strip()):
        raise problem(f"{item!r} is not an authserv-id (a host name such as mx.example.com)")
    return item.strip().lower()


def _authserv_needed(ids: tuple[str, ...], data: dict[str, Any]) -> str | None:
    if data.get("require_authenticated_senders") and not ids:
        return (
            "set the authserv-id your receiving server writes in Authentication-Results "
            '(e.g. ["mx.example.com"]) when require_authenticated_senders is true: '
            "otherwise a header written by the sender could be believed"
        )
    return None


def _alias_domains(value: object) -> tuple[tuple[str, str], ...]:
    """``[mail.alias_domains]``: ``"example.cn" = "example.com"``, alias to canonical domain."""
    if isinstance(value, tuple):  # the default
        return value
    if not isinstance(value, dict):
        raise mistyped(value, "a table")
    pairs: list[tuple[str, str]] = []
    for alias in sorted(value):
        at = f"alias_domains.{alias}"
        canonical = text(value[alias], at=at) or ""
        bad = [d for d in (alias, canonical) if email_problem(f"postmaster@{d}")]
        if bad:
            raise problem(f"{bad[0]!r} is not a domain name", at)
        if alias.lower() == canonical.lower():
            raise problem("a domain cannot be an alias of itself", at)
        pairs.append((alias.lower(), canonical.lower()))
    return tuple(pairs)


def _mailbox(item: object, at: str | None = None) -> str:
    if not isinstance(item, str) or email_problem(item):
        raise problem(f"{item!r} is not an email address", at)
    return item.strip().lower()


def _delegates(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``[meetings.delegates]``: organiser = [the people who may act for them]."""
    if isinstance(value, tuple):  # the default
        return value
    if not isinstance(value, dict):
        raise mistyped(value, "a table")
    delegates: list[tuple[str, tuple[str, ...]]] = []
    for organiser in sorted(value):
        at = f"delegates.{organiser}"
        if said := email_problem(organiser):
            raise problem(said, at)
        helpers = value[organiser]
        if not isinstance(helpers, list):
            raise mistyped(helpers, "an array", at)
        found = tuple(_mailbox(item, f"{at}[{i}]") for i, item in enumerate(helpers))
        delegates.append((organiser.lower(), found))
    return tuple(delegates)


def _three_folders(quarantine: str, data: dict[str, Any]) -> str | None:
    folders = (data.get("inbox"), data.get("processed"), quarantine)
    if None not in folders and len(set(folders)) < 3:
        return "inbox, processed and quarantine must be three different folders"
    return None


def _encrypted(security: str, data: dict[str, Any]) -> str | None:
    host = data.get("host")
    if security == "plain" and host and not is_loopback(host):
        return (
            f"plain sends passwords and mail unencrypted, so it is only allowed with a loopback "
            f"host (localhost, 127.0.0.1, ::1), not {host!r}; use tls or starttls"
        )
    return None


def server_defaults(ports: dict[str, int], default: str) -> Check:
    """Before a server's table is read: ``security`` is ``default`` when unset, and ``port`` the
    usual port of that security."""

    def fill(data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        security = data.get("security", default)
        chosen = security.lower() if isinstance(security, str) else default
        return {"security": default, "port": ports.get(chosen, ports[default]), **data}

    return Check("before", fill)


def _login(password: Secret, info: ValidationInfo) -> Secret:
    """SMTP logs in only with both a user and a password."""
    if "user" not in info.data:
        return password
    given = any((password.env, password.file, password.command))
    if info.data["user"] is not None and not given:
        raise problem("a user is set: set password_env, password_file or password_command too")
    if info.data["user"] is None and given:
        raise problem("a password is set but no user to log in as", "user")
    return password


def _user_for_token(auth: str, data: dict[str, Any]) -> str | None:
    if auth == "xoauth2" and "user" in data and data["user"] is None:
        return "xoauth2 logs in as a user: set user (and the token's password_*)"
    return None


def _database_url(value: object, info: ValidationInfo) -> str:
    url = text(value) or ""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in _DB_SCHEMES:
        raise problem("use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
    if scheme.lower() == "sqlite":
        return _sqlite_url(rest, base_dir(info))
    if urlsplit(url).password is not None:
        raise problem(
            "never put a secret in the file; leave the password out of the URL and set "
            "PGPASSWORD or use a ~/.pgpass file"
        )
    # SQLAlchemy reads a bare postgresql:// as psycopg2, which mailflow does not ship.
    return f"postgresql+psycopg://{rest}"


def _sqlite_url(rest: str, base: Path) -> str:
    """``sqlite:///relative.db`` is relative to the config file, not to the daemon's cwd."""
    path, query_sep, query = rest.removeprefix("/").partition("?")
    if not path or path == ":memory:" or path.startswith("file:") or Path(path).is_absolute():
        return f"sqlite:///{path}{query_sep}{query}"
    return f"sqlite:///{base / path}{query_sep}{query}"


def _is_dir(path: Path | None) -> Path | None:
    if path is not None and not path.is_dir():
        raise problem(f"{path} is not a directory")
    return path


def _base_url(url: str | None) -> str:
    if url is None:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise problem(f"{url!r} is not an http:// or https:// URL")
    if parts.query or parts.fragment:
        raise problem(f"{url!r} must not have a query (?...) or fragment (#...)")
    # Links are built as base_url + "/path", so a trailing slash is dropped.
    return url.rstrip("/")


def _header_name(name: str | None) -> str:
    if name is not None and not _HEADER_NAME.match(name):
        raise problem(f"{name!r} is not an HTTP header name")
    return name or ""


Domain = Check("after", _domain)
RelatedToDomain = checked(_related)
AuthservId = Check("plain", _authserv_id)
AuthservNeeded = checked(_authserv_needed)
AliasDomains = Check("plain", _alias_domains)
Mailbox = Check("plain", _mailbox)
Delegates = Check("plain", _delegates)
ThreeFolders = checked(_three_folders)
Encrypted = checked(_encrypted)
Login = Check("after", _login)
UserForToken = checked(_user_for_token)
DatabaseUrl = Check("plain", _database_url)
IsDir = Check("after", _is_dir)
BaseUrl = Check("after", _base_url)
HeaderName = Check("after", _header_name)
