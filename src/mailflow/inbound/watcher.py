"""Watch the bot's inbox: poll, wait for news with IDLE (or a timer), reconnect on failure.

The watcher owns one IMAP connection in its own thread and is the only poller of the mailbox in
this process, so two polls never race. Across replicas a :class:`Turn` (the mailbox lease) decides:
the watcher connects and polls only while it holds the turn, renews it at every poll, after every
batch and at every IDLE wake (IDLE is cut into chunks shorter than the lease), and stands by when
another replica has it. It never gives up: connection failures are logged once per outage, retried
with the shared backoff, and cleared in the log when the server answers again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from mailflow.errors import MailboxError, MailboxUnavailableError, MailflowError, StorageError
from mailflow.inbound.pipeline import InboundPipeline, Mailbox
from mailflow.retry import backoff_seconds

log = logging.getLogger("mailflow.inbound")


class Turn(Protocol):
    """The right to poll the mailbox among replicas (``tracker.leases.LeaseKeeper`` provides it)."""

    @property
    def check_seconds(self) -> float:
        """How often to call :meth:`hold` so that the turn does not run out while held."""
        ...

    def hold(self) -> bool:
        """Take or renew the turn; False while another replica has it."""
        ...

    def release(self) -> None:
        """Give the turn up (at shutdown), so another replica need not wait for it to expire."""
        ...


class _TurnLostError(MailflowError):
    """Another replica took the mailbox over during a poll; never leaves this module."""


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
        turn: Turn | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._connect = connect
        self._idle = idle
        self._turn = turn
        if turn is not None:
            # With a turn to keep, no wait may outlast the interval it must be renewed in.
            idle_timeout_seconds = min(idle_timeout_seconds, turn.check_seconds)
            poll_interval_seconds = min(poll_interval_seconds, turn.check_seconds)
        self._idle_timeout = idle_timeout_seconds
        self._poll_interval = poll_interval_seconds
        self._on_poll = on_poll
        self._on_error = on_error
        self._stop = threading.Event()
        self._kick = threading.Event()
        self._current: WatchedMailbox | None = None
        self._thread: threading.Thread | None = None
        self._failures = 0

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
        self._failures = 0
        try:
            while not self._stop.is_set():
                try:
                    if not self._wait_for_turn():
                        return
                    with self._connect() as mailbox:
                        self._current = mailbox
                        mailbox.ensure_folders()
                        self._watch(mailbox)
                except (MailboxError, StorageError) as exc:
                    self._failures += 1
                    failures = self._failures
                    if failures == 1:
                        log.warning("inbox poll failed (%s); retrying with backoff", exc)
                        if self._on_error is not None and not isinstance(exc, StorageError):
                            self._on_error(str(exc))
                    else:
                        log.debug("inbox still unavailable (attempt %d): %s", failures, exc)
                    self._stop.wait(backoff_seconds(failures, base=1.0, cap=60.0))
                except Exception:
                    # Whatever else went wrong (a database error the pipeline does not map, two
                    # replicas racing after a lease expired), the mailbox must not go unwatched.
                    self._failures += 1
                    failures = self._failures
                    if failures == 1:
                        log.exception("inbox poll failed unexpectedly; retrying with backoff")
                    else:
                        log.debug("inbox poll still failing (attempt %d)", failures)
                    self._stop.wait(backoff_seconds(failures, base=1.0, cap=60.0))
                finally:
                    self._current = None
        finally:
            if self._turn is not None:
                self._turn.release()

    def _wait_for_turn(self) -> bool:
        """Return once this replica may poll (at once without a turn); False if stopped first."""
        if self._turn is None:
            return True
        while not self._stop.is_set():
            if self._turn.hold():
                return True
            self._stop.wait(self._turn.check_seconds)
        return False

    def _keep_turn(self, done: int = 0, total: int = 0) -> None:
        """Renew the turn (after each batch, each poll); raise _TurnLostError when it has gone."""
        if self._turn is not None and not self._turn.hold():
            raise _TurnLostError(f"mailbox taken over after {done} of {total} message(s)")

    def _watch(self, mailbox: WatchedMailbox) -> None:
        while not self._stop.is_set():
            self._kick.clear()
            try:
                self._keep_turn()
                result = self._pipeline.poll(mailbox, on_batch=self._keep_turn)
                # The outage ends with a whole poll, not a mere connect: the database may be the
                # part that failed (disk full), and then every reconnect succeeds.
                if self._failures:
                    log.info("inbox reachable again after %d failed attempt(s)", self._failures)
                    self._failures = 0
            except _TurnLostError as lost:
                # The batch in hand has committed; the new holder carries on from the checkpoint.
                log.info("leaving the inbox to another replica: %s", lost)
                return
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
