"""The composition root: engine, adapters, pipeline, outbox and scheduler from a Config.

Nothing else wires concrete adapters together. ``Daemon.run`` blocks until ``stop`` is set (the
CLI sets it on SIGTERM/SIGINT), then stops the watcher and the scheduler; running jobs finish.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from mailflow.adapters.imap import ImapMailbox
from mailflow.adapters.smtp import SmtpSender
from mailflow.clock import Clock, SystemClock
from mailflow.config.schema import Config
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.inbound.watcher import InboxWatcher
from mailflow.outbound.flush import OutboxFlusher
from mailflow.planning import Planner
from mailflow.scheduling import Job, build_scheduler, run_now
from mailflow.tracker import db, repo

log = logging.getLogger("mailflow.daemon")


class Daemon:
    def __init__(self, config: Config, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or SystemClock()
        # Secrets are read once, here: a missing one stops the start with the key named.
        imap_password = config.imap.password.reveal()
        smtp_password = config.smtp.password.reveal() if config.smtp.user else None
        self.engine = db.make_engine(config.database.url)
        db.upgrade(self.engine)
        self.sessions = db.make_session_factory(self.engine)
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.pipeline = InboundPipeline(config, self.sessions, self.clock)
        self.flusher = OutboxFlusher(
            config,
            self.sessions,
            self.clock,
            lambda: SmtpSender(config.smtp, smtp_password),
            worker=self.worker,
        )
        self.planner = Planner(config, self.sessions, self.clock)
        self.watcher = InboxWatcher(
            self.pipeline,
            lambda: ImapMailbox(config.imap, imap_password),
            idle=config.imap.idle,
            idle_timeout_seconds=config.imap.idle_timeout_seconds,
            poll_interval_seconds=config.imap.poll_interval_seconds,
            on_poll=self._after_poll,
        )
        schedule = config.schedule
        self.scheduler = build_scheduler(
            [
                Job("poll-inbox", schedule.poll_interval_seconds, self.watcher.kick),
                Job("plan", schedule.plan_interval_seconds, self.planner.plan),
                Job("flush-outbox", schedule.flush_interval_seconds, self.flusher.flush),
            ]
        )

    def _after_poll(self) -> None:
        with self.sessions() as session, session.begin():
            now = self.clock.now()
            repo.set_status(session, "last_poll", now.isoformat(), now)
        # Inbound work may have queued answers: send them now rather than at the next tick.
        if self.scheduler.running:
            run_now(self.scheduler, "flush-outbox")

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
            self.engine.dispose()
            log.info("stopped")
