"""Send what the outbox holds: claim rows, record their Message-IDs, render, send, mark.

The only module that talks SMTP (through ``adapters.smtp``). One SMTP connection per batch. A
batch is claimed, checked against the hourly limit per recipient and given its Message-IDs in one
transaction, *before* any of it is handed to the server, so if the process dies after the server
accepted a message and before its ``mark_sent`` committed, the retry carries the same Message-ID
and recipients can recognise the duplicate: outbound delivery is at-least-once, with that window
only, one message wide (each row is marked as soon as the server has it).

While one batch is sent, the next is claimed and rendered ahead
(``outbound.delivery.render_ahead``). A claim is renewed before a send whenever a third of its time
has passed, so a slow batch never sends a row whose claim another replica could have taken.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self, TypeVar

from sqlalchemy.orm import Session

from mailflow.adapters.smtp import SendResult, Wire
from mailflow.clock import Clock
from mailflow.config.schema import Config
from mailflow.errors import PermanentDeliveryError, TemporaryDeliveryError
from mailflow.outbound.delivery import outbox, rate_limit, undelivered
from mailflow.outbound.delivery.render_ahead import Rendered, Renderer, ToRender
from mailflow.outbound.rendering.compose import new_message_id
from mailflow.tracker import repo
from mailflow.tracker.transactions import DEFAULT_RETRY, Retry, in_transaction

log = logging.getLogger("mailflow.outbound")

_T = TypeVar("_T")


class Sender(Protocol):
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def send_wire(self, message: Wire, *, sender: str, recipients: Sequence[str]) -> SendResult: ...


@dataclass(frozen=True)
class Claimed:
    """A claimed outbox row, detached from its session, with the Message-ID it will carry."""

    id: int
    kind: str
    recipients: list[str]
    message_id: str
    meeting_id: int | None
    item_id: int | None


@dataclass(frozen=True)
class _Batch:
    claimed_at: datetime
    rows: list[Claimed]
    rendered: Callable[[], list[Rendered]]


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
        render_workers: int | None = None,
        retry: Retry = DEFAULT_RETRY,
    ) -> None:
        self._config = config
        self._sessions = sessions
        self._retry = retry
        self._clock = clock
        self._connect = connect
        self._worker = worker
        self._lease_seconds = lease_seconds
        workers = config.smtp.render_workers if render_workers is None else render_workers
        self._renderer = Renderer(config, workers, batch_size=config.smtp.batch_size)

    def worker_peak_kib(self) -> int:
        """The render workers' peak RSS summed, in KiB (for the memory benchmark)."""
        return self._renderer.worker_peak_kib()

    def close(self) -> None:
        """Stop the render workers, if any were started."""
        self._renderer.close()

    def flush(self, max_batches: int = 100) -> FlushResult:
        result = FlushResult()
        window = rate_limit.Window(self._config.smtp.max_per_recipient_per_hour)
        ahead: deque[_Batch] = deque()
        for _ in range(max_batches):
            batch = self._claim(window, result)
            if batch is None:
                break
            ahead.append(batch)
            if len(ahead) > 1:  # the next batch is claimed and rendering: send this one
                self._send_batch(ahead.popleft(), window, result)
        while ahead:
            self._send_batch(ahead.popleft(), window, result)
        if result.sent or result.failed:
            self._transaction(self._note_sending)
        return result

    def _transaction(self, work: Callable[[Session], _T]) -> _T:
        """``work`` in one transaction, retried on a transient database error (the row's outcome
        is recorded rather than the mail sent again); database errors as ``StorageError``."""
        return in_transaction(self._sessions, work, retry=self._retry)

    def _note_sending(self, session: Session) -> None:
        now = self._clock.now()
        repo.set_status(session, "last_send", now.isoformat(), now)
        rate_limit.prune(session, now=now)

    def _claim(self, window: rate_limit.Window, result: FlushResult) -> _Batch | None:
        """Claim a batch, defer rows over the hourly limit, record the others' Message-IDs."""
        now = self._clock.now()
        ready: list[Claimed] = []
        payloads: list[ToRender] = []
        # Not run through ``_transaction``: the hourly window counts the rows it admits in
        # memory, so a claim is not run twice in one flush. A database that fails here fails the
        # flush job, whose next tick claims again; the rows were not touched.
        with self._sessions() as session, session.begin():
            rows = outbox.claim(
                session,
                worker=self._worker,
                now=now,
                limit=self._config.smtp.batch_size,
                lease_seconds=self._lease_seconds,
            )
            if not rows:
                return None
            window.load(session, [r for row in rows for r in row.recipients], now=now)
            chosen: dict[int, str] = {}
            for row in rows:
                until = window.admit(row.recipients, now=now)
                if until is not None:
                    outbox.defer(
                        session, row.id, until=until, now=now, reason="hourly limit per recipient"
                    )
                    result.deferred += 1
                    log.info(
                        "outbox row %s deferred to %s: hourly limit per recipient", row.id, until
                    )
                    continue
                message_id = row.message_id
                if message_id is None:
                    message_id = chosen[row.id] = new_message_id(self._config.mail.domain)
                recipients = list(row.recipients)
                ready.append(
                    Claimed(row.id, row.kind, recipients, message_id, row.meeting_id, row.item_id)
                )
                payloads.append(
                    ToRender(row.kind, recipients, dict(row.payload), message_id, row.meeting_id)
                )
            outbox.record_message_ids(session, chosen)
        return _Batch(now, ready, self._renderer.submit(now, payloads))

    def _send_batch(self, batch: _Batch, window: rate_limit.Window, result: FlushResult) -> None:
        if not batch.rows:
            return
        rendered = batch.rendered()
        renew_after = timedelta(seconds=self._lease_seconds / 3)
        renewed_at = batch.claimed_at
        mine = {row.id for row in batch.rows}
        handled: set[int] = set()
        try:
            with self._connect() as smtp:
                for row, message in zip(batch.rows, rendered, strict=True):
                    now = self._clock.now()
                    if now - renewed_at >= renew_after:
                        mine = self._renew([r.id for r in batch.rows if r.id not in handled], now)
                        renewed_at = now
                    handled.add(row.id)
                    if row.id not in mine:
                        # The claim ran out during a slow batch and another replica has the row.
                        log.info(
                            "outbox row %s skipped: claimed by another worker meanwhile", row.id
                        )
                        continue
                    if not self._send_one(smtp, row, message, result):
                        window.forget(row.recipients, now=batch.claimed_at)
        except TemporaryDeliveryError as exc:
            # The connection could not be opened, or broke for good: every row not yet handled
            # goes back to the queue with backoff.
            pending = [row for row in batch.rows if row.id not in handled]
            for row in pending:
                window.forget(row.recipients, now=batch.claimed_at)
            error = str(exc)

            def back_to_queue(session: Session) -> None:
                for row in pending:
                    outbox.mark_temporary_failure(
                        session,
                        row.id,
                        now=self._clock.now(),
                        error=error,
                        max_attempts=self._config.smtp.max_attempts,
                        base_seconds=self._config.smtp.retry_base_seconds,
                        outage=True,
                    )

            self._transaction(back_to_queue)
            result.retried += len(pending)
            log.warning("SMTP unavailable (%s); %d row(s) will be retried", exc, len(pending))

    def _tell(self, session: Session, row: Claimed, error: str, now: datetime) -> None:
        """The organiser hears of a mail about their meeting that failed for good."""
        if row.kind == "answer":
            return  # a note about a note could fail the same way; the status shows it
        undelivered.tell_organiser(
            session,
            self._config,
            row_id=row.id,
            kind=row.kind,
            recipients=row.recipients,
            meeting_id=row.meeting_id,
            error=error,
            now=now,
        )

    def _renew(self, row_ids: list[int], now: datetime) -> set[int]:
        return self._transaction(
            lambda session: outbox.renew_claims(
                session, row_ids, worker=self._worker, now=now, lease_seconds=self._lease_seconds
            )
        )

    def _send_one(
        self,
        smtp: Sender,
        row: Claimed,
        message: Rendered,
        result: FlushResult,
    ) -> bool:
        """Send one row and mark it; True when the server took it."""
        row_id, kind, recipients, message_id = row.id, row.kind, row.recipients, row.message_id
        now = self._clock.now()
        if isinstance(message, str):  # it could not be rendered
            error = message
            self._transaction(
                lambda session: outbox.mark_permanent_failure(session, row_id, now=now, error=error)
            )
            result.failed += 1
            result.errors.append(message)
            log.error("outbox row %s cannot be rendered: %s", row_id, message)
            return False
        try:
            sent = smtp.send_wire(
                message, sender=self._config.mail.bot_address, recipients=recipients
            )
        except PermanentDeliveryError as exc:
            refusal = str(exc)

            def failed(session: Session) -> None:
                outbox.mark_permanent_failure(session, row_id, now=now, error=refusal)
                self._tell(session, row, refusal, now)

            self._transaction(failed)
            result.failed += 1
            log.error("outbox row %s %s refused permanently: %s", row_id, message_id, exc)
            return False
        except TemporaryDeliveryError as exc:
            deferral = str(exc)

            def deferred(session: Session) -> None:
                gave_up = outbox.mark_temporary_failure(
                    session,
                    row_id,
                    now=now,
                    error=deferral,
                    max_attempts=self._config.smtp.max_attempts,
                    base_seconds=self._config.smtp.retry_base_seconds,
                )
                if gave_up:
                    self._tell(session, row, deferral, now)

            self._transaction(deferred)
            result.retried += 1
            log.warning("outbox row %s %s deferred: %s", row_id, message_id, exc)
            return False
        refused = "; ".join(f"{r.address}: {r.code} {r.text}" for r in sent.refused)

        def delivered(session: Session) -> None:
            outbox.mark_sent(session, row_id, now=self._clock.now(), partial_error=refused or None)
            rate_limit.record(session, sent.accepted, now=self._clock.now())

        # The server has the mail: retrying a lost connection here records it as sent rather than
        # sending it again at the next claim.
        self._transaction(delivered)
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
        return True
