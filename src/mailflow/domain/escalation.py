"""Which escalation levels are due for overdue action items, and to whom.

Pure: item values, ``now`` and the escalation settings in; due levels out. The three levels of
the process mailflow serves:

1. the owner, as soon as the item is overdue (past its due time, or the end of its due date, in
   the item's zone);
2. the meeting's organiser/coordinator once the item has been overdue and silent for
   ``level2_after_hours`` (default 24 h);
3. the owner's executive once it has been silent for ``level3_after_hours`` (default 48 h).

"Silent" is measured from the latest of the deadline, the item's creation and its last update:
an owner who writes after the deadline (``60%``) buys another full window, and an item recorded
already overdue is not escalated for silence that happened before it existed. A level is due once:
its key is ref + level + due date, so a DELAY to a new date (which also resets
``escalation_level``) restarts the clock, and levels at or below ``escalation_level`` are taken
as done. After downtime every level whose time has come is returned; each goes to a different
person. Done and cancelled items never escalate.

A level without a usable recipient (no meeting organiser, no executive in the directory, or the
owner themselves) is returned with ``to`` None and a ``skipped_reason`` for the planner to record;
it never blocks the next level. When each mail may leave is decided by
:func:`mailflow.domain.quiet_hours.next_send_time`, executives included: queued, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mailflow.config.schema import ScheduleSettings
from mailflow.domain.followups import ItemState, deadline


@dataclass(frozen=True)
class EscalationDue:
    ref: str
    level: int  # 1 the owner, 2 the organiser/coordinator, 3 the owner's executive
    to: str | None  # None when the level has no recipient; see skipped_reason
    overdue_by: timedelta  # at ``now``
    key: str  # "escalation:<ref>:<level>:<due date>"
    due_at: datetime  # when this level became due
    skipped_reason: str | None = None


def escalations(
    items: Iterable[ItemState], *, now: datetime, settings: ScheduleSettings
) -> list[EscalationDue]:
    """Every escalation level due at ``now`` and not yet done, by item then level."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    due: list[EscalationDue] = []
    for item in items:
        end = deadline(item)
        if not item.is_open or item.due is None or end is None or now < end:
            continue
        for level, due_at in level_times(item, end, settings=settings):
            if level <= item.escalation_level or now < due_at:
                continue
            to, reason = _recipient(item, level)
            key = f"escalation:{item.ref}:{level}:{item.due.isoformat()}"
            due.append(EscalationDue(item.ref, level, to, now - end, key, due_at, reason))
    return due


def level_times(
    item: ItemState, end: datetime, *, settings: ScheduleSettings
) -> list[tuple[int, datetime]]:
    """When each level falls due for an item whose deadline is ``end``."""
    silent_since = max(end, item.created_at)
    if item.last_update_at is not None:
        silent_since = max(silent_since, item.last_update_at)
    hours = settings.escalation
    return [
        (1, end),
        (2, silent_since + timedelta(hours=hours.level2_after_hours)),
        (3, silent_since + timedelta(hours=hours.level3_after_hours)),
    ]


def _recipient(item: ItemState, level: int) -> tuple[str | None, str | None]:
    if level == 1:
        return item.owner, None
    if level == 2:
        who, role = item.meeting_organiser, "meeting organiser"
        missing = "the item has no meeting organiser"
    else:
        who, role = item.owner_executive, "executive"
        missing = f"no executive known for {item.owner}"
    if who is None:
        return None, missing
    if who.casefold() == item.owner.casefold():
        return None, f"the {role} is the owner"
    return who, None
