"""Small repositories over the tracker: mailbox checkpoints, the inbound log, status and counters.

Each function takes the caller's ``Session`` and leaves committing to the caller, so several of
them can form one transaction. Time is an argument (``now``); nothing here reads the clock.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mailflow.storable import storable, storable_json
from mailflow.tracker.models import (
    Base,
    Counter,
    DaemonStatus,
    InboundMessage,
    InboundOutcome,
    MailboxCheckpoint,
)

# The longest message key stored verbatim; RFC 5322 lines stop at 998 characters anyway.
MAX_MESSAGE_KEY = 998
ITEM_REF_COUNTER = "action_item_ref"

_BRACKETED_ID = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class Checkpoint:
    """How far a mailbox was read: resume after ``last_uid`` unless UIDVALIDITY changed."""

    mailbox: str
    uidvalidity: int
    last_uid: int
    updated_at: datetime


@dataclass(frozen=True)
class StatusEntry:
    value: str
    updated_at: datetime


def upsert(session: Session, entity: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT for ``entity``, which offers ``on_conflict_do_*`` on both backends."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(entity)
    if name == "sqlite":
        return sqlite.insert(entity)
    raise NotImplementedError(f"the tracker supports SQLite and PostgreSQL, not {name}")


# --- mailbox checkpoints ------------------------------------------------------------------------


def get_checkpoint(session: Session, mailbox: str) -> Checkpoint | None:
    row = session.scalar(select(MailboxCheckpoint).where(MailboxCheckpoint.mailbox == mailbox))
    return None if row is None else _checkpoint(row)


def save_checkpoint(
    session: Session, mailbox: str, uidvalidity: int, last_uid: int, now: datetime
) -> None:
    """Record that ``mailbox`` has been handled up to ``last_uid`` under ``uidvalidity``."""
    values = {"uidvalidity": uidvalidity, "last_uid": last_uid, "updated_at": now}
    statement = upsert(session, MailboxCheckpoint).values(mailbox=mailbox, **values)
    session.execute(statement.on_conflict_do_update(index_elements=["mailbox"], set_=values))


def list_checkpoints(session: Session) -> list[Checkpoint]:
    rows = session.scalars(select(MailboxCheckpoint).order_by(MailboxCheckpoint.mailbox))
    return [_checkpoint(row) for row in rows]


def _checkpoint(row: MailboxCheckpoint) -> Checkpoint:
    return Checkpoint(row.mailbox, row.uidvalidity, row.last_uid, row.updated_at)


# --- inbound log --------------------------------------------------------------------------------


def message_key(message_id_header: str | None, raw: bytes) -> str:
    """The key an inbound message is recorded under: ``<id>`` from Message-ID, else a hash.

    Folding whitespace, comments and missing angle brackets are tolerated; the id keeps its case,
    because the local part of a Message-ID is case-sensitive. A message without a usable id (or an
    absurdly long one) is keyed by ``sha256:<hex>`` of its raw bytes.
    """
    if message_id_header:
        match = _BRACKETED_ID.search(message_id_header)
        if match:
            identifier = match.group(1)
        else:
            tokens = message_id_header.split()
            identifier = tokens[0].strip("<>") if tokens else ""
        key = f"<{identifier}>"
        # An id with characters no database stores (NUL, a lone surrogate) is keyed by hash too.
        if identifier and len(key) <= MAX_MESSAGE_KEY and storable(key, one_line=True) == key:
            return key
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def find_inbound(session: Session, message_key: str) -> InboundMessage | None:
    return session.scalar(select(InboundMessage).where(InboundMessage.message_key == message_key))


def inbound_outcomes(session: Session, message_keys: Sequence[str]) -> dict[str, str]:
    """The recorded outcome of each of ``message_keys`` that has a record: one query for a batch."""
    if not message_keys:
        return {}
    rows = session.execute(
        select(InboundMessage.message_key, InboundMessage.outcome).where(
            InboundMessage.message_key.in_(set(message_keys))
        )
    )
    return {key: str(outcome) for key, outcome in rows}


def inbound_row(
    *,
    message_key: str,
    kind: str,
    outcome: InboundOutcome | str,
    now: datetime,
    received_at: datetime | None = None,
    mailbox: str | None = None,
    uidvalidity: int | None = None,
    uid: int | None = None,
    sender: str | None = None,
    subject: str | None = None,
    error: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of one inbound record. ``outcome`` may be given as its string value; an
    unknown one is a ValueError here, not a CHECK failure at commit."""
    # Whatever came from the mail is made storable here too: the record must never fail.
    return {
        "message_key": storable(message_key, MAX_MESSAGE_KEY, one_line=True),
        "kind": storable(kind, 32),
        "outcome": InboundOutcome(outcome),
        "received_at": received_at or now,
        "processed_at": now,
        "mailbox": None if mailbox is None else storable(mailbox, 255),
        "uidvalidity": uidvalidity,
        "uid": uid,
        "sender": None if sender is None else storable(sender, 320, one_line=True),
        "subject": None if subject is None else storable(subject, 1_000, one_line=True),
        "error": None if error is None else storable(error, 4_000),
        "details": storable_json(dict(details or {}), limit=2_000),
    }


