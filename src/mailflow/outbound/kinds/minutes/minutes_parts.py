"""What the minutes and item mails share: payload codecs, localised labels, bodies and headers.

Pure helpers for :mod:`~mailflow.outbound.kinds.minutes.minutes_mail`,
:mod:`~mailflow.outbound.kinds.minutes.official_minutes`,
:mod:`~mailflow.outbound.kinds.minutes.minutes_receipt` and
:mod:`~mailflow.outbound.kinds.items.items_mail`. Payloads are read inside
:func:`~mailflow.outbound.rendering.payload_fields.decoding`, which turns any malformed value into
a :class:`RenderError` (a permanent failure of that outbox row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import TemplateError

from mailflow.domain.delay_categories import delay_label
from mailflow.domain.minutes import Problem
from mailflow.outbound.rendering.compose import RenderContext, RenderError, base_message
from mailflow.outbound.rendering.items_export import ItemRow, ItemStatus
from mailflow.outbound.rendering.payload_fields import JSONObject, StoredJSON, obj
from mailflow.outbound.rendering.templating import environment, get_template, is_chinese, wording

_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ZH_DAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_TW_DAYS = ("週一", "週二", "週三", "週四", "週五", "週六", "週日")
_STATUS: dict[str, dict[str, str]] = {
    "en": {
        "not_started": "not started",
        "in_progress": "in progress",
        "awaiting_acceptance": "awaiting acceptance",
        "done": "done",
        "delayed": "delayed",
        "cancelled": "cancelled",
    },
    "zh_CN": {
        "not_started": "未开始",
        "in_progress": "进行中",
        "awaiting_acceptance": "待验收",
        "done": "已完成",
        "delayed": "已延期",
        "cancelled": "已取消",
    },
    "zh_TW": {
        "not_started": "未開始",
        "in_progress": "進行中",
        "awaiting_acceptance": "待驗收",
        "done": "已完成",
        "delayed": "已延期",
        "cancelled": "已取消",
    },
}


def one_line(value: str) -> str:
    return " ".join(value.split())


def text_of(payload: StoredJSON, key: str) -> str | None:
    """An optional text value; anything but text or null is malformed."""
    value = payload.get(key)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{key!r} must be text, not {type(value).__name__}")
    return value


def aware(value: str) -> datetime:
    """An ISO 8601 time with its offset; a naive one would be read in the server's zone."""
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return when


def list_of(payload: StoredJSON, key: str) -> list[object]:
    value = payload.get(key) or []
    if not isinstance(value, list | tuple):
        raise TypeError(f"{key!r} must be a list, not {type(value).__name__}")
    return list(value)


def strings(payload: StoredJSON, key: str) -> list[str]:
    values = list_of(payload, key)
    texts = [value for value in values if isinstance(value, str)]
    if len(texts) != len(values):
        raise TypeError(f"{key!r} must be a list of text")
    return texts


def item_json(item: ItemRow) -> JSONObject:
    return {
        "ref": item.ref,
        "task": item.task,
        "owner": item.owner,
        "owner_name": item.owner_name,
        "department": item.department,
        "meeting": item.meeting,
        "deliverable": item.deliverable,
        "due": item.due.isoformat() if item.due else None,
        "due_time": item.due_time.isoformat(timespec="minutes") if item.due_time else None,
        "status": item.status,
        "progress": item.progress,
        "delay_reason": item.delay_reason,
        "last_update": item.last_update.isoformat() if item.last_update else None,
        "at_risk": item.at_risk,
        "delay_category": item.delay_category,
    }


def item_from_json(value: object) -> ItemRow:
    data = obj(value, "item")
    due, due_time, update = data.get("due"), data.get("due_time"), data.get("last_update")
    progress = data.get("progress") or 0
    if not isinstance(progress, int) or isinstance(progress, bool):
        raise TypeError(f"progress must be a whole number, not {progress!r}")
    return ItemRow(
        ref=str(data["ref"]),
        task=str(data["task"]),
        owner=str(data.get("owner") or ""),
        owner_name=str(data.get("owner_name") or ""),
        department=str(data.get("department") or ""),
        meeting=str(data.get("meeting") or ""),
        deliverable=str(data.get("deliverable") or ""),
        due=date.fromisoformat(str(due)) if due else None,
        due_time=time.fromisoformat(str(due_time)) if due_time else None,
        status=cast(ItemStatus, data.get("status") or "not_started"),
        progress=progress,
        delay_reason=str(data.get("delay_reason") or ""),
        last_update=aware(str(update)) if update else None,
        at_risk=data.get("at_risk") is True,
        delay_category=str(data.get("delay_category") or ""),
    )


def items_of(payload: StoredJSON, key: str) -> list[ItemRow]:
    return [item_from_json(entry) for entry in list_of(payload, key)]


def problem_json(problem: Problem) -> JSONObject:
    return {
        "line": problem.line,
        "reason": problem.reason,
        "hint": problem.hint,
        "code": problem.code,
        "kept": problem.kept,
    }


def problems_of(payload: StoredJSON, key: str) -> list[Problem]:
    return [_problem(obj(value, key)) for value in list_of(payload, key)]


def _problem(p: StoredJSON) -> Problem:
    hint, code = p.get("hint"), p.get("code")
    return Problem(
        str(p["line"]),
        str(p["reason"]),
        None if hint is None else str(hint),
        None if code is None else str(code),
        bool(p.get("kept")),
    )


