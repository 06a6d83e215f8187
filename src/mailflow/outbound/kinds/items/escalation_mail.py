"""Outbox kind ``escalation``: an overdue action item, told to the next person up.

Level 1 tells the owner, level 2 the meeting's organiser/coordinator ("Bob Li's item is 3 days
late and has had no update for 24 h"), level 3 the owner's executive. Each mail says what is late
and by how much, lists the mails already sent about it (the history), says who is told next and
when, and how to act by reply: DONE, DELAY to extend, REASSIGN (levels 2 and 3). Pure: the payload
carries the item and its history.

``List-Unsubscribe`` is added only when the payload names an address, and never at level 3: an
executive cannot opt out of escalations addressed to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from mailflow.outbound.kinds.items.followup_parts import (
    OVERDUE,
    command_example,
    describe_stage,
    is_reminder_stage,
    late_label,
    unsubscribe_header,
)
from mailflow.outbound.kinds.minutes.minutes_parts import (
    Namer,
    Threading,
    assemble,
    aware,
    item_from_json,
    item_json,
    item_view,
    list_of,
    namer,
    recipient_name,
    render_bodies,
    text_of,
    valid_zone,
)
from mailflow.outbound.rendering.board_link import board_values, links_for
from mailflow.outbound.rendering.compose import RenderContext, RenderError
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.payload_fields import (
    JSONObject,
    StoredJSON,
    decoding,
    iso,
    obj,
    version,
)
from mailflow.outbound.rendering.templating import format_short, is_chinese, wording

LEVELS = (1, 2, 3)
_SUBJECTS = {
    "en": {
        1: "Action needed: {ref} is {late}",
        2: "Escalation: {owner}'s item {ref} is {late}",
        3: "Escalation to you: {owner}'s item {ref} is {late}",
    },
    "zh": {
        1: "请处理：{ref} {late}",
        2: "升级提醒：{owner}负责的 {ref} {late}",
        3: "升级至您：{owner}负责的 {ref} {late}",
    },
}
# What each kind of earlier mail is called in the history table; reminder stages are labelled
# by followup_parts.stage_label, anything else is shown as the planner wrote it.
_SENT = {
    "en": {
        "weekly_progress": "Weekly progress request",
        "weekly_nudge": "Weekly progress nudge",
        "escalation_1": "Escalation level 1: the owner",
        "escalation_2": "Escalation level 2: the organiser",
        "escalation_3": "Escalation level 3: the executive",
    },
    "zh_CN": {
        "weekly_progress": "每周进度询问",
        "weekly_nudge": "每周进度催问",
        "escalation_1": "一级升级：负责人",
        "escalation_2": "二级升级：组织者",
        "escalation_3": "三级升级：主管领导",
    },
    "zh_TW": {
        "weekly_progress": "每週進度詢問",
        "weekly_nudge": "每週進度催辦",
        "escalation_1": "第一級通報：負責人",
        "escalation_2": "第二級通報：召集人",
        "escalation_3": "第三級通報：主管",
    },
}


@dataclass(frozen=True)
class Sent:
    """A mail already sent about the item: when, what (a reminder stage such as ``before_3`` or
    ``overdue``, ``weekly_progress``, ``weekly_nudge``, ``escalation_<level>``, else free text)
    and to whom.
    """

    at: datetime  # timezone-aware
    what: str
    to: str = ""

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("a history entry's time must be timezone-aware")


def _sent_label(what: str, locale: str) -> str:
    zh = is_chinese(locale)
    known = _SENT[wording(locale)].get(what)
    if known:
        return known
    if what == OVERDUE:
        return "逾期通知" if zh else "Overdue notice"
    if is_reminder_stage(what):
        # A reminder before or on the due date, written the way the reminder itself wrote it.
        stage = describe_stage(what, 0, locale)
        return f"提醒：{stage}" if zh else f"Reminder: {stage}"
    return what


def escalation_payload(
    item: ItemRow,
    *,
    level: int,
    overdue_days: int,
    history: Sequence[Sent] = (),
    silent_hours: int | None = None,
    next_step_at: datetime | None = None,
    locale: str | None,
    timezone: str | None,
    thread_root: str | None = None,
    reply_to: str | None = None,
    unsubscribe: str | None = None,
) -> Escalation:
    """One overdue ``item`` escalated to ``level`` (1 owner, 2 organiser, 3 executive).

    ``silent_hours``: hours without an update; ``next_step_at``: when the next level is told
    (none at level 3); ``unsubscribe``: the List-Unsubscribe address, refused at level 3.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown escalation level {level!r}")
    if overdue_days < 1:
        raise ValueError("an escalated item is overdue by at least one day")
    if level == 3 and (unsubscribe or next_step_at):
        raise ValueError("level 3 is the last level, and executives cannot opt out of it")
    if next_step_at is not None and next_step_at.tzinfo is None:
        raise ValueError("next_step_at must be timezone-aware")
    return Escalation(
        item,
        level,
        overdue_days,
        tuple(history),
        silent_hours,
        next_step_at,
        locale,
        timezone,
        thread_root,
        reply_to,
        unsubscribe,
    )


