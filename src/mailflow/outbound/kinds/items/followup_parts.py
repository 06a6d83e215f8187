"""What the follow-up mails share: reminder stages, reply-command examples and List-Unsubscribe.

Pure helpers for :mod:`~mailflow.outbound.kinds.items.followup_mail` (reminders, weekly progress
request and nudge) and :mod:`~mailflow.outbound.kinds.items.escalation_mail`. Stages use the
planner's names (:mod:`mailflow.domain.followups`): ``before_N`` (N business days before the due
date), ``due_today`` and ``overdue``. Each stage is written once here, in both languages, so a
subject and a table cell never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from mailflow.outbound.kinds.minutes.minutes_parts import (
    item_from_json,
    item_json,
    one_line,
    short_day,
)
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.payload_fields import JSONObject, obj
from mailflow.outbound.rendering.templating import is_chinese, wording

DUE_TODAY = "due_today"
OVERDUE = "overdue"
_BEFORE = re.compile(r"^before_(?P<days>[1-9]\d{0,2})$")
# The subject of the mail a List-Unsubscribe mailto opens; the inbound side reads it as the
# command (mailflow.domain.reply_commands.wants_stop_reminders).
STOP_SUBJECT = "STOP REMINDERS"


def check_stage(stage: str, overdue_days: int) -> None:
    """Raise ValueError unless ``stage`` is a known stage and ``overdue_days`` fits it."""
    if not is_reminder_stage(stage):
        raise ValueError(f"unknown reminder stage {stage!r}")
    if (stage == OVERDUE) != (overdue_days > 0):
        raise ValueError(f"stage {stage!r} with overdue_days={overdue_days}")


@dataclass(frozen=True)
class DueItem:
    """An item its owner is reminded of, and why now: ``stage`` and, when overdue, by how much."""

    item: ItemRow
    stage: str  # "before_3", "before_1", "due_today" or "overdue"
    overdue_days: int = 0  # calendar days past the due date; > 0 exactly when overdue

    def __post_init__(self) -> None:
        check_stage(self.stage, self.overdue_days)


def due_item_json(entry: DueItem) -> JSONObject:
    return {**item_json(entry.item), "stage": entry.stage, "overdue_days": entry.overdue_days}


def due_item_from_json(value: object) -> DueItem:
    data = obj(value, "items")
    days = data.get("overdue_days") or 0
    if not isinstance(days, int) or isinstance(days, bool):
        raise TypeError(f"overdue_days must be a whole number, not {days!r}")
    return DueItem(item_from_json(data), str(data["stage"]), days)


def urgency(entry: DueItem) -> tuple[int, int, str]:
    """Sort key: the most overdue first, then due today, then the nearest due date."""
    if entry.stage == OVERDUE:
        return (0, -entry.overdue_days, entry.item.ref)
    if entry.stage == DUE_TODAY:
        return (1, 0, entry.item.ref)
    match = _BEFORE.match(entry.stage)
    return (2, int(match["days"]) if match else 0, entry.item.ref)


def late_label(days: int, locale: str) -> str:
    """``overdue by 3 days`` / ``已逾期3天`` / ``已逾期 3 天``."""
    if wording(locale) == "zh_TW":
        return f"已逾期 {days} 天"
    if is_chinese(locale):
        return f"已逾期{days}天"
    return f"overdue by {days} day{'' if days == 1 else 's'}"


def describe_stage(stage: str, overdue_days: int, locale: str) -> str:
    """``due in 3 business days``, ``due today``, ``overdue by 2 days``, and the same in Chinese."""
    if stage == OVERDUE:
        return late_label(overdue_days, locale)
    if stage == DUE_TODAY:
        return "今天到期" if is_chinese(locale) else "due today"  # the same in Traditional
    match = _BEFORE.match(stage)
    if match is None:
        raise ValueError(f"unknown reminder stage {stage!r}")
    days = int(match["days"])
    if wording(locale) == "zh_TW":
        return f"還有 {days} 個工作日到期"
    if is_chinese(locale):
        return f"还有{days}个工作日到期"
    return f"due in {days} business day{'' if days == 1 else 's'}"


def stage_label(entry: DueItem, locale: str) -> str:
    return describe_stage(entry.stage, entry.overdue_days, locale)


def is_reminder_stage(stage: str) -> bool:
    return stage in (DUE_TODAY, OVERDUE) or _BEFORE.match(stage) is not None


def command_example(refs: Sequence[str], today: date, locale: str) -> dict[str, Any]:
    """What the command examples quote: the reader's own refs and a plausible new due date.

    The date is a week after ``today``, not after the due date: for an overdue item that would
    be a date already past, which a DELAY refuses.
    """
    later = today + timedelta(days=7)
    zh = is_chinese(locale)
    first = refs[0] if refs else "MF-0042"
    return {
        "ref": first,
        "refs": list(refs[:3]) or [first],
        "delay_date": short_day(later, locale) if zh else later.isoformat(),
        # The same date in the other language's commands, which are mentioned too.
        "delay_zh": short_day(later, "zh_CN"),
        "delay_iso": later.isoformat(),
        "reason": {"zh_CN": "等待预算审批", "zh_TW": "等待預算核准"}.get(
            wording(locale), "waiting for budget approval"
        ),
    }


def weekly_lines(example: Mapping[str, Any], locale: str) -> list[str]:
    """One answer line per item (up to three) as the weekly request shows them: progress, done,
    a delay. One item gets one line: three answers for one item would contradict each other.
    """
    refs = list(example["refs"])
    done, delay = ("完成", "延期") if is_chinese(locale) else ("DONE", "DELAY")
    lines = [
        f"{refs[0]} 60%",
        f"{refs[1]} {done}" if len(refs) > 1 else "",
        f"{refs[2]} {delay} {example['delay_date']} {example['reason']}" if len(refs) > 2 else "",
    ]
    return [line for line in lines if line]


def unsubscribe_header(msg: EmailMessage, address: str) -> None:
    """Add ``List-Unsubscribe`` (RFC 2369) as a mailto whose subject is the STOP command.

    No ``List-Unsubscribe-Post``: RFC 8058 one-click needs an https URI, and mailflow serves none.
    """
    target = quote(one_line(address), safe="@+")
    if not target:
        raise ValueError("an unsubscribe address is required")
    msg["List-Unsubscribe"] = f"<mailto:{target}?subject={quote(STOP_SUBJECT)}>"
