"""One entry in an action item's history: who did what, when, and from which message."""

from __future__ import annotations

from datetime import datetime

from mailflow.tracker.models import ActionItem, ItemHistory


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
