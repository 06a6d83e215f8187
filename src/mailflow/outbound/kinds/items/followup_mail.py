"""Outbox kinds ``item_reminder``, ``weekly_progress`` and ``weekly_nudge``: asking owners for news.

The reminder is one mail per owner listing every item of theirs that needs a word, each with its
stage (due in 3 business days, due today, overdue by 2 days). The weekly request lists the owner's
open items and asks for one line per item by the answer time; the nudge follows up an unanswered
request. All three explain the ref-prefixed reply commands and carry ``List-Unsubscribe``: a
person may stop them with STOP REMINDERS. Pure: the payload carries the items.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.domain.item_status import OPEN_STATUS_NAMES
from mailflow.outbound.kinds.items.followup_data import ItemReminder, WeeklyNudge, WeeklyProgress
from mailflow.outbound.kinds.items.followup_parts import (
    OVERDUE,
    DueItem,
    command_example,
    stage_label,
    unsubscribe_header,
    urgency,
    weekly_lines,
)
from mailflow.outbound.kinds.minutes.minutes_parts import (
    Threading,
    assemble,
    format_day,
    item_view,
    namer,
    one_line,
    recipient_name,
    render_bodies,
    valid_zone,
)
from mailflow.outbound.rendering.board_link import board_values, links_for
from mailflow.outbound.rendering.compose import RenderContext, RenderError
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.templating import format_short, is_chinese, zone_label

_SUBJECTS = {
    "en": {
        "one": "{stage}: {ref} {task}",
        "several": "Your action items: {count} need an update",
        "several_late": "Your action items: {count} need an update ({late} overdue)",
        "weekly_today": "Weekly progress: please update your action items by {time} today",
        "weekly": "Weekly progress: please update your action items by {time}",
        "weekly_late": "Weekly progress: please update your action items",
        "nudge": "No update yet on your action items ({count})",
    },
    "zh": {
        "one": "{stage}：{ref} {task}",
        "several": "您有{count}项行动项需要更新",
        "several_late": "您有{count}项行动项需要更新（{late}项已逾期）",
        "weekly_today": "每周进度：请于今天{time}前更新您的行动项",
        "weekly": "每周进度：请于{time}前更新您的行动项",
        "weekly_late": "每周进度：请更新您的行动项",
        "nudge": "尚未收到您的进度更新（{count}项行动项）",
    },
}
_OPEN = OPEN_STATUS_NAMES


def _words(locale: str) -> dict[str, str]:
    return _SUBJECTS["zh" if is_chinese(locale) else "en"]


def _short_task(task: str, limit: int = 60) -> str:
    # A subject is read in a one-line inbox list; the full task is in the body.
    text = one_line(task)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _planned(
    payload: ItemReminder | WeeklyProgress | WeeklyNudge, ctx: RenderContext
) -> tuple[Threading, str]:
    """Reply-To, and the address the List-Unsubscribe mailto writes to (else the bot's own)."""
    threading = Threading(reply_to=payload.reply_to)
    return threading, payload.unsubscribe or ctx.config.mail.bot_address


def _finish(msg: EmailMessage, unsubscribe: str) -> EmailMessage:
    try:
        unsubscribe_header(msg, unsubscribe)
    except ValueError as exc:
        raise RenderError(f"cannot offer an unsubscribe: {exc}") from exc
    return msg


def item_reminder_payload(
    entries: Sequence[DueItem],
    *,
    locale: str | None,
    timezone: str | None,
    reply_to: str | None = None,
    unsubscribe: str | None = None,
) -> ItemReminder:
    """One owner's items that need a word; raises ValueError for none or several owners.

    ``unsubscribe`` is the address the List-Unsubscribe mailto writes to (default: the bot's).
    """
    if not entries:
        raise ValueError("a reminder lists at least one item")
    if len({entry.item.owner.strip().lower() for entry in entries}) > 1:
        raise ValueError("a reminder goes to one owner: one mail per owner, never per item")
    return ItemReminder(tuple(entries), locale, timezone, reply_to, unsubscribe)


def render_item_reminder_row(
    ctx: RenderContext, recipients: Sequence[str], payload: ItemReminder
) -> EmailMessage:
    wanted = payload.locale
    entries = sorted(payload.entries, key=urgency)
    zone = valid_zone(payload.timezone, ctx.config.schedule.timezone)
    threading, unsubscribe = _planned(payload, ctx)
    name = namer(ctx, *((e.item.owner, e.item.owner_name) for e in entries))
    today = ctx.now.astimezone(ZoneInfo(zone)).date()
    late = sum(1 for entry in entries if entry.stage == OVERDUE)
    only = entries[0].item.ref if len(entries) == 1 else ""
    board = board_values(links_for(ctx, recipients), item=only)

    def values(locale: str) -> dict[str, Any]:
        return {
            "locale": locale,
            "board": board,
            "recipient_name": recipient_name(recipients, name),
            "items": [
                {
                    **item_view(e.item, locale, name, zone),
                    "stage": stage_label(e, locale),
                    "late": e.stage == OVERDUE,
                }
                for e in entries
            ],
            "late_count": late,
            "example": command_example([e.item.ref for e in entries], today, locale),
        }

    bodies = render_bodies(ctx, "item_reminder", wanted, values)
    words = _words(bodies[2])
    if len(entries) == 1:
        first = entries[0]
        stage = stage_label(first, bodies[2])
        subject = words["one"].format(
            stage=stage[:1].upper() + stage[1:],
            ref=first.item.ref,
            task=_short_task(first.item.task),
        )
    else:
        subject = words["several_late" if late else "several"].format(count=len(entries), late=late)
    msg = assemble(ctx, recipients, subject=subject, bodies=bodies, threading=threading)
    return _finish(msg, unsubscribe)


def _open_items(items: Sequence[ItemRow]) -> tuple[ItemRow, ...]:
    if not items:
        raise ValueError("a progress request lists at least one open item")
    closed = [item.ref for item in items if item.status not in _OPEN]
    if closed:
        raise ValueError(f"items {closed} are closed: only open items are asked about")
    return tuple(items)


def weekly_progress_payload(
    items: Sequence[ItemRow],
    *,
    reply_by: datetime,
    locale: str | None,
    timezone: str | None,
    reply_to: str | None = None,
    unsubscribe: str | None = None,
) -> WeeklyProgress:
    """The Friday request: the owner's open ``items``, answers wanted by ``reply_by`` (aware)."""
    if reply_by.tzinfo is None:
        raise ValueError("reply_by must be timezone-aware")
    return WeeklyProgress(
        _open_items(items), locale, timezone, reply_to, unsubscribe, reply_by=reply_by
    )


def weekly_nudge_payload(
    items: Sequence[ItemRow],
    *,
    asked_on: date,
    locale: str | None,
    timezone: str | None,
    reply_to: str | None = None,
    unsubscribe: str | None = None,
) -> WeeklyNudge:
    """The Monday nudge to an owner who did not answer the request sent on ``asked_on``."""
    return WeeklyNudge(
        _open_items(items), locale, timezone, reply_to, unsubscribe, asked_on=asked_on
    )


def render_weekly_progress_row(
    ctx: RenderContext, recipients: Sequence[str], payload: WeeklyProgress
) -> EmailMessage:
    return _render_weekly(ctx, recipients, payload)


def render_weekly_nudge_row(
    ctx: RenderContext, recipients: Sequence[str], payload: WeeklyNudge
) -> EmailMessage:
    return _render_weekly(ctx, recipients, payload)


def _answer_time(reply_by: datetime | None, now: datetime) -> str:
    """How the answer time reads: ``today``, ``later`` (another day), ``passed``; "" for none."""
    if reply_by is None:
        return ""
    # A request held back by quiet hours may leave after its answer time: then it asks for an
    # answer as soon as possible rather than by a time already past.
    if reply_by <= now:
        return "passed"
    return "today" if reply_by.date() == now.date() else "later"


def _render_weekly(
    ctx: RenderContext, recipients: Sequence[str], payload: WeeklyProgress | WeeklyNudge
) -> EmailMessage:
    kind, wanted, items = payload.KIND, payload.locale, list(payload.items)
    zone = valid_zone(payload.timezone, ctx.config.schedule.timezone)
    if isinstance(payload, WeeklyProgress):
        reply_by: datetime | None = payload.reply_by
        asked_on = None
    else:
        reply_by, asked_on = None, payload.asked_on
    threading, unsubscribe = _planned(payload, ctx)
    name = namer(ctx, *((item.owner, item.owner_name) for item in items))
    now = ctx.now.astimezone(ZoneInfo(zone))
    local_by = reply_by.astimezone(ZoneInfo(zone)) if reply_by else None
    by = _answer_time(local_by, now)
    only = items[0].ref if len(items) == 1 else ""
    board = board_values(links_for(ctx, recipients), item=only)

    def values(locale: str) -> dict[str, Any]:
        example = command_example([item.ref for item in items], now.date(), locale)
        return {
            "locale": locale,
            "board": board,
            "recipient_name": recipient_name(recipients, name),
            "items": [item_view(item, locale, name, zone) for item in items],
            "by": by,
            "by_time": f"{local_by:%H:%M}" if local_by else "",
            "by_when": format_short(local_by, zone, locale) if local_by else "",
            "zone": zone_label(zone, locale),
            "asked_on": format_day(asked_on, locale) if asked_on else "",
            "lines": weekly_lines(example, locale),
            "example": example,
        }

    bodies = render_bodies(ctx, kind, wanted, values)
    words = _words(bodies[2])
    if local_by is None:
        subject = words["nudge"].format(count=len(items))
    elif by == "today":
        subject = words["weekly_today"].format(time=f"{local_by:%H:%M}")
    elif by == "later":
        subject = words["weekly"].format(time=format_short(local_by, zone, bodies[2]))
    else:
        subject = words["weekly_late"]
    msg = assemble(ctx, recipients, subject=subject, bodies=bodies, threading=threading)
    return _finish(msg, unsubscribe)
