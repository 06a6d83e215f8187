"""The rows of the digest mails as both templates show them, dates and labels in the reader's
language and zone. Pure: :mod:`~mailflow.outbound.kinds.digest.digest_mail` feeds them the payload's
values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from mailflow.outbound.kinds.digest.digest_chart import OPEN_STATUSES
from mailflow.outbound.kinds.digest.digest_data import Decision, MeetingAhead, MinutesGap
from mailflow.outbound.kinds.minutes.minutes_parts import Namer, item_view, short_day
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.templating import format_short, wording

_LEVELS = {
    "en": ("not yet", "level 1 (owner)", "level 2 (organiser)", "level 3 (executive)"),
    "zh_CN": ("未升级", "第1级（负责人）", "第2级（组织者）", "第3级（主管领导）"),
    "zh_TW": ("未通報", "第 1 級（負責人）", "第 2 級（召集人）", "第 3 級（主管）"),
}


def level_label(level: int, locale: str) -> str:
    """How far an overdue item has been escalated: ``level 2 (organiser)`` / ``第2级（组织者）``."""
    return _LEVELS[wording(locale)][level]


def decision_view(decision: Decision, locale: str) -> dict[str, Any]:
    return {
        "day": short_day(decision.day, locale),
        "meeting": decision.meeting,
        "text": decision.text,
    }


def meeting_view(meeting: MeetingAhead, zone: str, locale: str) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "when": format_short(meeting.start, zone, locale),
        "organiser": meeting.organiser,
        "accepted": meeting.accepted,
        "declined": meeting.declined,
        "tentative": meeting.tentative,
        "no_answer": meeting.no_answer,
    }


def gap_view(gap: MinutesGap, as_of: datetime, zone: str, locale: str) -> dict[str, Any]:
    """Minutes still missing (hours past the deadline at ``as_of``) or received late."""
    end = gap.received or as_of
    hours = max(0, int((end - gap.deadline).total_seconds() // 3600))
    if wording(locale) == "zh_TW":
        state = (
            f"尚未收到，已超過期限 {hours} 小時" if gap.received is None else f"遲交 {hours} 小時"
        )
    elif wording(locale) == "zh_CN":
        state = (
            f"尚未收到，已超过截止时间{hours}小时" if gap.received is None else f"迟交{hours}小时"
        )
    elif gap.received is None:
        state = f"missing, {hours} h past the deadline"
    else:
        state = f"received {hours} h late"
    return {
        "title": gap.title,
        "held": format_short(gap.start, zone, locale),
        "deadline": format_short(gap.deadline, zone, locale),
        "scribe": gap.scribe,
        "missing": gap.received is None,
        "hours": hours,
        "state": state,
    }


def detail_rows(
    items: Sequence[ItemRow], today: date, locale: str, name: Namer, zone: str
) -> list[dict[str, Any]]:
    """Every item of a department: open ones first by due date, each with its days late."""

    def days_late(item: ItemRow) -> int:
        if item.status not in OPEN_STATUSES or item.due is None or item.due >= today:
            return 0
        return (today - item.due).days

    def order(item: ItemRow) -> tuple[bool, bool, date, str]:
        return (item.status not in OPEN_STATUSES, item.due is None, item.due or today, item.ref)

    return [
        {**item_view(item, locale, name, zone), "days": days_late(item)}
        for item in sorted(items, key=order)
    ]