def last_resort_row(
    *, message_key: str, uid: int | None, reason: str, now: datetime
) -> dict[str, Any]:
    """The smallest record of a quarantined message, for when even its full record failed."""
    return inbound_row(
        message_key=message_key,
        kind="unknown",
        outcome=InboundOutcome.QUARANTINED,
        now=now,
        uid=uid,
        error=f"recorded without details: {reason}",
    )


def record_inbound(session: Session, **columns: Any) -> InboundMessage:
    """Record what was done with one inbound message, in the caller's transaction.

    Takes :func:`inbound_row`'s arguments. The unique key makes a second record of the same
    message fail the whole transaction, which is what two replicas racing on one message need:
    the loser's changes roll back with it.
    """
    return add_inbound(session, inbound_row(**columns))


def add_inbound(session: Session, row: dict[str, Any]) -> InboundMessage:
    """Insert one :func:`inbound_row` record now (flushed), in the caller's transaction."""
    record = InboundMessage(**row)
    session.add(record)
    session.flush()
    return record


def record_inbound_many(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many :func:`inbound_row` records in one statement (a batch's, at its end)."""
    if rows:
        session.execute(insert(InboundMessage), list(rows))


# --- daemon status ------------------------------------------------------------------------------


def set_status(session: Session, key: str, value: str, now: datetime) -> None:
    """Set one status value shown by ``mailflow status`` (e.g. ``last_poll_ok``)."""
    statement = upsert(session, DaemonStatus).values(key=key, value=value, updated_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"], set_={"value": value, "updated_at": now}
        )
    )


def get_status(session: Session) -> dict[str, StatusEntry]:
    rows = session.scalars(select(DaemonStatus).order_by(DaemonStatus.key))
    return {row.key: StatusEntry(row.value, row.updated_at) for row in rows}


# --- counters and item refs ---------------------------------------------------------------------


def next_counter(session: Session, name: str) -> int:
    """The next value of counter ``name`` (1, 2, ...), unique across concurrent transactions.

    One atomic upsert: on PostgreSQL the counter row stays locked until the caller commits, so a
    concurrent caller waits and then sees the new value; SQLite serialises writers anyway. The
    price is that numbers are handed out one transaction at a time, which item creation can afford.
    """
    statement = (
        upsert(session, Counter)
        .values(name=name, value=1)
        .on_conflict_do_update(index_elements=["name"], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )
    value: int = session.execute(statement).scalar_one()
    return value


def allocate_item_ref(session: Session, prefix: str = "MF") -> str:
    """A new action-item ref such as ``MF-0042``; numbers grow past four digits when needed."""
    return f"{prefix}-{next_counter(session, ITEM_REF_COUNTER):04d}"
