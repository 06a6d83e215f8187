"""The inbound path: new messages in the bot's inbox → classify → apply → record → file.

One poll fetches every message above the mailbox checkpoint, in batches. A batch is one database
transaction in which a message is applied together with its inbound record or not at all. The
batch is first applied straight through; if any message fails, the transaction is rolled back and
the batch redone with a savepoint per message, so the failing message alone is quarantined and the
others are applied (Mailman's shunt queue). Messages are moved (processed / quarantine) or flagged
(left for a person) only after the batch has committed; the checkpoint advances after the moves. A
crash anywhere therefore re-fetches at most one batch, and the inbound record keyed by Message-ID
makes the second pass file those messages without applying them again.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from sqlalchemy.orm import Session

from mailflow.clock import Clock
from mailflow.config.schema import Config
from mailflow.errors import MessageError, TransientStorageError
from mailflow.inbound.handlers.apply import ApplyContext, Destination, Outcome
from mailflow.inbound.handlers.registry import apply
from mailflow.inbound.prepare import Pending, Preparer, Work
from mailflow.inbound.reading import limits
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import Classification, classify
from mailflow.outbound.delivery import outbox
from mailflow.tracker import repo
from mailflow.tracker.db import is_transient
from mailflow.tracker.identity import keep_loaded_objects
from mailflow.tracker.ops_report import note_unprocessed
from mailflow.tracker.transactions import DEFAULT_RETRY, Retry, in_transaction

log = logging.getLogger("mailflow.inbound")

FLAG_FOR_PERSON = "\\Flagged"


class Fetched(Protocol):
    @property
    def uid(self) -> int: ...
    @property
    def raw(self) -> bytes: ...


class Mailbox(Protocol):
    """What the pipeline needs of an IMAP mailbox (``adapters.imap.ImapMailbox`` provides it)."""

    def select(self, folder: str) -> int: ...
    def uids_after(self, last_uid: int) -> list[int]: ...
    def fetch(self, uids: Sequence[int]) -> Iterator[Fetched]: ...
    def move(self, uids: Sequence[int], folder: str) -> None: ...
    def flag(self, uids: Sequence[int], flag: str) -> None: ...


@dataclass
class PollResult:
    fetched: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.fetched += 1
        self.by_outcome[outcome] = self.by_outcome.get(outcome, 0) + 1


def destination_of(outcome: str) -> Destination:
    """Where a message with this recorded outcome belongs (also for a re-fetched duplicate)."""
    if outcome in ("quarantined", "refused"):
        return "quarantine"
    if outcome == "left_for_person":
        return "inbox"
    return "processed"


def _chunks(
    items: Sequence[int], size: int, sizes: dict[int, int] | None = None, budget: int = 0
) -> Iterable[Sequence[int]]:
    """Batches of at most ``size`` messages and, when their sizes are known, at most ``budget``
    bytes together (a message larger than the budget is a batch of its own): thirty 20 MiB mails
    must not be held in memory at once."""
    batch: list[int] = []
    held = 0
    for uid in items:
        weight = (sizes or {}).get(uid, 0)
        if batch and (len(batch) >= size or (budget and held + weight > budget)):
            yield batch
            batch, held = [], 0
        batch.append(uid)
        held += weight
    if batch:
        yield batch


class InboundPipeline:
    def __init__(
        self,
        config: Config,
        sessions: Callable[[], Session],
        clock: Clock,
        *,
        parse_workers: int | None = None,
        retry: Retry = DEFAULT_RETRY,
    ) -> None:
        self._config = config
        self._sessions = sessions
        self._clock = clock
        self._retry = retry
        workers = config.imap.parse_workers if parse_workers is None else parse_workers
        work = Work(config.mail, config.schedule.timezone)
        self._preparer = Preparer(workers, work)
        self._inline = Preparer(0, work)

    def worker_peak_kib(self) -> int:
        """The parse workers' peak RSS summed, in KiB (for the memory benchmark)."""
        return self._preparer.worker_peak_kib()

    def close(self) -> None:
        """Stop the parse workers, if any were started."""
        self._preparer.close()

    def poll(
        self, mailbox: Mailbox, on_batch: Callable[[int, int], None] | None = None
    ) -> PollResult:
        """Handle every message above the checkpoint; returns what happened, for logs and tests."""
        inbox = self._config.imap.folders.inbox
        uidvalidity = mailbox.select(inbox)
        checkpoint = in_transaction(
            self._sessions, lambda session: repo.get_checkpoint(session, inbox), retry=self._retry
        )
        last_uid = 0
        if checkpoint is not None:
            if checkpoint.uidvalidity == uidvalidity:
                last_uid = checkpoint.last_uid
            else:
                # The server renumbered the mailbox: every UID is new again. Records keyed by
                # Message-ID keep already-handled messages from being applied twice.
                log.warning(
                    "mailbox %s UIDVALIDITY changed %s -> %s: rescanning",
                    inbox,
                    checkpoint.uidvalidity,
                    uidvalidity,
                )
        result = PollResult()
        uids = sorted(uid for uid in mailbox.uids_after(last_uid) if uid > last_uid)
        if uids:
            # The backlog is recorded for `mailflow status` and the metrics; each batch's
            # checkpoint transaction then counts it down.
            in_transaction(
                self._sessions,
                lambda session: note_unprocessed(session, len(uids), self._clock.now()),
                retry=self._retry,
            )
        handled = 0
        sizes = _sizes(mailbox, uids)
        batches = list(
            _chunks(uids, self._config.imap.batch_size, sizes, self._config.imap.batch_bytes)
        )
        for batch, mails in self._prepared(mailbox, batches):
            handled += len(batch)
            self._batch(mailbox, batch, mails, uidvalidity, result, remaining=len(uids) - handled)
            if on_batch is not None:
                on_batch(result.fetched, len(uids))
        return result

    def _prepared(
        self, mailbox: Mailbox, batches: Sequence[Sequence[int]]
    ) -> Iterator[tuple[Sequence[int], list[_Mail]]]:
        """Each batch's messages, fetched and (on a backlog) prepared one batch ahead.

        Batch i+1 is fetched and handed to the parse workers before batch i is applied, so the
        workers parse while the daemon writes. Nothing else changes: a batch's messages still
        leave the inbox only after it has committed, and a crash re-fetches what was not filed.
        """
        preparer = self._preparer if len(batches) > 1 else self._inline
        queue: deque[tuple[Sequence[int], list[Fetched], Pending]] = deque()
        for batch in batches:
            fetched = list(mailbox.fetch(batch))
            queue.append((batch, fetched, preparer.submit([(f.raw, _size(f)) for f in fetched])))
            if len(queue) > 1:
                yield _ready(*queue.popleft())
        while queue:
            yield _ready(*queue.popleft())

    def _batch(
        self,
        mailbox: Mailbox,
        uids: Sequence[int],
        mails: Sequence[_Mail],
        uidvalidity: int,
        result: PollResult,
        *,
        remaining: int = 0,
    ) -> None:
        inbox = self._config.imap.folders.inbox
        try:
            handled = self._apply(mails, uidvalidity, careful=False)
        except TransientStorageError:
            # The database's trouble, retried already: the poll fails and the batch stays in the
            # INBOX, applied when the database answers again. No message is to blame.
            raise
        except Exception as exc:  # one message failed: redo the batch message by message
            log.debug("inbound batch of %s redone message by message: %r", len(mails), exc)
            handled = self._apply(mails, uidvalidity, careful=True)
        # The batch is committed: only now is it logged, and may the messages leave the inbox.
        filed: dict[Destination, list[int]] = {"processed": [], "quarantine": [], "inbox": []}
        for one in handled:
            one.log()
            filed[one.outcome.destination].append(one.uid)
            result.count(one.outcome.outcome)
        folders = self._config.imap.folders
        if filed["processed"]:
            mailbox.move(filed["processed"], folders.processed)
        if filed["quarantine"]:
            mailbox.move(filed["quarantine"], folders.quarantine)
        if filed["inbox"]:
            mailbox.flag(filed["inbox"], FLAG_FOR_PERSON)

        def advance(session: Session) -> None:
            repo.save_checkpoint(session, inbox, uidvalidity, max(uids), self._clock.now())
            note_unprocessed(session, remaining, self._clock.now())

        in_transaction(self._sessions, advance, retry=self._retry)

    def _apply(self, mails: Sequence[_Mail], uidvalidity: int, *, careful: bool) -> list[_Handled]:
        """Apply and record a batch in one transaction; what was done with each message.

        The fast pass (``careful=False``) applies the messages one after the other and records
        them all in one INSERT at the end; any error escapes and rolls the whole batch back. The
        careful pass, run only then, gives each message a savepoint of its own, so the failing
        message alone is quarantined. Parsing is remembered by each :class:`InboundMail`, so a
        batch redone costs only its database work. A transient database error rolls the batch
        back and runs it again (``tracker.transactions``); it never quarantines a message.
        """
        return in_transaction(
            self._sessions,
            lambda session: self._apply_in(session, mails, uidvalidity, careful=careful),
            retry=self._retry,
        )

    def _apply_in(
        self, session: Session, mails: Sequence[_Mail], uidvalidity: int, *, careful: bool
    ) -> list[_Handled]:
        handled: list[_Handled] = []
        records: list[dict[str, Any]] = []
        keep_loaded_objects(session)
        keys = [repo.message_key(mail.message_id, fetched.raw) for fetched, mail, _ in mails]
        # One query for the batch's earlier records instead of one per message; a message
        # recorded in this batch is added as it is recorded, so a duplicate within the batch
        # is found too.
        recorded = repo.inbound_outcomes(session, keys)
        # The fast pass inserts its answers at the end, like its records; the careful pass
        # inserts them as they come, inside each message's savepoint.
        answers: AbstractContextManager[None] = (
            nullcontext() if careful else outbox.deferring(session)
        )
        with answers:
            for (fetched, mail, found), key in zip(mails, keys, strict=True):
                existing = recorded.get(key)
                if existing is not None:
                    one = _duplicate(fetched.uid, key, existing)
                elif careful:
                    one = self._one_careful(session, fetched, mail, found, key, uidvalidity)
                else:
                    one = self._one(session, fetched, mail, found, key, uidvalidity)
                    records.append(one.record)
                recorded.setdefault(key, one.outcome.outcome)
                handled.append(one)
        repo.record_inbound_many(session, records)
        return handled

    def _one(
        self,
        session: Session,
        fetched: Fetched,
        mail: InboundMail,
        prepared: Classification | None,
        key: str,
        uidvalidity: int,
    ) -> _Handled:
        """Handle one message in the batch's transaction; an error escapes (fast pass)."""
        limits.check(fetched.raw, _size(fetched), self._config.mail)
        found = prepared or classify(mail)
        outcome = apply(ApplyContext(session, self._clock.now(), self._config), mail, found)
        return self._handled(fetched, mail, key, uidvalidity, found, outcome, None)

    def _one_careful(
        self,
        session: Session,
        fetched: Fetched,
        mail: InboundMail,
        prepared: Classification | None,
        key: str,
        uidvalidity: int,
    ) -> _Handled:
        """Handle one message in a savepoint of its own: an error quarantines it alone."""
        found = Classification("unknown", "not classified")
        try:
            with session.begin_nested():
                limits.check(fetched.raw, _size(fetched), self._config.mail)
                found = prepared or classify(mail)
                outcome = apply(ApplyContext(session, self._clock.now(), self._config), mail, found)
                one = self._handled(fetched, mail, key, uidvalidity, found, outcome, None)
                repo.add_inbound(session, one.record)
        except Exception as exc:  # the shunt: whatever went wrong, this message alone
            if is_transient(exc):
                # The database's trouble, not the message's: the poll fails and the message
                # stays in the INBOX, applied when the database answers again.
                raise
            reason = str(exc) if isinstance(exc, MessageError) else f"{type(exc).__name__}: {exc}"
            outcome = Outcome("quarantined", "quarantine", reason)
            one = self._quarantined(
                session, fetched, mail, key, uidvalidity, found, outcome, reason
            )
        return one

    def _quarantined(
        self,
        session: Session,
        fetched: Fetched,
        mail: InboundMail,
        key: str,
        uidvalidity: int,
        found: Classification,
        outcome: Outcome,
        reason: str,
    ) -> _Handled:
        """Record a quarantined message; this can never fail the batch. Its full record first,
        else a last-resort record with only its key, UID and the reason, else (the database
        refuses even that) nothing but the log line: the message still goes to quarantine."""
        try:
            one = self._handled(fetched, mail, key, uidvalidity, found, outcome, reason)
            with session.begin_nested():
                repo.add_inbound(session, one.record)
            return one
        except Exception as exc:
            log.error(
                "inbound uid=%s: its quarantine record failed (%r); recording less",
                fetched.uid,
                exc,
            )
        row = repo.last_resort_row(
            message_key=key, uid=fetched.uid, reason=reason, now=self._clock.now()
        )
        try:
            with session.begin_nested():
                repo.add_inbound(session, row)
        except Exception as exc:
            log.error(
                "inbound uid=%s: not recorded at all (%r); moved to quarantine", fetched.uid, exc
            )
        return _Handled(
            fetched.uid, outcome, row, partial(_log, fetched.uid, key, mail, found, outcome)
        )

    def _handled(
        self,
        fetched: Fetched,
        mail: InboundMail,
        key: str,
        uidvalidity: int,
        found: Classification,
        outcome: Outcome,
        error: str | None,
    ) -> _Handled:
        record = repo.inbound_row(
            message_key=key,
            mailbox=self._config.imap.folders.inbox,
            uidvalidity=uidvalidity,
            uid=fetched.uid,
            kind=found.kind,
            outcome=outcome.outcome,
            error=error,
            sender=mail.sender,
            subject=mail.subject[:500],
            now=self._clock.now(),
            details={"reason": found.reason, **found.details, **outcome.details},
        )
        return _Handled(
            fetched.uid, outcome, record, partial(_log, fetched.uid, key, mail, found, outcome)
        )


