"""Reads of collaboration requests (协作需求单, items of kind ``request``): the ones waiting for
their receiver, how each reached its owner, and which item a reply answers.

Each function takes the caller's ``Session`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.tracker.models import ActionItem, ItemHistory, OutboxRow


@dataclass(frozen=True)
class Step:
    """One history row of an item, as the request reminders read it: when, what, who."""

    at: datetime
    kind: str
    actor: str


@dataclass(frozen=True)
class MailAbout:
    """An outbox row's Message-ID and the ref of the item it was about."""

    message_id: str | None
    ref: str


def unconfirmed_open_items(session: Session, kind: str) -> Sequence[ActionItem]:
    """The open items of ``kind`` their owner has not confirmed, by id."""
    return session.scalars(
        select(ActionItem)
        .where(
            ActionItem.kind == kind,
            ActionItem.status.in_(OPEN_STATUSES),
            ActionItem.confirmed_at.is_(None),
        )
        .order_by(ActionItem.id)
    ).all()


def steps_of_item(session: Session, item_id: int) -> list[Step]:
    """The item's history as steps, oldest first."""
    rows = session.execute(
        select(ItemHistory.at, ItemHistory.kind, ItemHistory.actor)
        .where(ItemHistory.item_id == item_id)
        .order_by(ItemHistory.id)
    )
    return [Step(*row) for row in rows]


def items_mailed_with(
    session: Session, message_ids: Collection[str], kinds: Collection[str]
) -> list[MailAbout]:
    """The items that outbox rows of ``kinds`` carrying one of ``message_ids`` were about, in no
    particular order."""
    rows = session.execute(
        select(OutboxRow.message_id, ActionItem.ref)
        .join(ActionItem, ActionItem.id == OutboxRow.item_id)
        .where(OutboxRow.message_id.in_(list(message_ids)), OutboxRow.kind.in_(kinds))
    )
    return [MailAbout(*row) for row in rows]