@dataclass(frozen=True)
class Escalation:
    """Outbox kind ``escalation``: see :func:`escalation_payload`."""

    KIND: ClassVar[str] = "escalation"
    VERSION: ClassVar[int] = 1

    item: ItemRow
    level: int
    overdue_days: int
    history: tuple[Sent, ...] = ()
    silent_hours: int | None = None
    next_step_at: datetime | None = None
    locale: str | None = None
    timezone: str | None = None
    thread_root: str | None = None
    reply_to: str | None = None
    unsubscribe: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "item": item_json(self.item),
            "level": self.level,
            "overdue_days": self.overdue_days,
            "history": [{"at": s.at.isoformat(), "what": s.what, "to": s.to} for s in self.history],
            "silent_hours": self.silent_hours,
            "next_step_at": iso(self.next_step_at),
            "locale": self.locale,
            "timezone": self.timezone,
            "thread_root": self.thread_root,
            "reply_to": self.reply_to,
            "unsubscribe": self.unsubscribe,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> Escalation:
        version(data, cls.VERSION)
        with decoding():
            locale = text_of(data, "locale")
            item = item_from_json(obj(data.get("item"), "item"))
            level = _whole(data, "level")
            if level not in LEVELS:
                raise ValueError(f"unknown escalation level {level!r}")
            days = _whole(data, "overdue_days")
            silent = None if data.get("silent_hours") is None else _whole(data, "silent_hours")
            next_text = text_of(data, "next_step_at")
            unsubscribe = text_of(data, "unsubscribe")
            if level == 3 and unsubscribe:
                raise ValueError("executives cannot opt out of escalations addressed to them")
            return cls(
                item,
                level,
                days,
                _history(data),
                silent,
                aware(next_text) if next_text else None,
                locale,
                text_of(data, "timezone"),
                text_of(data, "thread_root"),
                text_of(data, "reply_to"),
                unsubscribe,
            )


def _history(payload: StoredJSON) -> tuple[Sent, ...]:
    entries = [
        Sent(aware(str(entry["at"])), str(entry["what"]), str(entry.get("to") or ""))
        for entry in (obj(value, "history") for value in list_of(payload, "history"))
    ]
    return tuple(entries)


def _whole(payload: StoredJSON, key: str) -> int:
    value = payload.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"{key!r} must be a whole number, not {value!r}")
    return value


def _history_view(history: Sequence[Sent], zone: str, locale: str, name: Namer) -> list[Any]:
    return [
        {
            "when": format_short(sent.at, zone, locale),
            "what": _sent_label(sent.what, locale),
            "to": (name(sent.to) or sent.to) if sent.to else "",
        }
        for sent in history
    ]


def render_escalation_row(
    ctx: RenderContext, recipients: Sequence[str], payload: Escalation
) -> EmailMessage:
    wanted, item, level, days = payload.locale, payload.item, payload.level, payload.overdue_days
    silent, next_step, unsubscribe = payload.silent_hours, payload.next_step_at, payload.unsubscribe
    history = sorted(payload.history, key=lambda sent: sent.at)
    zone = valid_zone(payload.timezone, ctx.config.schedule.timezone)
    threading = Threading(thread_root=payload.thread_root, reply_to=payload.reply_to)
    name = namer(ctx, (item.owner, item.owner_name))
    today = ctx.now.astimezone(ZoneInfo(zone)).date()
    board = board_values(links_for(ctx, recipients), item=item.ref)

    def values(locale: str) -> dict[str, Any]:
        view = item_view(item, locale, name, zone)
        return {
            "locale": locale,
            "board": board,
            "level": level,
            "recipient_name": recipient_name(recipients, name),
            "item": view,
            "meeting": item.meeting,
            "days": days,
            "late": late_label(days, locale),
            "silent_hours": silent,
            "history": _history_view(history, zone, locale, name),
            "next_step": format_short(next_step, zone, locale) if next_step else "",
            "example": command_example([item.ref], today, locale),
            "unsubscribe": bool(unsubscribe),
        }

    bodies = render_bodies(ctx, "escalation", wanted, values)
    words = _SUBJECTS["zh" if is_chinese(bodies[2]) else "en"]
    owner = item.owner_name or name(item.owner) or item.owner
    subject = words[level].format(ref=item.ref, owner=owner, late=late_label(days, bodies[2]))
    msg = assemble(ctx, recipients, subject=subject, bodies=bodies, threading=threading)
    if unsubscribe:
        try:
            unsubscribe_header(msg, unsubscribe)
        except ValueError as exc:
            raise RenderError(f"cannot offer an unsubscribe: {exc}") from exc
    return msg