def _sizes(mailbox: Mailbox, uids: Sequence[int]) -> dict[int, int]:
    """The messages' sizes when the mailbox can tell them cheaply (IMAP's RFC822.SIZE)."""
    sizes = getattr(mailbox, "sizes", None)
    if sizes is None or not uids:
        return {}
    found: dict[int, int] = sizes(uids)
    return found


# A fetched message, its InboundMail and, when a parse worker prepared it, its classification.
_Mail = tuple[Fetched, InboundMail, Classification | None]


def _size(fetched: Fetched) -> int:
    """The message's size: its server-reported size when it was too large to download."""
    return max(len(fetched.raw), getattr(fetched, "size", 0) or 0)


def _ready(
    batch: Sequence[int], fetched: list[Fetched], pending: Pending
) -> tuple[Sequence[int], list[_Mail]]:
    prepared = pending()
    return batch, [(f, mail, found) for f, (mail, found) in zip(fetched, prepared, strict=True)]


@dataclass(frozen=True)
class _Handled:
    """What was done with one message of a batch; its record and log line wait for the commit."""

    uid: int
    outcome: Outcome
    record: dict[str, Any]
    log: Callable[[], None]


def _duplicate(uid: int, key: str, existing: str) -> _Handled:
    def say() -> None:
        log.info("inbound uid=%s key=%s duplicate of an earlier message", uid, key)

    return _Handled(uid, Outcome("duplicate", destination_of(existing)), {}, say)


def _log(uid: int, key: str, mail: InboundMail, found: Classification, outcome: Outcome) -> None:
    """The message's log line, once its batch has committed."""
    if outcome.outcome == "quarantined":
        log.warning(
            "inbound uid=%s key=%s quarantined: %s",
            uid,
            key,
            outcome.detail,
            extra={"event": "inbound", "uid": uid, "key": key, "outcome": "quarantined"},
        )
        return
    # The meeting and items the message touched, when its handler named them.
    touched: dict[str, object] = {
        k: outcome.details[k] for k in ("meeting", "items") if k in outcome.details
    }
    shown = "".join(f" {k}={','.join(v) if isinstance(v, list) else v}" for k, v in touched.items())
    log.info(
        "inbound uid=%s key=%s kind=%s outcome=%s from=%s %s%s",
        uid,
        key,
        found.kind,
        outcome.outcome,
        mail.sender or "-",
        outcome.detail,
        shown,
        # The same facts as fields, for --log-format json (see mailflow.logs).
        extra={
            "event": "inbound",
            "uid": uid,
            "key": key,
            "kind": found.kind,
            "outcome": outcome.outcome,
            "sender": mail.sender or None,
            **touched,
        },
    )