def valid_zone(name: str | None, fallback: str) -> str:
    # A person's zone comes from the directory; an unknown one must not cost them the mail.
    try:
        return ZoneInfo(name).key if name else fallback
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def format_day(day: date, locale: str) -> str:
    """A due date as a table shows it: ``Fri 14 Mar 2025`` / ``2025年3月14日（周五）`` (zh_TW:
    ``（週五）``)."""
    if wording(locale) == "zh_TW":
        return f"{day.year}年{day.month}月{day.day}日（{_TW_DAYS[day.weekday()]}）"
    if is_chinese(locale):
        return f"{day.year}年{day.month}月{day.day}日（{_ZH_DAYS[day.weekday()]}）"
    return f"{_EN_DAYS[day.weekday()]} {day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def short_day(day: date, locale: str) -> str:
    """A date in a subject or an example: ``10 Mar`` / ``3月10日``."""
    if is_chinese(locale):
        return f"{day.month}月{day.day}日"
    return f"{day.day} {_EN_MONTHS[day.month - 1]}"


def status_label(status: str, locale: str) -> str:
    return _STATUS[wording(locale)].get(status, status)


Namer = Callable[[str], str]


def namer(ctx: RenderContext, *known: tuple[str, str | None]) -> Namer:
    """A person's display name by address: the given (email, name) pairs, the directory, else ""."""
    names = {person.email.lower(): person.name for person in ctx.config.people.people}
    for email, name in known:
        if name:
            names[email.lower()] = name
    return lambda email: names.get(email.strip().lower(), "") if email else ""


def recipient_name(recipients: Sequence[str], name: Namer) -> str:
    """Who a mail greets: the one recipient's name; "" for several or an unknown one."""
    people = getaddresses(list(recipients))
    if len(people) != 1:
        return ""
    display, address = people[0]
    return name(address) or one_line(display)


def item_view(item: ItemRow, locale: str, name: Namer, zone: str) -> dict[str, Any]:
    """An item as both templates show it, dates and labels already in ``locale``."""
    due = format_day(item.due, locale) if item.due else ""
    if due and item.due_time is not None:
        # Chinese puts no space between the closing bracket of the weekday and the time.
        due += f"{'' if is_chinese(locale) else ' '}{item.due_time:%H:%M}"
    update = item.last_update.astimezone(ZoneInfo(zone)) if item.last_update else None
    return {
        "ref": item.ref,
        "task": item.task,
        "owner": item.owner_name or name(item.owner) or item.owner,
        "owner_email": item.owner,
        "department": item.department,
        "deliverable": item.deliverable,
        "due": due,
        "status": item.status,
        "status_label": status_label(item.status, locale),
        "progress": 100 if item.status == "done" else item.progress,
        "delay_reason": item.delay_reason,
        "last_update": f"{short_day(update, locale)} {update:%H:%M}" if update else "",
        "at_risk": item.at_risk,
        "delay_category": (
            delay_label(item.delay_category, wording(locale)) if item.delay_category else ""
        ),
    }


def render_bodies(
    ctx: RenderContext, name: str, locale: str | None, values: Callable[[str], dict[str, Any]]
) -> tuple[str, str, str]:
    """The text and HTML bodies of template ``name`` and the locale they were written in.

    ``values`` builds the template context for a locale, so both bodies carry the same facts even
    when a deployment override exists for one of them only.
    """
    env = environment(ctx.config.templates_dir)
    default = ctx.config.mail.default_locale
    try:
        text_template, chosen = get_template(env, f"{name}.txt.j2", locale, default)
        html_template, html_locale = get_template(env, f"{name}.html.j2", chosen, default)
        text = text_template.render(values(chosen))
        html = html_template.render(values(html_locale))
    except (TemplateError, ValueError, KeyError) as exc:
        # A broken override template or an unknown zone fails this row for good, with the reason.
        raise RenderError(f"cannot render {name}: {exc}") from exc
    return text, html, chosen


@dataclass(frozen=True)
class Threading:
    """Where a mail goes in its meeting's thread, and whom the reader's answer reaches."""

    thread_root: str | None = None
    in_reply_to: str | None = None  # the person's mail this one answers, if any
    reply_to: str | None = None


def assemble(
    ctx: RenderContext,
    recipients: Sequence[str],
    *,
    subject: str,
    bodies: tuple[str, str, str],
    threading: Threading,
    answer: bool = False,
) -> EmailMessage:
    """The message: headers, text and HTML alternatives, in the meeting's thread.

    ``answer`` marks a reply to a person's mail (RFC 3834 ``auto-replied``); otherwise the mail is
    planned (``auto-generated``).
    """
    if not recipients:
        raise RenderError("a mail needs a recipient")
    text, html, locale = bodies
    # Header values never carry CR/LF from a payload: no header injection.
    root = one_line(threading.thread_root or "") or None
    parent = one_line(threading.in_reply_to or "") or root
    references = list(dict.fromkeys(ref for ref in (root, parent) if ref))
    msg = base_message(
        ctx,
        recipients=recipients,
        subject=subject,
        automatic=not answer,
        in_reply_to=parent,
        references=references,
    )
    if answer:
        msg["Auto-Submitted"] = "auto-replied"
    if threading.reply_to and one_line(threading.reply_to):
        msg["Reply-To"] = one_line(threading.reply_to)
    # Ask Exchange not to answer automatic mail with out-of-office replies.
    msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    # Set last: set_content() and add_alternative() drop or relocate Content-* headers.
    msg["Content-Language"] = locale.replace("_", "-")
    return msg


def re_subject(original: str | None, fallback: str) -> str:
    """``Re: <original>`` for an answer; "Re:" is not translated (RFC 5322 3.6.5)."""
    text = one_line(original or "")
    if not text:
        return fallback
    return text if text.lower().startswith(("re:", "re：", "回复：", "回复:")) else f"Re: {text}"
