"""The loopback mail stack: Dovecot (IMAP + LMTP) behind an SMTP relay, with helpers for tests.

One :class:`MailStack` serves a whole test session or a ``mailflow demo``. Its helpers talk to the
servers over the wire, like a user's mail client would: ``send`` through SMTP, ``append`` and
``messages`` over IMAP. Every user has the same password.
"""

from __future__ import annotations

import contextlib
import smtplib
import time
from collections.abc import Iterator, Sequence
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from imapclient import IMAPClient

from mailflow.config.schema import Folders, ImapSettings, Secret, SmtpSettings
from mailflow.dev.devstack.dovecot import DevStackError, DovecotServer
from mailflow.dev.devstack.smtp import RelaySmtpServer, local_users

DOMAIN = "example.test"
BOT = f"bot@{DOMAIN}"
DEFAULT_USERS = (BOT, *(f"{name}@{DOMAIN}" for name in ("alice", "bob", "carol", "dave", "exec")))
PASSWORD = "secret"


def imap_settings(password_file: Path, user: str = BOT, **fields: Any) -> ImapSettings:
    """Settings for mailflow's IMAP adapter on a loopback stack (here or in another process);
    ``fields`` gives host and port and overrides the rest."""
    defaults: dict[str, Any] = {
        "security": "plain",
        "user": user,
        "password": Secret(key="imap.password", file=password_file),
        "folders": Folders(),
        "timeout_seconds": 10.0,
    }
    return ImapSettings(**{**defaults, **fields})


def smtp_settings(**fields: Any) -> SmtpSettings:
    """Settings for mailflow's SMTP adapter on a loopback stack's relay (host, port, overrides)."""
    return SmtpSettings(**{"security": "plain", "timeout_seconds": 10.0, **fields})


class MailStack:
    """Dovecot and the SMTP relay, started and stopped together."""

    def __init__(
        self,
        users: Sequence[str] = DEFAULT_USERS,
        password: str = PASSWORD,
        *,
        host: str = "127.0.0.1",
    ) -> None:
        self.users = tuple(users)
        self.password = password
        self.host = host
        self.dovecot = DovecotServer(self.users, password, host=host)
        self.smtp = RelaySmtpServer(
            host,
            self.dovecot.lmtp_port,
            is_local=local_users(self.users),
            host=host,
            credentials=self._valid,
        )
        # A file Secret lets settings built here be used as they are by code that reveals them.
        self.password_file = self.dovecot.base / "password"

    def _valid(self, user: str, secret: str) -> bool:
        """A stack user's login: the password, or (XOAUTH2) a token, which here is the same."""
        return user in self.users and secret == self.password

    @property
    def imap_port(self) -> int:
        return self.dovecot.imap_port

    @property
    def lmtp_port(self) -> int:
        return self.dovecot.lmtp_port

    @property
    def smtp_port(self) -> int:
        return self.smtp.port

    def start(self) -> None:
        self.dovecot.start()
        self.password_file.write_text(self.password, encoding="utf-8")
        self.smtp.start()

    def stop(self) -> None:
        """Stop both servers and delete Dovecot's directory (mail included)."""
        self.smtp.stop()
        self.dovecot.remove()

    def __enter__(self) -> MailStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Settings for mailflow's own adapters.

    def imap_settings(self, user: str = BOT, **overrides: Any) -> ImapSettings:
        where = {"host": self.host, "port": self.imap_port}
        return imap_settings(self.password_file, user, **{**where, **overrides})

    def smtp_settings(self, **overrides: Any) -> SmtpSettings:
        return smtp_settings(**{"host": self.host, "port": self.smtp_port, **overrides})

    # Helpers that act like a person's mail client.

    def send(
        self, msg: EmailMessage | bytes, sender: str, recipients: Sequence[str]
    ) -> dict[str, tuple[int, bytes]]:
        """Send through the SMTP relay; returns the refused recipients, like ``sendmail``."""
        with smtplib.SMTP(self.host, self.smtp_port, timeout=10) as smtp:
            if isinstance(msg, EmailMessage):
                return smtp.send_message(msg, sender, list(recipients))
            return smtp.sendmail(sender, list(recipients), msg)

    @contextlib.contextmanager
    def imap(self, user: str) -> Iterator[IMAPClient]:
        """A logged-in imapclient connection for ``user``, logged out afterwards."""
        client = IMAPClient(self.host, self.imap_port, ssl=False, timeout=10)
        try:
            client.login(user, self.password)
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()
            with contextlib.suppress(OSError):
                client.shutdown()

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Drop a raw message into ``user``'s ``folder``, creating the folder if needed."""
        with self.imap(user) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, raw)

    def messages(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """The raw messages in ``folder``, in UID order, without marking them \\Seen."""
        with self.imap(user) as client:
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search("ALL"))
            if not uids:
                return []
            fetched = client.fetch(uids, [b"BODY.PEEK[]"])
            return [fetched[uid][b"BODY[]"] for uid in uids if uid in fetched]

    def wait_for_messages(
        self, user: str, count: int, folder: str = "INBOX", timeout: float = 10.0
    ) -> list[bytes]:
        """Poll until ``folder`` holds at least ``count`` messages; DevStackError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(user, folder)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise DevStackError(
                    f"{user}/{folder}: {len(found)} messages after {timeout} s, wanted {count}"
                )
            # Waiting on an external server: a short poll, bounded by the deadline.
            time.sleep(0.05)

    def clear(self, user: str) -> None:
        """Delete every message of ``user``, and every folder but INBOX."""
        with self.imap(user) as client:
            folders = [name for _flags, _sep, name in client.list_folders()]
            # Children before parents: deleting a parent first would leave its children behind.
            for name in sorted(folders, key=len, reverse=True):
                if name.upper() != "INBOX":
                    client.delete_folder(name)
            client.select_folder("INBOX")
            uids = client.search("ALL")
            if uids:
                client.delete_messages(uids)
                client.expunge()
            client.close_folder()

    def reset(self) -> None:
        """Make the stack as new for the next test: running, empty mailboxes, no faults."""
        if not self.dovecot.running:
            self.dovecot.start()
        self.smtp.start()
        self.smtp.reset()
        for user in self.users:
            self.clear(user)
