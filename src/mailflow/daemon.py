"""The composition root: engine, adapters, pipeline, outbox and scheduler from a Config.

Nothing else wires concrete adapters together. ``Daemon.run`` blocks until ``stop`` is set (the
CLI sets it on SIGTERM/SIGINT), then stops the watcher and the scheduler; running jobs finish.

One daemon per SQLite file (``tracker.file_lock``, held from start to exit); any number on one
PostgreSQL database, where the mailbox is polled by the replica holding its lease
(``tracker.leases``) and outbox rows are claimed with ``SKIP LOCKED``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from mailflow.adapters.imap import ImapMailbox
from mailflow.adapters.smtp import SmtpSender
from mailflow.clock import Clock, SystemClock
from mailflow.config.schema import Auth, Config, Secret
from mailflow.errors import ConfigError, ConfigProblem, StorageError
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.inbound.watcher import InboxWatcher
from mailflow.outbound.delivery.flush import OutboxFlusher
from mailflow.planning import Planner
from mailflow.scheduling import Job, build_scheduler, run_now
from mailflow.tracker import db, file_lock, repo
from mailflow.tracker.leases import LeaseKeeper
from mailflow.tracker.transactions import ONCE, in_transaction

if TYPE_CHECKING:
    from mailflow.metrics import MetricsServer

log = logging.getLogger("mailflow.daemon")


def _login_secret(secret: Secret, auth: Auth) -> str | Callable[[], str]:
    """The password, read once; or, for a token, how to read it again at every login.

    Access tokens expire within the hour: a token from a command (``password_command``) or a
    file another program refreshes is read at each connection, not only at start.
    """
    value = secret.reveal()
    if secret.fresh or auth == "xoauth2":
        return secret.reveal
    return value


class Daemon:
    def __init__(self, config: Config, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        # Secrets are read here: a missing one stops the start with the key named.
        imap_password = _login_secret(config.imap.password, config.imap.auth)
        smtp_password = (
            _login_secret(config.smtp.password, config.smtp.auth) if config.smtp.user else None
        )
        self.engine = db.make_engine(config.database.url)
        # Taken before the migration, so two daemons starting at once cannot both migrate.
        self.db_lock = file_lock.lock_database(self.engine.url)
        try:
            db.upgrade(self.engine)
        except BaseException:
            if self.db_lock is not None:
                self.db_lock.release()
            raise
        self.sessions = db.make_session_factory(self.engine)
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.pipeline = InboundPipeline(config, self.sessions, self.clock)
        self.flusher = OutboxFlusher(
            config,
            self.sessions,
            self.clock,
            lambda: SmtpSender(config.smtp, smtp_password),
            worker=self.worker,
            lease_seconds=config.smtp.claim_seconds,
        )
        self.planner = Planner(config, self.sessions, self.clock)
        # The file lock already makes a SQLite daemon the only poller; on PostgreSQL replicas
        # take turns. Leases expire by the wall clock even when the daemon's clock is shifted.
        self.mailbox_lease = (
            None
            if self.db_lock is not None
            else LeaseKeeper(
                self.sessions,
                f"mailbox:{config.imap.folders.inbox}",
                self.worker,
                SystemClock(),
                config.imap.lease_seconds,
            )
        )
        self.watcher = InboxWatcher(
            self.pipeline,
            lambda: ImapMailbox(
                config.imap, imap_password, max_message_bytes=config.mail.max_message_bytes
            ),
            idle=config.imap.idle,
            idle_timeout_seconds=config.imap.idle_timeout_seconds,
            poll_interval_seconds=config.imap.poll_interval_seconds,
            on_poll=self._after_poll,
            turn=self.mailbox_lease,
            on_error=self._after_inbox_error,
        )
        schedule = config.schedule
        self.scheduler = build_scheduler(
            [
                Job("poll-inbox", schedule.poll_interval_seconds, self.watcher.kick),
                Job("plan", schedule.plan_interval_seconds, self.planner.plan),
                Job("flush-outbox", schedule.flush_interval_seconds, self.flusher.flush),
            ]
        )
        # Opt-in (metrics.port): a busy port stops the start here, named as a config problem.
        self.metrics = _start_metrics(config, self.sessions, self.clock)

    def _after_poll(self) -> None:
        with self.sessions() as session, session.begin():
            now = self.clock.now()
            repo.set_status(session, "last_poll", now.isoformat(), now)
        # Inbound work may have queued answers: send them now rather than at the next tick.
        if self.scheduler.running:
            run_now(self.scheduler, "flush-outbox")

    def _after_inbox_error(self, error: str) -> None:
        # Shown by `mailflow status` among the last errors; once per outage, like the log line.
        now = self.clock.now()
        try:
            in_transaction(
                self.sessions,
                lambda session: repo.set_status(session, "last_inbox_error", error, now),
                retry=ONCE,
            )
        except StorageError as exc:
            log.warning("inbox error not recorded in the database: %s", exc)

    def run(self, stop: threading.Event) -> None:
        log.info(
            "mailflow serving %s on %s:%s as %s, database %s",
            self.config.imap.folders.inbox,
            self.config.imap.host,
            self.config.imap.port,
            self.worker,
            self.engine.url.render_as_string(hide_password=True),
        )
        self.scheduler.start()
        self.watcher.start()
        try:
            stop.wait()
        finally:
            log.info("stopping")
            self.watcher.stop()
            self.scheduler.shutdown(wait=True)
            self.pipeline.close()
            self.flusher.close()
            if self.metrics is not None:
                self.metrics.stop()
            self.engine.dispose()
            if self.db_lock is not None:
                self.db_lock.release()
            log.info("stopped")


def _start_metrics(
    config: Config, sessions: Callable[[], Session], clock: Clock
) -> MetricsServer | None:
    """The opt-in Prometheus endpoint; its library (the ``metrics`` extra) is needed only then."""
    if not config.metrics.port:
        return None
    try:
        from mailflow.metrics import start_metrics
    except ImportError as exc:
        raise ConfigError(
            [
                ConfigProblem(
                    "metrics.port",
                    f"is set, but prometheus-client is not installed ({exc.name}): "
                    "install mailflow[metrics], or set metrics.port = 0",
                )
            ]
        ) from exc
    return start_metrics(config, sessions, clock)
