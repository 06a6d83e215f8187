"""One entry in an action item's history: who did what, when, and from which message."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from datetime import datetime
from typing import TypeVar

from mailflow.tracker.models import ActionItem, ItemHistory, ItemStatus

K = TypeVar("K", bound=Hashable)


def history(
    item: ActionItem,
    *,
    at: datetime,
    actor: str,
    kind: str,
    field_name: str | None = None,
    old: object = None,
    new: object = None,
    source: str | None = None,
) -> None:
    item.history.append(
        ItemHistory(
            at=at,
            actor=actor,
            kind=kind,
            field=field_name,
            old_value=None if old is None else str(old),
            new_value=None if new is None else str(new),
            source_message_id=source,
        )
    )


def cancel_dropped(
    existing: Mapping[K, ActionItem],
    seen: Collection[K],
    *,
    now: datetime,
    actor: str,
    source: str | None,
) -> list[str]:
    """Cancel the items a corrected document no longer lists (``existing`` not in ``seen``),
    each with its history entry; the change lines (``- REF: task (dropped)``) for the receipt."""
    changes: list[str] = []
    for key, item in existing.items():
        if key in seen:
            continue
        history(
            item,
            at=now,
            actor=actor,
            kind="status",
            field_name="status",
            old=item.status.value,
            new=ItemStatus.CANCELLED.value,
            source=source,
        )
        item.status = ItemStatus.CANCELLED
        item.updated_at = now
        changes.append(f"- {item.ref}: {item.description} (dropped)")
    return changes
