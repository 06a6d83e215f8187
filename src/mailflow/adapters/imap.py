"""The IMAP adapter: one mailbox connection on imapclient, with library errors mapped at the edge.

Connection-level failures (socket, TLS, ``imaplib.IMAP4.abort``, a server's ``BYE``) become
:class:`MailboxUnavailableError`, which callers retry with backoff (:func:`connect_with_backoff`);
any other server refusal becomes :class:`MailboxError`. After an unavailable error the connection
is closed: call :meth:`ImapMailbox.connect` again (or make a new one) to reconnect.

Nothing here decides what a message is or touches the database. Messages are fetched with
``BODY.PEEK[]`` so nothing is marked \\Seen, and the caller moves or flags a message only after
its own transaction has committed.
"""

from __future__ import annotations

import contextlib
import imaplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

from imapclient import IMAPClient

from mailflow.config.schema import ImapSettings
from mailflow.errors import ConfigError, MailboxError, MailboxUnavailableError
from mailflow.retry import backoff_seconds

T = TypeVar("T")
_NEW_MAIL = (b"EXISTS", b"RECENT")


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    raw: bytes
    internaldate: datetime | None  # timezone-aware, UTC
    size: int


@contextlib.contextmanager
def _edge(action: str) -> Iterator[None]:
    """Translate imaplib/imapclient/socket/ssl errors into mailflow's error tree."""
    try:
        yield
    except (imaplib.IMAP4.abort, OSError) as exc:  # ssl.SSLError and timeouts are OSErrors.
        raise MailboxUnavailableError(f"IMAP {action}: {exc}") from exc
    except imaplib.IMAP4.error as exc:  # imapclient's own errors derive from this one.
        raise MailboxError(f"IMAP {action}: {exc}") from exc


def _credential(password: str | Callable[[], str]) -> str:
    """The password or token; a callable one is read now (a token from a command expires)."""
    if isinstance(password, str):
        return password
    try:
        return password()
    except ConfigError as exc:
        # The helper failed this time; the watcher retries the connection with backoff.
        raise MailboxUnavailableError(f"IMAP login: {exc}") from exc


