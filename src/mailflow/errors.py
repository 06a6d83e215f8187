"""mailflow's one error tree.

Adapters translate library exceptions (smtplib, imapclient, SQLAlchemy) into these at the edge with
``raise ... from exc``, so the core never catches a library's exception type::

    MailflowError
     ├── ConfigError                 invalid configuration; carries every problem with its key path
     ├── StorageError                the tracker database failed (connection, migration, disk full)
     │                               or its schema is behind for a reading command
     │    ├── TransientStorageError  connection lost, lock timeout, serialisation failure: the
     │    │                          work was retried with backoff; retry later, never quarantine
     │    └── AlreadyRunningError  a second `serve` on one SQLite DB
     ├── MailboxError                IMAP failed
     │    └── MailboxUnavailableError  connection refused or lost: retry with backoff
     ├── DeliveryError               SMTP failed
     │    ├── TemporaryDeliveryError   4xx or connection lost: retry with backoff
     │    └── PermanentDeliveryError   5xx: the outbox row fails for good, a person is told
     └── MessageError                one inbound message cannot be handled: it is quarantined
"""

from __future__ import annotations

from dataclasses import dataclass


class MailflowError(Exception):
    """Root of every error mailflow raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a configuration: where (key path, line if known) and what."""

    key: str
    message: str
    line: int | None = None
    source: str | None = None

    def __str__(self) -> str:
        where = self.key
        if self.source:
            where = (
                f"{self.source}: {where}"
                if self.line is None
                else f"{self.source}:{self.line}: {where}"
            )
        elif self.line is not None:
            where = f"line {self.line}: {where}"
        return f"{where}: {self.message}"


class ConfigError(MailflowError):
    """The configuration is invalid; ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid configuration")


class StorageError(MailflowError):
    """The tracker database could not be used."""


class TransientStorageError(StorageError):
    """The database's trouble, not the data's: it stayed unreachable, locked or in conflict
    through every retry. The work can be done later as it was; it is never blamed on its input
    (an inbound message that met it stays in the INBOX, it is not quarantined)."""


class AlreadyRunningError(StorageError):
    """Another daemon already owns this single-process database."""


class MailboxError(MailflowError):
    """An IMAP operation failed."""


class MailboxUnavailableError(MailboxError):
    """The IMAP server cannot be reached right now; the caller retries with backoff."""


class DeliveryError(MailflowError):
    """An SMTP delivery failed."""

    def __init__(
        self, message: str, *, code: int | None = None, recipients: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.recipients = recipients


class TemporaryDeliveryError(DeliveryError):
    """4xx reply or lost connection: the same mail may succeed later."""


class PermanentDeliveryError(DeliveryError):
    """5xx reply: retrying will not help."""


class MessageError(MailflowError):
    """One inbound message cannot be handled; it goes to quarantine with this reason."""
