"""Send what the outbox holds: claim rows, render, record the Message-ID, send, mark.

The only module that talks SMTP (through ``adapters.smtp``). One SMTP connection per batch. The
Message-ID is committed *before* the message is handed to the server, so if the process dies after
the server accepted it and before ``mark_sent`` committed, the retry carries the same Message-ID and
recipients can recognise the duplicate: outbound delivery is at-least-once, with that window only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import TracebackType
from typing import Protocol, Self

from sqlalchemy.orm import Session

from mailflow.adapters.smtp import SendResult
from mailflow.clock import Clock
from mailflow.config.schema import Config
from mailflow.errors import PermanentDeliveryError, TemporaryDeliveryError
from mailflow.outbound import outbox, rate_limit
from mailflow.outbound.compose import RenderContext, RenderError, new_message_id
from mailflow.outbound.registry import render
from mailflow.tracker import repo

log = logging.getLogger("mailflow.outbound")


class Sender(Protocol):
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def send(self, msg: EmailMessage, *, sender: str, recipients: Sequence[str]) -> SendResult: ...


@dataclass(frozen=True)
class Claimed:
    """A claimed outbox row, detached from its session: what sending it needs."""

    id: int
    kind: str
    recipients: list[str]
    payload: dict[str, object]
    message_id: str | None
    meeting_id: int | None
    item_id: int | None


@dataclass
class FlushResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)


class OutboxFlusher:
    def __init__(
        self,
        config: Config,
        sessions: Callable[[], Session],
        clock: Clock,
        connect: Callable[[], Sender],
        *,
        worker: str,
        lease_seconds: int = 300,
    ) -> None:
        self._config = config
        self._sessions = sessions
        self._clock = clock
        self._connect = connect
        self._worker = worker
        self._lease_seconds = lease_seconds

    def flush(self, max_batches: int = 100) -> FlushResult:
        result = FlushResult()
        for _ in range(max_batches):
            with self._sessions() as session, session.begin():
                rows = outbox.claim(
                    session,
                    worker=self._worker,
                    now=self._clock.now(),
                    limit=self._config.smtp.batch_size,
                    lease_seconds=self._lease_seconds,
                )
                batch = [
                    Claimed(
                        row.id,
                        row.kind,
                        list(row.recipients),
                        dict(row.payload),
                        row.message_id,
                        row.meeting_id,
                        row.item_id,
                    )
                    for row in rows
                ]
            if not batch:
                break
            self._send_batch(batch, result)
        if result.sent or result.failed:
            with self._sessions() as session, session.begin():
                now = self._clock.now()
                repo.set_status(session, "last_send", now.isoformat(), now)
                rate_limit.prune(session, now=now)
        return result

    def _send_batch(
        self,
        batch: list[Claimed],
        result: FlushResult,
    ) -> None:
        handled: set[int] = set()
        try:
            with self._connect() as smtp:
                for row in batch:
                    self._send_one(smtp, row, result)
                    handled.add(row.id)
        except TemporaryDeliveryError as exc:
            # The connection could not be opened, or broke for good: every row not yet handled
            # goes back to the queue with backoff.
            pending = [row.id for row in batch if row.id not in handled]
            with self._sessions() as session, session.begin():
                for row_id in pending:
                    outbox.mark_temporary_failure(
                        session,
                        row_id,
                        now=self._clock.now(),
                        error=str(exc),
                        max_attempts=self._config.smtp.max_attempts,
                        base_seconds=self._config.smtp.retry_base_seconds,
                    )
            result.retried += len(pending)
            log.warning("SMTP unavailable (%s); %d row(s) will be retried", exc, len(pending))

    def _send_one(self, smtp: Sender, row: Claimed, result: FlushResult) -> None:
        row_id, kind, recipients, payload = row.id, row.kind, row.recipients, row.payload
        message_id = row.message_id
        now = self._clock.now()
        with self._sessions() as session, session.begin():
            mine = outbox.renew_claim(
                session, row_id, worker=self._worker, now=now, lease_seconds=self._lease_seconds
            )
            until = None
            if mine:
                until = rate_limit.blocked_until(
                    session,
                    recipients,
                    now=now,
                    limit=self._config.smtp.max_per_recipient_per_hour,
                )
            if until is not None:
                outbox.defer(
                    session, row_id, until=until, now=now, reason="hourly limit per recipient"
                )
        if not mine:
            # The claim ran out during a slow batch and another replica has the row now.
            log.info("outbox row %s skipped: claimed by another worker meanwhile", row_id)
            return
        if until is not None:
            result.deferred += 1
            log.info("outbox row %s deferred to %s: hourly limit per recipient", row_id, until)
            return
        try:
            msg = render(RenderContext(self._config, now), kind, recipients, payload)
        except RenderError as exc:
            with self._sessions() as session, session.begin():
                outbox.mark_permanent_failure(session, row_id, now=now, error=str(exc))
            result.failed += 1
            result.errors.append(str(exc))
            log.error("outbox row %s cannot be rendered: %s", row_id, exc)
            return
        if message_id is None:
            message_id = new_message_id(self._config.mail.domain)
            with self._sessions() as session, session.begin():
                outbox.record_message_id(session, row_id, message_id)
        msg["Message-ID"] = message_id
        try:
            sent = smtp.send(msg, sender=self._config.mail.bot_address, recipients=recipients)
        except PermanentDeliveryError as exc:
            with self._sessions() as session, session.begin():
                outbox.mark_permanent_failure(session, row_id, now=now, error=str(exc))
            result.failed += 1
            log.error("outbox row %s %s refused permanently: %s", row_id, message_id, exc)
            return
        except TemporaryDeliveryError as exc:
            with self._sessions() as session, session.begin():
                outbox.mark_temporary_failure(
                    session,
                    row_id,
                    now=now,
                    error=str(exc),
                    max_attempts=self._config.smtp.max_attempts,
                    base_seconds=self._config.smtp.retry_base_seconds,
                )
            result.retried += 1
            log.warning("outbox row %s %s deferred: %s", row_id, message_id, exc)
            return
        with self._sessions() as session, session.begin():
            refused = "; ".join(f"{r.address}: {r.code} {r.text}" for r in sent.refused)
            outbox.mark_sent(session, row_id, now=self._clock.now(), partial_error=refused or None)
            rate_limit.record(session, sent.accepted, now=self._clock.now())
        result.sent += 1
        log.info(
            "sent row=%s kind=%s %s to %s%s",
            row_id,
            kind,
            message_id,
            ", ".join(recipients),
            f" meeting={row.meeting_id}" if row.meeting_id else "",
            extra={
                "event": "sent",
                "row": row_id,
                "kind": kind,
                "message_id": message_id,
                "recipients": recipients,
                "meeting_id": row.meeting_id,
                "item_id": row.item_id,
            },
        )