class ImapMailbox:
    """A logged-in IMAP connection for one account. Use as a context manager or call connect()."""

    def __init__(
        self,
        settings: ImapSettings,
        password: str | Callable[[], str],
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_message_bytes: int | None = None,
    ) -> None:
        self.settings = settings
        self.max_message_bytes = max_message_bytes
        self._password = password
        self._ssl_context = ssl_context
        self._client: Any = None  # imapclient ships no type hints.
        self._selected: str | None = None
        # interrupt() comes from another thread; the lock orders it with entering IDLE.
        self._lock = threading.Lock()
        self._idling = False
        self._interrupted = False

    def connect(self) -> ImapMailbox:
        """Open the connection and log in; returns self so a factory can be a one-liner."""
        if self._client is not None:
            return self
        s = self.settings
        context = self._ssl_context or ssl.create_default_context()
        with _edge(f"connect to {s.host}:{s.port}"):
            # imapclient defaults to ssl=True, so plain and STARTTLS must say ssl=False.
            client = IMAPClient(
                s.host,
                s.port,
                ssl=s.security == "tls",
                ssl_context=context if s.security == "tls" else None,
                timeout=s.timeout_seconds,
            )
        # Aware datetimes for INTERNALDATE, instead of naive local time.
        client.normalise_times = False
        self._client = client
        try:
            with _edge("login"):
                if s.security == "starttls":
                    client.starttls(context)
                secret = _credential(self._password)
                if s.auth == "xoauth2":
                    # SASL XOAUTH2 (Gmail, Microsoft 365): the secret is an access token.
                    client.oauth2_login(s.user, secret)
                else:
                    client.login(s.user, secret)
        except BaseException:
            self.close()
            raise
        return self

    @property
    def client(self) -> Any:
        """The underlying IMAPClient, for what this adapter does not cover."""
        if self._client is None:
            raise MailboxUnavailableError("IMAP connection is closed")
        return self._client

    def ensure_folders(self) -> None:
        """Create the processed and quarantine folders unless they exist."""
        for folder in (self.settings.folders.processed, self.settings.folders.quarantine):
            with self._unavailable_closes(f"create {folder}"):
                if self.client.folder_exists(folder):
                    continue
                try:
                    self.client.create_folder(folder)
                except imaplib.IMAP4.error:
                    # Another replica may have created it a moment ago; only then is it fine.
                    if not self.client.folder_exists(folder):
                        raise

    def select(self, folder: str | None = None) -> int:
        """Select ``folder`` (default: the inbox) read-write; returns its UIDVALIDITY."""
        folder = folder or self.settings.folders.inbox
        with self._unavailable_closes(f"select {folder}"):
            info = self.client.select_folder(folder)
        self._selected = folder
        return int(info[b"UIDVALIDITY"])

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above ``last_uid`` in the selected folder, ascending."""
        with self._unavailable_closes("search"):
            # Dovecot shows a session mail delivered by others only after a sync; NOOP is one.
            self.client.noop()
            found = self.client.search(["UID", f"{last_uid + 1}:*"])
        # "n:*" always matches the highest UID, even when it is below n: filter here.
        return sorted(uid for uid in found if uid > last_uid)

    def fetch(self, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        """Raw messages for ``uids`` in batches of ``batch_size``; expunged UIDs are skipped."""
        wanted = sorted(set(uids))
        size = max(1, self.settings.batch_size)
        for start in range(0, len(wanted), size):
            batch = wanted[start : start + size]
            with self._unavailable_closes("fetch"):
                # Lists of int only: imapclient fails on "1:*" after the server has answered.
                data = self._fetch_bounded(batch)
            for uid in batch:
                item = data.get(uid)
                if item is None or b"BODY[]" not in item:
                    continue
                raw: bytes = item[b"BODY[]"]
                internaldate = item.get(b"INTERNALDATE")
                yield FetchedMessage(
                    uid=uid,
                    raw=raw,
                    internaldate=internaldate.astimezone(UTC) if internaldate else None,
                    size=int(item.get(b"RFC822.SIZE", len(raw))),
                )

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        """Each message's size (RFC822.SIZE), without downloading it."""
        wanted = sorted(set(uids))
        found: dict[int, int] = {}
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            with self._unavailable_closes("fetch sizes"):
                data = self.client.fetch(chunk, [b"RFC822.SIZE"])
            for uid, item in data.items():
                found[int(uid)] = int(item.get(b"RFC822.SIZE", 0))
        return found

    def _fetch_bounded(self, batch: list[int]) -> dict[int, dict[bytes, Any]]:
        """Whole messages, except those over ``max_message_bytes``: only their header is read.

        The sizes come first (cheap), so a 25 MB message is never pulled into memory; the caller
        sees its real size and quarantines it, and the message stays intact on the server.
        """
        fields = [b"INTERNALDATE", b"RFC822.SIZE"]
        if self.max_message_bytes is None:
            return dict(self.client.fetch(batch, [b"BODY.PEEK[]", *fields]))
        sizes = self.client.fetch(batch, [b"RFC822.SIZE"])
        small = [
            u
            for u in batch
            if int(sizes.get(u, {}).get(b"RFC822.SIZE", 0)) <= self.max_message_bytes
        ]
        large = [u for u in batch if u in sizes and u not in small]
        data: dict[int, dict[bytes, Any]] = {}
        if small:
            data.update(self.client.fetch(small, [b"BODY.PEEK[]", *fields]))
        if large:
            for uid, item in self.client.fetch(large, [b"BODY.PEEK[HEADER]", *fields]).items():
                data[uid] = {**item, b"BODY[]": item.get(b"BODY[HEADER]", b"")}
        return data

    def move(self, uids: Sequence[int], folder: str) -> None:
        """Move ``uids`` from the selected folder to ``folder``."""
        if not uids:
            return
        with self._unavailable_closes(f"move to {folder}"):
            if self.client.has_capability("MOVE"):
                self.client.move(list(uids), folder)
            else:
                self._copy_and_expunge(list(uids), folder)

    def _copy_and_expunge(self, uids: list[int], folder: str) -> None:
        """MOVE for servers without it: COPY, flag \\Deleted, expunge only these UIDs."""
        self.client.copy(uids, folder)
        self.client.add_flags(uids, [b"\\Deleted"], silent=True)
        if self.client.has_capability("UIDPLUS"):
            self.client.expunge(uids)
        else:
            # Without UID EXPUNGE, EXPUNGE also removes messages others flagged \Deleted.
            self.client.expunge()

    def flag(self, uids: Sequence[int], flag: str) -> None:
        """Add ``flag`` (a system flag like ``\\Seen`` or a keyword) to ``uids``."""
        if not uids:
            return
        with self._unavailable_closes(f"flag {flag}"):
            self.client.add_flags(list(uids), [flag], silent=True)

    def idle_wait(self, timeout_seconds: float) -> bool:
        """Wait in IDLE up to ``timeout_seconds``; True as soon as the server reports new mail.

        Dovecot reports a change about 500 ms after it happens. A server shutdown (``BYE``), a
        closed connection or a half-read line (imapclient #519) raises MailboxUnavailableError.
        After :meth:`interrupt` it returns False at once and the connection is closed.
        """
        with self._lock:
            if self._interrupted:
                return False
            if self._selected is None:
                raise MailboxError("IMAP IDLE needs a selected folder: call select() first")
            self._idling = True
        try:
            return self._idle_until(time.monotonic() + timeout_seconds)
        except MailboxUnavailableError:
            if not self._interrupted:
                raise
            return False
        finally:
            with self._lock:
                self._idling = False
            if self._interrupted:
                self.close()

    def _idle_until(self, deadline: float) -> bool:
        new_mail = False
        while not new_mail and time.monotonic() < deadline:
            with self._unavailable_closes("IDLE"):
                self.client.idle()
                responses: list[tuple[Any, ...]] = []
                while time.monotonic() < deadline:
                    remaining = deadline - time.monotonic()
                    batch = self.client.idle_check(timeout=remaining)
                    responses.extend(batch)
                    if _has_new_mail(batch) or _has_bye(batch):
                        break
                    if not batch and deadline - time.monotonic() > 0.05:
                        # An early empty return means EOF or a partial line: DONE tells which.
                        break
                _text, done = self.client.idle_done()
                responses.extend(done)
            if _has_bye(responses):
                self.close()
                raise MailboxUnavailableError("IMAP server closed the connection (BYE)")
            new_mail = _has_new_mail(responses)
        return new_mail

    def interrupt(self) -> None:
        """From another thread: end a blocking :meth:`idle_wait` now; later ones return at once.

        Shutting the socket down is the one way to wake a thread blocked in ``poll()`` on it. A
        connection busy with another command is left alone: the owner is about to stop anyway.
        """
        with self._lock:
            self._interrupted = True
            if self._idling and self._client is not None:
                with contextlib.suppress(OSError):
                    self._client.socket().shutdown(socket.SHUT_RDWR)

    def noop(self) -> None:
        """Keep the connection alive and collect pending updates."""
        with self._unavailable_closes("NOOP"):
            self.client.noop()

    def close(self) -> None:
        """Log out if possible and always release the socket. Safe to call twice."""
        client, self._client = self._client, None
        self._selected = None
        if client is None:
            return
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
        # logout() leaves the socket open when it fails half-way; shutdown() is safe to repeat.
        with contextlib.suppress(OSError):
            client.shutdown()

    @contextlib.contextmanager
    def _unavailable_closes(self, action: str) -> Iterator[None]:
        """Like _edge, but a lost connection is also closed, so no socket is left behind."""
        try:
            with _edge(action):
                yield
        except MailboxUnavailableError:
            self.close()
            raise

    def __enter__(self) -> ImapMailbox:
        return self.connect()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _has_new_mail(responses: Sequence[tuple[Any, ...]]) -> bool:
    return any(len(r) > 1 and r[1] in _NEW_MAIL for r in responses)


def _has_bye(responses: Sequence[tuple[Any, ...]]) -> bool:
    return any(r and r[0] == b"BYE" for r in responses)


def connect_with_backoff(
    factory: Callable[[], T],
    *,
    attempts: int,
    sleep: Callable[[float], None] = time.sleep,
    base: float = 1.0,
    cap: float = 60.0,
) -> T:
    """Call ``factory`` until it succeeds, backing off after each MailboxUnavailableError.

    Sleeps ``backoff_seconds(attempt)`` between attempts and raises the last error after
    ``attempts`` failures. Only unavailable errors are retried: a refused login will not get
    better by waiting.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(1, attempts + 1):
        try:
            return factory()
        except MailboxUnavailableError:
            if attempt == attempts:
                raise
            sleep(backoff_seconds(attempt, base=base, cap=cap))
    raise AssertionError("unreachable")
