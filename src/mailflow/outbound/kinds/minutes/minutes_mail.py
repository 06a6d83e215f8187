"""Outbox kinds ``minutes_skeleton`` and ``minutes_reminder``, and what the minutes mails share.

The planned mails that ask for a meeting's minutes: the form the scribe fills in when the meeting
ends, and the reminders before and at the minutes deadline. Pure: each payload carries the meeting
as JSON (:mod:`mailflow.domain.meeting_codec`), so rendering reads no DB. Every mail goes into the
meeting's thread (``thread_root``). :mod:`mailflow.outbound.kinds.minutes.official_minutes` uses the
meeting facts, names and subjects defined here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.outbound.kinds.answers.answer_texts import PARTSTAT_LABEL
from mailflow.outbound.kinds.minutes.minutes_data import (
    STAGES,
    MinutesReminder,
    MinutesSkeleton,
    ReminderStage,
)
from mailflow.outbound.kinds.minutes.minutes_parts import (
    Namer,
    Threading,
    assemble,
    namer,
    one_line,
    recipient_name,
    render_bodies,
    short_day,
    valid_zone,
)
from mailflow.outbound.rendering.compose import RenderContext
from mailflow.outbound.rendering.templating import format_short, format_when, is_chinese, wording

_SUBJECTS = {
    "en": {
        "minutes_skeleton": "Please send the minutes: {title} ({day})",
        "official_minutes": "Minutes: {title} ({day})",
        "correction": "Correction: Minutes: {title} ({day})",
        "scribe": "Minutes due by {deadline}: {title}",
        "organiser": "Minutes not received: {title} ({day})",
    },
    "zh": {
        "minutes_skeleton": "请提交会议纪要：{title}（{day}）",
        "official_minutes": "会议纪要：{title}（{day}）",
        "correction": "更正：会议纪要：{title}（{day}）",
        "scribe": "请于{deadline}前提交会议纪要：{title}",
        "organiser": "会议纪要尚未收到：{title}（{day}）",
    },
}


def minutes_subject(key: str, spec: MeetingSpec, zone: str, locale: str, deadline: str = "") -> str:
    """``Minutes: <title> (10 Mar)`` / ``会议纪要：<title>（3月10日）``, in the reader's zone."""
    day = short_day(spec.start.astimezone(ZoneInfo(zone)).date(), locale)
    words = _SUBJECTS["zh" if is_chinese(locale) else "en"][key]
    return words.format(title=one_line(spec.title), day=day, deadline=deadline)


def people_namer(
    ctx: RenderContext, spec: MeetingSpec, extra: Sequence[AttendeeSpec] = ()
) -> Namer:
    """Names from the meeting (and ``extra`` people), then the directory."""
    people = (spec.organiser, *spec.attendees, *extra)
    return namer(ctx, *((person.email, person.name) for person in people))


def meeting_facts(spec: MeetingSpec, zone: str, locale: str, name: Namer) -> dict[str, Any]:
    """The meeting's facts as every template here shows them, times in the reader's ``zone``."""
    return {
        "title": one_line(spec.title),
        "when": format_when(spec.start, zone, locale, spec.end),
        "when_meeting": (
            None if zone == spec.tzid else format_when(spec.start, spec.tzid, locale, spec.end)
        ),
        "location": spec.location or "",
        "online_url": spec.online_url or "",
        "organiser": name(spec.organiser.email) or spec.organiser.email,
        "scribe": (name(spec.scribe) or spec.scribe) if spec.scribe else "",
        "agenda": [
            {
                "topic": one_line(item.topic),
                "owner": (name(item.owner) or item.owner) if item.owner else "",
                "conclusion": item.expected_conclusion or "",
            }
            for item in spec.agenda
        ],
    }


def _examples(spec: MeetingSpec, locale: str) -> dict[str, str]:
    """Dates for the syntax examples, a week and two after the meeting, so they look plausible."""
    day = spec.start.astimezone(ZoneInfo(spec.tzid))
    due, following = day + timedelta(days=7), day + timedelta(days=14)
    if is_chinese(locale):
        return {
            "due": short_day(due.date(), locale),
            "next": f"{short_day(following.date(), locale)} {day:%H:%M}",
        }
    return {"due": due.date().isoformat(), "next": f"{following.date().isoformat()} {day:%H:%M}"}


