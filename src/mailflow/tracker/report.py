"""Read-only figures for ``mailflow status``: what came in, what went out, and what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailflow.tracker.models import (
    DaemonStatus,
    InboundMessage,
    InboundOutcome,
    OutboxRow,
    OutboxStatus,
)
from mailflow.tracker.repo import Checkpoint, StatusEntry, get_status, list_checkpoints


@dataclass(frozen=True)
class ErrorEntry:
    """One recent failure: a quarantined message, an outbox row's last error, a daemon outage."""

    at: datetime
    source: str  # "inbound", "outbox" or "daemon"
    ref: str  # the message key, the outbox idempotency key, or the daemon status key
    error: str


@dataclass(frozen=True)
class StatusReport:
    inbound: dict[tuple[str, str], int] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)
    errors: list[ErrorEntry] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    status: dict[str, StatusEntry] = field(default_factory=dict)


def inbound_counts(session: Session) -> dict[tuple[str, str], int]:
    """Inbound messages counted by (kind, outcome)."""
    statement = select(InboundMessage.kind, InboundMessage.outcome, func.count()).group_by(
        InboundMessage.kind, InboundMessage.outcome
    )
    return {(kind, str(outcome)): count for kind, outcome, count in session.execute(statement)}


def outbox_counts(session: Session) -> dict[str, int]:
    """Outbox rows counted by status; every status is present, zero included."""
    counts = {str(status): 0 for status in OutboxStatus}
    statement = select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
    for status, count in session.execute(statement):
        counts[str(status)] = count
    return counts


def recent_errors(session: Session, limit: int = 10) -> list[ErrorEntry]:
    """The ``limit`` newest errors from both logs, newest first."""
    inbound = session.execute(
        select(InboundMessage.processed_at, InboundMessage.message_key, InboundMessage.error)
        .where(
            (InboundMessage.outcome == InboundOutcome.QUARANTINED)
            | InboundMessage.error.is_not(None)
        )
        .order_by(InboundMessage.processed_at.desc(), InboundMessage.id.desc())
        .limit(limit)
    )
    outbox = session.execute(
        select(OutboxRow.updated_at, OutboxRow.idempotency_key, OutboxRow.last_error)
        .where(OutboxRow.last_error.is_not(None))
        .order_by(OutboxRow.updated_at.desc(), OutboxRow.id.desc())
        .limit(limit)
    )
    # The daemon records outages (e.g. ``last_inbox_error``) as status values named ``*_error``.
    daemon = session.execute(
        select(DaemonStatus.updated_at, DaemonStatus.key, DaemonStatus.value)
        .where(DaemonStatus.key.like("%\\_error", escape="\\"), DaemonStatus.value != "")
        .order_by(DaemonStatus.updated_at.desc())
        .limit(limit)
    )
    entries = [ErrorEntry(at, "inbound", key, error or "") for at, key, error in inbound]
    entries += [ErrorEntry(at, "outbox", key, error or "") for at, key, error in outbox]
    entries += [ErrorEntry(at, "daemon", key, value) for at, key, value in daemon]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def status_report(session: Session, *, errors_limit: int = 10) -> StatusReport:
    """Everything ``mailflow status`` shows, read in one go."""
    return StatusReport(
        inbound=inbound_counts(session),
        outbox=outbox_counts(session),
        errors=recent_errors(session, errors_limit),
        checkpoints=list_checkpoints(session),
        status=get_status(session),
    )
