"""Outbox kinds ``item_assignment`` and ``item_receipt``: an owner's action items, by mail.

The assignment lists one owner's items from one meeting and asks them to confirm, explaining the
reply commands in their language. The receipt answers an owner's reply: each item's new state,
the lines applied, and the lines that were not, with why and what to write instead (and the list
of valid commands when one was not understood). Pure: the payload carries the items.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.domain.minutes import Problem
from mailflow.outbound.kinds.items.items_data import ItemAssignment, ItemReceipt
from mailflow.outbound.kinds.minutes.minutes_parts import (
    Threading,
    assemble,
    item_view,
    namer,
    one_line,
    re_subject,
    recipient_name,
    render_bodies,
    short_day,
    valid_zone,
)
from mailflow.outbound.rendering.board_link import board_values, links_for
from mailflow.outbound.rendering.compose import RenderContext, RenderError
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.templating import format_when, is_chinese

_SUBJECTS = {
    "en": {
        "assignment": "Please confirm your action items: {title} ({day})",
        "receipt": "Action items updated",
    },
    "zh": {
        "assignment": "请确认您的行动项：{title}（{day}）",
        "receipt": "行动项已更新",
    },
}


def _commands(items: Sequence[ItemRow], fallback: date, locale: str) -> dict[str, str]:
    """What the command examples quote: a real ref and a plausible new due date."""
    due = next((item.due for item in items if item.due), fallback) + timedelta(days=7)
    ref = items[0].ref if items else "MF-0042"
    return {
        "ref": ref,
        "delay_date": short_day(due, locale) if is_chinese(locale) else due.isoformat(),
    }


def item_assignment_payload(
    items: Sequence[ItemRow],
    *,
    meeting_title: str,
    meeting_start: datetime,
    meeting_tzid: str,
    locale: str | None,
    timezone: str | None,
    thread_root: str | None = None,
    reply_to: str | None = None,
) -> ItemAssignment:
    """One owner's items from one meeting; raises ValueError for none or a naive start."""
    if not items:
        raise ValueError("an assignment lists at least one item")
    if meeting_start.tzinfo is None:
        raise ValueError("meeting_start must be timezone-aware")
    return ItemAssignment(
        tuple(items),
        meeting_title,
        meeting_start,
        meeting_tzid,
        locale,
        timezone,
        thread_root,
        reply_to,
    )


def render_item_assignment_row(
    ctx: RenderContext, recipients: Sequence[str], payload: ItemAssignment
) -> EmailMessage:
    wanted, title, tzid = payload.locale, one_line(payload.meeting_title), payload.meeting_tzid
    start = payload.meeting_start.astimezone(ZoneInfo(tzid))
    items = list(payload.items)
    zone = valid_zone(payload.timezone, tzid)
    threading = Threading(thread_root=payload.thread_root, reply_to=payload.reply_to)
    name = namer(ctx, *((item.owner, item.owner_name) for item in items))
    only = items[0].ref if len(items) == 1 else ""
    links = links_for(ctx, recipients)
    board = board_values(links, item=only, meeting_id=ctx.meeting_id, feed=True)

    def values(locale: str) -> dict[str, Any]:
        return {
            "locale": locale,
            "board": board,
            "title": title,
            "when": format_when(start, zone, locale),
            "recipient_name": recipient_name(recipients, name),
            "items": [item_view(item, locale, name, zone) for item in items],
            "several": len(items) > 1,
            "example": _commands(items, start.date(), locale),
        }

    bodies = render_bodies(ctx, "item_assignment", wanted, values)
    words = _SUBJECTS["zh" if is_chinese(bodies[2]) else "en"]
    day = short_day(start.astimezone(ZoneInfo(zone)).date(), bodies[2])
    subject = words["assignment"].format(title=title, day=day)
    return assemble(ctx, recipients, subject=subject, bodies=bodies, threading=threading)


def item_receipt_payload(
    items: Sequence[ItemRow],
    *,
    applied: Sequence[str],
    errors: Sequence[Problem] = (),
    show_commands: bool = False,
    locale: str | None,
    timezone: str | None = None,
    in_reply_to: str | None = None,
    subject: str | None = None,
    thread_root: str | None = None,
) -> ItemReceipt:
    """The answer to an owner's reply: ``items`` as they now stand, the ``applied`` lines as
    written, the ``errors``; ``show_commands`` when a command was not understood.
    """
    return ItemReceipt(
        tuple(items),
        tuple(str(line) for line in applied),
        tuple(errors),
        show_commands,
        locale,
        timezone,
        in_reply_to,
        subject,
        thread_root,
    )


def render_item_receipt_row(
    ctx: RenderContext, recipients: Sequence[str], payload: ItemReceipt
) -> EmailMessage:
    wanted, items, applied = payload.locale, list(payload.items), list(payload.applied)
    errors, show_commands, original = payload.errors, payload.show_commands, payload.subject
    zone = valid_zone(payload.timezone, ctx.config.schedule.timezone)
    threading = Threading(thread_root=payload.thread_root, in_reply_to=payload.in_reply_to)
    if not (items or applied or errors):
        raise RenderError("an item receipt with nothing to say")
    name = namer(ctx, *((item.owner, item.owner_name) for item in items))
    today = ctx.now.astimezone(ZoneInfo(zone)).date()
    only = items[0].ref if len(items) == 1 else ""
    board = board_values(links_for(ctx, recipients), item=only)

    def values(locale: str) -> dict[str, Any]:
        return {
            "locale": locale,
            "board": board,
            "recipient_name": recipient_name(recipients, name),
            "items": [item_view(item, locale, name, zone) for item in items],
            "applied": applied,
            "errors": [{"line": e.line, "reason": e.reason, "hint": e.hint or ""} for e in errors],
            "show_commands": show_commands,
            "several": len(items) != 1,
            "example": _commands(items, today, locale),
        }

    bodies = render_bodies(ctx, "item_receipt", wanted, values)
    fallback = _SUBJECTS["zh" if is_chinese(bodies[2]) else "en"]["receipt"]
    subject = re_subject(original, fallback) if threading.in_reply_to else fallback
    return assemble(
        ctx, recipients, subject=subject, bodies=bodies, threading=threading, answer=True
    )