def minutes_skeleton_payload(
    spec: MeetingSpec,
    *,
    attendees: Sequence[AttendeeSpec] | None = None,
    locale: str | None,
    timezone: str | None,
    deadline: datetime | None = None,
    thread_root: str | None = None,
    reply_to: str | None = None,
) -> MinutesSkeleton:
    """The form for the scribe (else the organiser); ``attendees`` carry their latest RSVP.

    ``attendees`` defaults to the meeting's; ``deadline`` is when the minutes are due.
    """
    chosen = spec.attendees if attendees is None else attendees
    return MinutesSkeleton(
        spec,
        tuple(AttendeeSpec(a.email, a.name, partstat=a.partstat) for a in chosen),
        locale,
        timezone,
        deadline,
        thread_root,
        reply_to,
    )


def render_minutes_skeleton_row(
    ctx: RenderContext, recipients: Sequence[str], payload: MinutesSkeleton
) -> EmailMessage:
    wanted, spec, attendees = payload.locale, payload.spec, payload.attendees
    deadline = payload.deadline
    zone = valid_zone(payload.timezone, spec.tzid)
    threading = Threading(thread_root=payload.thread_root, reply_to=payload.reply_to)
    name = people_namer(ctx, spec, attendees)
    # The ATTENDEES line is pre-filled with who said they would come; the scribe corrects it.
    coming = [spec.organiser, *(a for a in attendees if a.partstat == "ACCEPTED")]

    def values(locale: str) -> dict[str, Any]:
        labels = PARTSTAT_LABEL[wording(locale)]
        names = list(dict.fromkeys(name(p.email) or p.email for p in coming))
        return {
            **meeting_facts(spec, zone, locale, name),
            "locale": locale,
            "recipient_name": recipient_name(recipients, name),
            "deadline": format_when(deadline, zone, locale) if deadline else "",
            "attendees": [
                {
                    "name": name(a.email) or a.email,
                    "email": a.email,
                    "rsvp": labels.get(a.partstat, a.partstat),
                }
                for a in attendees
            ],
            "present_line": ("、" if is_chinese(locale) else ", ").join(names),
            "example": _examples(spec, locale),
        }

    bodies = render_bodies(ctx, "minutes_skeleton", wanted, values)
    subject = minutes_subject("minutes_skeleton", spec, zone, bodies[2])
    return assemble(ctx, recipients, subject=subject, bodies=bodies, threading=threading)


def minutes_reminder_payload(
    spec: MeetingSpec,
    *,
    stage: ReminderStage,
    deadline: datetime,
    locale: str | None,
    timezone: str | None,
    thread_root: str | None = None,
    reply_to: str | None = None,
) -> MinutesReminder:
    """A reminder to the scribe before the deadline (``stage="scribe"``) or the organiser at it."""
    if stage not in STAGES:
        raise ValueError(f"unknown reminder stage {stage!r}")
    if deadline.tzinfo is None:
        raise ValueError("the minutes deadline must be timezone-aware")
    return MinutesReminder(spec, stage, deadline, locale, timezone, thread_root, reply_to)


def render_minutes_reminder_row(
    ctx: RenderContext, recipients: Sequence[str], payload: MinutesReminder
) -> EmailMessage:
    wanted, spec, stage, deadline = payload.locale, payload.spec, payload.stage, payload.deadline
    zone = valid_zone(payload.timezone, spec.tzid)
    threading = Threading(thread_root=payload.thread_root, reply_to=payload.reply_to)
    name = people_namer(ctx, spec)

    def values(locale: str) -> dict[str, Any]:
        return {
            **meeting_facts(spec, zone, locale, name),
            "locale": locale,
            "stage": stage,
            "recipient_name": recipient_name(recipients, name),
            "deadline": format_when(deadline, zone, locale),
            "example": _examples(spec, locale),
        }

    bodies = render_bodies(ctx, "minutes_reminder", wanted, values)
    when = format_short(deadline, zone, bodies[2])
    subject = minutes_subject(stage, spec, zone, bodies[2], deadline=when)
    return assemble(ctx, recipients, subject=subject, bodies=bodies, threading=threading)
