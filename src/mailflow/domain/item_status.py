"""The states of an action item, request or issue — defined once, here.

The four the collaboration guides name (未开始 / 进行中 / 已完成 / 延期) plus 待验收 (its owner said
DONE; its acceptor has not checked the deliverable yet) and cancelled. An item is *open* while its
owner still has work to do: not started, in progress or delayed.
"""

from __future__ import annotations

from enum import StrEnum


class ItemStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    # Its owner said DONE; its acceptor has not checked the deliverable yet (待验收).
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    DONE = "done"
    DELAYED = "delayed"
    CANCELLED = "cancelled"


# Open: the owner still has work to do (reminders, escalation and at-risk look at these).
OPEN_STATUSES: tuple[ItemStatus, ...] = (
    ItemStatus.NOT_STARTED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.DELAYED,
)
# The same as the strings mails and exports carry.
OPEN_STATUS_NAMES: tuple[str, ...] = tuple(status.value for status in OPEN_STATUSES)
