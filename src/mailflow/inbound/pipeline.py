"""The inbound path: new messages in the bot's inbox → classify → apply → record → file.

One poll fetches every message above the mailbox checkpoint, in batches. A batch is one database
transaction; each message in it gets its own savepoint, so a message is applied together with its
inbound record or not at all, and a failing message is quarantined without disturbing the others
(Mailman's shunt queue). Messages are moved (processed / quarantine) or flagged (left for a person)
only after the batch has committed; the checkpoint advances after the moves. A crash anywhere
therefore re-fetches at most one batch, and the inbound record keyed by Message-ID makes the second
pass file those messages without applying them again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from mailflow.clock import Clock
from mailflow.config.schema import Config
from mailflow.errors import MessageError
from mailflow.inbound import limits
from mailflow.inbound.apply import ApplyContext, Destination, Outcome
from mailflow.inbound.classify import Classification, classify
from mailflow.inbound.handlers import apply
from mailflow.inbound.mail import InboundMail
from mailflow.tracker import repo
from mailflow.tracker.ops_report import note_unprocessed

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


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _keep_loaded_objects(session: Session) -> None:
    """Hold every object ``session`` loads until the session ends (one batch).

    The identity map holds objects weakly: a meeting loaded for one reply was garbage once that
    reply was recorded, so the next reply about it loaded the meeting and its attendees again.
    Kept, the batch's replies about one meeting share one load of it, as they share its
    transaction. Only loaded objects are kept, so a batch holds at most what it touched.
    """
    kept: list[object] = session.info.setdefault("mailflow.kept", [])

    def keep(_session: Session, instance: object) -> None:
        kept.append(instance)

    event.listen(session, "loaded_as_persistent", keep)


class InboundPipeline:
    def __init__(self, config: Config, sessions: Callable[[], Session], clock: Clock) -> None:
        self._config = config
        self._sessions = sessions
        self._clock = clock

    def poll(
        self, mailbox: Mailbox, on_batch: Callable[[int, int], None] | None = None
    ) -> PollResult:
        """Handle every message above the checkpoint; returns what happened, for logs and tests."""
        inbox = self._config.imap.folders.inbox
        uidvalidity = mailbox.select(inbox)
        with self._sessions() as session:
            checkpoint = repo.get_checkpoint(session, inbox)
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
            with self._sessions() as session, session.begin():
                note_unprocessed(session, len(uids), self._clock.now())
        handled = 0
        for batch in _chunks(uids, self._config.imap.batch_size):
            handled += len(batch)
            self._batch(mailbox, batch, uidvalidity, result, remaining=len(uids) - handled)
            if on_batch is not None:
                on_batch(result.fetched, len(uids))
        return result

    def _batch(
        self,
        mailbox: Mailbox,
        uids: Sequence[int],
        uidvalidity: int,
        result: PollResult,
        *,
        remaining: int = 0,
    ) -> None:
        inbox = self._config.imap.folders.inbox
        filed: dict[Destination, list[int]] = {"processed": [], "quarantine": [], "inbox": []}
        with self._sessions() as session, session.begin():
            _keep_loaded_objects(session)
            mails = [(fetched, InboundMail(fetched.raw)) for fetched in mailbox.fetch(uids)]
            keys = [repo.message_key(mail.message_id, fetched.raw) for fetched, mail in mails]
            # One query for the batch's earlier records instead of one per message; a message
            # recorded in this batch is added as it is recorded, so a duplicate within the batch
            # is found too.
            recorded = repo.inbound_outcomes(session, keys)
            for (fetched, mail), key in zip(mails, keys, strict=True):
                outcome = self._one(session, fetched, mail, key, recorded, uidvalidity)
                recorded.setdefault(key, outcome.outcome)
                filed[outcome.destination].append(fetched.uid)
                result.count(outcome.outcome)
        # The batch is committed: only now may the messages leave the inbox.
        folders = self._config.imap.folders
        if filed["processed"]:
            mailbox.move(filed["processed"], folders.processed)
        if filed["quarantine"]:
            mailbox.move(filed["quarantine"], folders.quarantine)
        if filed["inbox"]:
            mailbox.flag(filed["inbox"], FLAG_FOR_PERSON)
        with self._sessions() as session, session.begin():
            repo.save_checkpoint(session, inbox, uidvalidity, max(uids), self._clock.now())
            note_unprocessed(session, remaining, self._clock.now())

    def _one(
        self,
        session: Session,
        fetched: Fetched,
        mail: InboundMail,
        key: str,
        recorded: Mapping[str, str],
        uidvalidity: int,
    ) -> Outcome:
        """Handle one message; ``recorded`` holds the outcomes already recorded under its key."""
        existing = recorded.get(key)
        if existing is not None:
            log.info("inbound uid=%s key=%s duplicate of an earlier message", fetched.uid, key)
            return Outcome("duplicate", destination_of(existing))
        now = self._clock.now()
        found = Classification("unknown", "not classified")
        try:
            with session.begin_nested():
                size = max(len(fetched.raw), getattr(fetched, "size", 0) or 0)
                limits.check(fetched.raw, size, self._config.mail)
                found = classify(mail)
                outcome = apply(ApplyContext(session, now, self._config), mail, found)
                self._record(session, mail, key, fetched.uid, uidvalidity, found, outcome, None)
        except (
            Exception
        ) as exc:  # the shunt: whatever went wrong, this message alone is quarantined
            reason = str(exc) if isinstance(exc, MessageError) else f"{type(exc).__name__}: {exc}"
            outcome = Outcome("quarantined", "quarantine", reason)
            with session.begin_nested():
                self._record(session, mail, key, fetched.uid, uidvalidity, found, outcome, reason)
            log.warning(
                "inbound uid=%s key=%s quarantined: %s",
                fetched.uid,
                key,
                reason,
                extra={
                    "event": "inbound",
                    "uid": fetched.uid,
                    "key": key,
                    "outcome": "quarantined",
                },
            )
            return outcome
        # The meeting and items the message touched, when its handler named them.
        touched: dict[str, object] = {
            k: outcome.details[k] for k in ("meeting", "items") if k in outcome.details
        }
        shown = "".join(
            f" {k}={','.join(v) if isinstance(v, list) else v}" for k, v in touched.items()
        )
        log.info(
            "inbound uid=%s key=%s kind=%s outcome=%s from=%s %s%s",
            fetched.uid,
            key,
            found.kind,
            outcome.outcome,
            mail.sender or "-",
            outcome.detail,
            shown,
            # The same facts as fields, for --log-format json (see mailflow.logs).
            extra={
                "event": "inbound",
                "uid": fetched.uid,
                "key": key,
                "kind": found.kind,
                "outcome": outcome.outcome,
                "sender": mail.sender or None,
                **touched,
            },
        )
        return outcome

    def _record(
        self,
        session: Session,
        mail: InboundMail,
        key: str,
        uid: int,
        uidvalidity: int,
        found: Classification,
        outcome: Outcome,
        error: str | None,
    ) -> None:
        repo.record_inbound(
            session,
            message_key=key,
            mailbox=self._config.imap.folders.inbox,
            uidvalidity=uidvalidity,
            uid=uid,
            kind=found.kind,
            outcome=outcome.outcome,
            error=error,
            sender=mail.sender,
            subject=mail.subject[:500],
            now=self._clock.now(),
            details={"reason": found.reason, **found.details, **outcome.details},
        )
