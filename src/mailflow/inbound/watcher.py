"""Watch the bot's inbox: poll, wait for news with IDLE (or a timer), reconnect on failure.

The watcher owns one IMAP connection in its own thread and is the only poller of the mailbox in
this process, so two polls never race. It never gives up: connection failures are logged once per
outage, retried with the shared backoff, and cleared in the log when the server answers again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from mailflow.errors import MailboxError, MailboxUnavailableError, StorageError
from mailflow.inbound.pipeline import InboundPipeline, Mailbox
from mailflow.retry import backoff_seconds

log = logging.getLogger("mailflow.inbound")


class WatchedMailbox(Mailbox, Protocol):
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def ensure_folders(self) -> None: ...
    def idle_wait(self, timeout_seconds: float) -> bool: ...
    def interrupt(self) -> None: ...


class InboxWatcher:
    def __init__(
        self,
        pipeline: InboundPipeline,
        connect: Callable[[], WatchedMailbox],
        *,
        idle: bool,
        idle_timeout_seconds: float,
        poll_interval_seconds: float,
        on_poll: Callable[[], None] | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._connect = connect
        self._idle = idle
        self._idle_timeout = idle_timeout_seconds
        self._poll_interval = poll_interval_seconds
        self._on_poll = on_poll
        self._stop = threading.Event()
        self._kick = threading.Event()
        self._current: WatchedMailbox | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="inbox-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._kick.set()
        current = self._current
        if current is not None:
            current.interrupt()  # breaks a blocking IDLE at once instead of waiting for its timeout
        if self._thread is not None:
            self._thread.join(timeout)

    def kick(self) -> None:
        """Ask for a poll now (the poll-inbox job: a fallback when IDLE is off or quiet)."""
        self._kick.set()

    def run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                with self._connect() as mailbox:
                    self._current = mailbox
                    mailbox.ensure_folders()
                    if failures:
                        log.info("inbox reachable again after %d failed attempt(s)", failures)
                    failures = 0
                    self._watch(mailbox)
            except (MailboxError, StorageError) as exc:
                failures += 1
                delay = backoff_seconds(failures, base=1.0, cap=60.0)
                if failures == 1 or isinstance(exc, StorageError):
                    log.warning("inbox poll failed (%s); retrying with backoff", exc)
                else:
                    log.debug("inbox still unavailable (attempt %d): %s", failures, exc)
                self._stop.wait(delay)
            finally:
                self._current = None

    def _watch(self, mailbox: WatchedMailbox) -> None:
        while not self._stop.is_set():
            self._kick.clear()
            result = self._pipeline.poll(mailbox)
            if result.fetched:
                log.debug("poll handled %d message(s): %s", result.fetched, result.by_outcome)
            if self._on_poll is not None:
                self._on_poll()
            if self._stop.is_set():
                return
            if self._idle:
                try:
                    mailbox.idle_wait(self._idle_timeout)
                except MailboxUnavailableError:
                    if self._stop.is_set():
                        return
                    raise
            else:
                self._kick.wait(self._poll_interval)
