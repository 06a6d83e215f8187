"""Operational figures for ``mailflow status`` and the Prometheus endpoint, read-only, in one go.

What an operator watches: messages by kind and outcome, the outbox by status and how long its
oldest unsent mail has waited, the inbox backlog the pipeline has not handled yet, the last
successful poll and send, and the open escalations. Every figure is a query of the tracker at
``now``: the daemon keeps no counters of its own, so replicas, restarts and a scrape of another
replica's database all agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.tracker import repo
from mailflow.tracker.models import (
    ActionItem,
    DaemonStatus,
    InboundMessage,
    InboundOutcome,
    OutboxRow,
    OutboxStatus,
)
from mailflow.tracker.report import inbound_counts, outbox_counts

# Daemon status keys written elsewhere: by the daemon after each poll, by the outbox flusher after
# each send, and by the inbound pipeline while a poll has messages still to handle.
LAST_POLL, LAST_SEND = "last_poll", "last_send"
UNPROCESSED, UNPROCESSED_SINCE = "inbox_unprocessed", "inbox_unprocessed_since"
# Level 1 is the owner's own overdue notice; from level 2 someone else has been told.
ESCALATED_LEVEL = 2
UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True)
class OpsFigures:
    inbound: dict[tuple[str, str], int] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)
    # When the oldest unsent row was planned, and since when the longest-waiting *due* row has
    # been due: a reminder held for quiet hours waits legitimately; a due row that waits does not.
    oldest_unsent_at: datetime | None = None
    oldest_due_at: datetime | None = None
    unprocessed: int = 0
    unprocessed_since: datetime | None = None
    last_poll: datetime | None = None
    last_send: datetime | None = None
    open_escalations: int = 0
    # The newest quarantined message and the newest failed outbox row: when, and why.
    last_quarantined: tuple[datetime, str] | None = None
    last_failed: tuple[datetime, str] | None = None

    @property
    def quarantined(self) -> int:
        return sum(n for (_, outcome), n in self.inbound.items() if outcome == "quarantined")

    @property
    def failed(self) -> int:
        return self.outbox.get(str(OutboxStatus.FAILED), 0)

    @property
    def outbox_depth(self) -> int:
        return sum(self.outbox.get(str(status), 0) for status in UNSENT)


def _parse_instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _status_times(session: Session) -> dict[str, tuple[str, datetime]]:
    keys = (LAST_POLL, LAST_SEND, UNPROCESSED, UNPROCESSED_SINCE)
    rows = session.execute(
        select(DaemonStatus.key, DaemonStatus.value, DaemonStatus.updated_at).where(
            DaemonStatus.key.in_(keys)
        )
    )
    return {key: (value, updated_at) for key, value, updated_at in rows}


def ops_figures(session: Session, now: datetime) -> OpsFigures:
    """Every figure, read in one session; ``now`` decides which unsent rows are due."""
    unsent = OutboxRow.status.in_(UNSENT)
    oldest_unsent_at = session.scalar(select(func.min(OutboxRow.created_at)).where(unsent))
    oldest_due_at = session.scalar(
        select(func.min(OutboxRow.next_attempt_at)).where(unsent, OutboxRow.next_attempt_at <= now)
    )
    open_escalations = session.scalar(
        select(func.count())
        .select_from(ActionItem)
        .where(
            ActionItem.escalation_level >= ESCALATED_LEVEL,
            ActionItem.status.in_(OPEN_STATUSES),
        )
    )
    status = _status_times(session)
    count_text = status.get(UNPROCESSED, ("0", now))[0]
    unprocessed = int(count_text) if count_text.isdigit() else 0
    return OpsFigures(
        inbound=inbound_counts(session),
        outbox=outbox_counts(session),
        oldest_unsent_at=oldest_unsent_at,
        oldest_due_at=oldest_due_at,
        unprocessed=unprocessed,
        unprocessed_since=(
            _parse_instant(status.get(UNPROCESSED_SINCE, ("", now))[0]) if unprocessed else None
        ),
        # The time of the event is the row's updated_at; the value repeats it for people.
        last_poll=status[LAST_POLL][1] if LAST_POLL in status else None,
        last_send=status[LAST_SEND][1] if LAST_SEND in status else None,
        open_escalations=open_escalations or 0,
        last_quarantined=_newest(
            session,
            select(InboundMessage.processed_at, InboundMessage.error)
            .where(InboundMessage.outcome == InboundOutcome.QUARANTINED)
            .order_by(InboundMessage.processed_at.desc(), InboundMessage.id.desc()),
        ),
        last_failed=_newest(
            session,
            select(OutboxRow.updated_at, OutboxRow.last_error)
            .where(OutboxRow.status == OutboxStatus.FAILED)
            .order_by(OutboxRow.updated_at.desc(), OutboxRow.id.desc()),
        ),
    )


def _newest(session: Session, statement: Any) -> tuple[datetime, str] | None:
    """The first row of ``statement`` (a select of a time and a text), or None."""
    found = session.execute(statement.limit(1)).first()
    if found is None:
        return None
    at, text = found
    return at, str(text or "")


def note_unprocessed(session: Session, remaining: int, now: datetime) -> None:
    """Record how many messages of the current poll still wait to be handled (0: none).

    The moment the backlog began is kept while it lasts, so its age is the lower bound of how
    long the oldest of those messages has waited (the inbox does not say when each arrived
    without fetching it).
    """
    previous = session.get(DaemonStatus, UNPROCESSED)
    if remaining and (previous is None or previous.value in ("", "0")):
        repo.set_status(session, UNPROCESSED_SINCE, now.isoformat(), now)
    repo.set_status(session, UNPROCESSED, str(remaining), now)
