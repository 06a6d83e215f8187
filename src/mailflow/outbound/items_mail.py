"""Outbox kinds ``item_assignment`` and ``item_receipt``: an owner's action items, by mail.

The assignment lists one owner's items from one meeting and asks them to confirm, explaining the
reply commands in their language. The receipt answers an owner's reply: each item's new state,
the lines applied, and the lines that were not, with why and what to write instead (and the list
of valid commands when one was not understood). Pure: the payload carries the items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.domain.minutes import Problem
from mailflow.outbound.compose import RenderContext, RenderError
from mailflow.outbound.items_export import ItemRow
from mailflow.outbound.minutes_parts import (
    Threading,
    assemble,
    aware,
    item_json,
    item_view,
    items_of,
    namer,
    one_line,
    problem_json,
    problems_of,
    re_subject,
    reading,
    recipient_name,
    render_bodies,
    short_day,
    strings,
    text_of,
    valid_zone,
)
from mailflow.outbound.templating import format_when, is_chinese

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
) -> dict[str, Any]:
    """One owner's items from one meeting; raises ValueError for none or a naive start."""
    if not items:
        raise ValueError("an assignment lists at least one item")
    if meeting_start.tzinfo is None:
        raise ValueError("meeting_start must be timezone-aware")
    return {
        "meeting": {
            "title": meeting_title,
            "start": meeting_start.isoformat(),
            "tzid": meeting_tzid,
        },
        "items": [item_json(item) for item in items],
        "locale": locale,
        "timezone": timezone,
        "thread_root": thread_root,
        "reply_to": reply_to,
    }


def render_item_assignment_row(
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    with reading("item_assignment"):
        wanted = text_of(payload, "locale")
        meeting = payload["meeting"]
        title = one_line(str(meeting["title"]))
        tzid = str(meeting["tzid"])
        start = aware(str(meeting["start"])).astimezone(ZoneInfo(tzid))
        items = items_of(payload, "items")
        if not items:
            raise ValueError("no items")
        zone = valid_zone(text_of(payload, "timezone"), tzid)
        threading = Threading(
            thread_root=text_of(payload, "thread_root"), reply_to=text_of(payload, "reply_to")
        )
    name = namer(ctx, *((item.owner, item.owner_name) for item in items))

    def values(locale: str) -> dict[str, Any]:
        return {
            "locale": locale,
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
) -> dict[str, Any]:
    """The answer to an owner's reply: ``items`` as they now stand, the ``applied`` lines as
    written, the ``errors``; ``show_commands`` when a command was not understood.
    """
    return {
        "items": [item_json(item) for item in items],
        "applied": [str(line) for line in applied],
        "errors": [problem_json(problem) for problem in errors],
        "show_commands": show_commands,
        "locale": locale,
        "timezone": timezone,
        "in_reply_to": in_reply_to,
        "subject": subject,
        "thread_root": thread_root,
    }


def render_item_receipt_row(
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    with reading("item_receipt"):
        wanted = text_of(payload, "locale")
        items = items_of(payload, "items")
        applied = strings(payload, "applied")
        errors = problems_of(payload, "errors")
        show_commands = bool(payload.get("show_commands"))
        zone = valid_zone(text_of(payload, "timezone"), ctx.config.schedule.timezone)
        original = text_of(payload, "subject")
        threading = Threading(
            thread_root=text_of(payload, "thread_root"), in_reply_to=text_of(payload, "in_reply_to")
        )
    if not (items or applied or errors):
        raise RenderError("an item receipt with nothing to say")
    name = namer(ctx, *((item.owner, item.owner_name) for item in items))
    today = ctx.now.astimezone(ZoneInfo(zone)).date()

    def values(locale: str) -> dict[str, Any]:
        return {
            "locale": locale,
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
