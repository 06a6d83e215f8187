"""Outbox kinds ``digest`` and ``digest_details``: where things stand, for an executive.

The digest (daily or weekly, scoped to the executive's departments) gives the decisions since the
last digest, items by status with the change since then, overdue items by department with days
late and escalation level, items due in the next 7 days, meetings in the next 7 days with RSVP
counts, minutes late or missing, and a bar chart of items by status per department: nested tables
of coloured cells in the HTML (no images, scripts or style sheets, so Outlook, Gmail and Apple Mail
all draw it) and ASCII bars in the text. The executive may reply ``DETAILS <department>``; the
answer, ``digest_details``, lists every item of that department. Pure: payloads carry the figures
(:mod:`mailflow.outbound.digest_data`) as planned from the DB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.domain.delay_categories import delay_label
from mailflow.outbound.compose import RenderContext
from mailflow.outbound.digest_chart import (
    OPEN_STATUSES,
    by_department,
    chart_rows,
    department_label,
    legend,
    status_rows,
)
from mailflow.outbound.digest_data import (
    PERIODS,
    Decision,
    DigestPeriod,
    MeetingAhead,
    MinutesGap,
    OverdueItem,
    ProjectLine,
    StatusCounts,
    counts_from_json,
    counts_json,
    decision_from_json,
    decision_json,
    delays_from_json,
    gap_from_json,
    gap_json,
    meeting_from_json,
    meeting_json,
    overdue_from_json,
    overdue_json,
    project_from_json,
    project_json,
    project_view,
)
from mailflow.outbound.digest_views import (
    decision_view,
    detail_rows,
    gap_view,
    level_label,
    meeting_view,
)
from mailflow.outbound.followup_parts import unsubscribe_header
from mailflow.outbound.items_export import ItemRow
from mailflow.outbound.minutes_parts import (
    Threading,
    assemble,
    aware,
    item_json,
    item_view,
    items_of,
    list_of,
    namer,
    re_subject,
    reading,
    recipient_name,
    render_bodies,
    short_day,
    strings,
    text_of,
    valid_zone,
)
from mailflow.outbound.templating import format_when, is_chinese, wording

_SUBJECTS = {
    "en": {
        "daily": "Daily digest ({day}): {overdue} overdue, {due} due in the next 7 days",
        "weekly": "Weekly digest ({day}): {overdue} overdue, {due} due in the next 7 days",
        "details": "Details: {department} ({count} action items)",
    },
    "zh": {
        "daily": "每日管理摘要（{day}）：逾期{overdue}项，7天内到期{due}项",
        "weekly": "每周管理摘要（{day}）：逾期{overdue}项，7天内到期{due}项",
        "details": "详细清单：{department}（共{count}项行动项）",
    },
}


def digest_payload(
    *,
    period: DigestPeriod,
    as_of: datetime,
    since: datetime | None,
    departments: Sequence[str],
    counts: StatusCounts,
    previous_counts: StatusCounts | None = None,
    decisions: Sequence[Decision] = (),
    overdue: Sequence[OverdueItem] = (),
    due_soon: Sequence[ItemRow] = (),
    meetings: Sequence[MeetingAhead] = (),
    minutes: Sequence[MinutesGap] = (),
    at_risk: Sequence[ItemRow] = (),
    awaiting: Sequence[ItemRow] = (),
    delays: Mapping[str, int] | None = None,
    projects: Sequence[ProjectLine] = (),
    locale: str | None,
    timezone: str | None,
    reply_to: str | None = None,
) -> dict[str, Any]:
    """One executive's digest as of ``as_of``; ``since`` is the last digest (None: the first).

    ``counts`` are items by department and status now, ``previous_counts`` as the last digest
    reported them (None: no change is shown).
    """
    if period not in PERIODS:
        raise ValueError(f"unknown digest period {period!r}")
    if as_of.tzinfo is None or (since is not None and since.tzinfo is None):
        raise ValueError("as_of and since must be timezone-aware")
    return {
        "period": period,
        "as_of": as_of.isoformat(),
        "since": since.isoformat() if since else None,
        "departments": [str(name) for name in departments],
        "counts": counts_json(counts),
        "previous_counts": None if previous_counts is None else counts_json(previous_counts),
        "decisions": [decision_json(decision) for decision in decisions],
        "overdue": [overdue_json(entry) for entry in overdue],
        "due_soon": [item_json(item) for item in due_soon],
        "meetings": [meeting_json(meeting) for meeting in meetings],
        "minutes": [gap_json(gap) for gap in minutes],
        "at_risk": [item_json(item) for item in at_risk],
        "awaiting": [item_json(item) for item in awaiting],
        "delays": {str(k): int(v) for k, v in (delays or {}).items() if v},
        "projects": [project_json(line) for line in projects],
        "locale": locale,
        "timezone": timezone,
        "reply_to": reply_to,
    }


def render_digest_row(
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    with reading("digest"):
        wanted = text_of(payload, "locale")
        period = str(payload["period"])
        if period not in PERIODS:
            raise ValueError(f"unknown digest period {period!r}")
        as_of = aware(str(payload["as_of"]))
        since_text = text_of(payload, "since")
        since = aware(since_text) if since_text else None
        departments = strings(payload, "departments")
        counts = counts_from_json(payload["counts"])
        before = payload.get("previous_counts")
        previous = None if before is None else counts_from_json(before)
        decisions = [decision_from_json(entry) for entry in list_of(payload, "decisions")]
        overdue = [overdue_from_json(entry) for entry in list_of(payload, "overdue")]
        due_soon = items_of(payload, "due_soon")
        meetings = [meeting_from_json(entry) for entry in list_of(payload, "meetings")]
        gaps = [gap_from_json(entry) for entry in list_of(payload, "minutes")]
        # Digests planned before projects and acceptance carry none of these.
        at_risk = items_of(payload, "at_risk") if payload.get("at_risk") else []
        awaiting = items_of(payload, "awaiting") if payload.get("awaiting") else []
        delays = delays_from_json(payload.get("delays") or {})
        projects = [project_from_json(e) for e in payload.get("projects") or []]
        zone = valid_zone(text_of(payload, "timezone"), ctx.config.schedule.timezone)
        threading = Threading(reply_to=text_of(payload, "reply_to"))
    owners = [e.item for e in overdue] + due_soon + at_risk + awaiting
    name = namer(ctx, *((item.owner, item.owner_name) for item in owners))
    overdue.sort(key=lambda e: (-e.days_late, e.item.ref))
    due_soon.sort(key=lambda item: (item.due is None, item.due, item.ref))

    def values(locale: str) -> dict[str, Any]:
        late = [
            {
                **item_view(e.item, locale, name, zone),
                "days": e.days_late,
                "level": level_label(e.level, locale),
            }
            for e in overdue
        ]
        statuses = status_rows(counts, previous, locale)
        return {
            "locale": locale,
            "period": period,
            "recipient_name": recipient_name(recipients, name),
            "as_of": format_when(as_of, zone, locale),
            "since": format_when(since, zone, locale) if since else "",
            "scope": ("、" if is_chinese(locale) else ", ").join(
                department_label(d, locale) for d in departments
            ),
            "open": sum(r["count"] for r in statuses if r["status"] in OPEN_STATUSES),
            "statuses": statuses,
            "compared": previous is not None,
            "chart": chart_rows(departments, counts, locale),
            "legend": legend(locale),
            "decisions": [decision_view(d, locale) for d in decisions],
            "overdue_count": len(overdue),
            "overdue": by_department(late, departments, locale),
            "due_soon": [item_view(item, locale, name, zone) for item in due_soon],
            "meetings": [meeting_view(m, zone, locale) for m in meetings],
            "minutes": [gap_view(gap, as_of, zone, locale) for gap in gaps],
            "at_risk": [item_view(item, locale, name, zone) for item in at_risk],
            "awaiting": [item_view(item, locale, name, zone) for item in awaiting],
            "delays": [
                {"label": delay_label(category, wording(locale)), "count": count}
                for category, count in delays.items()
            ],
            "projects": [project_view(line) for line in projects],
            "example_department": department_label(departments[0] if departments else "", locale),
        }

    bodies = render_bodies(ctx, "digest", wanted, values)
    words = _SUBJECTS["zh" if is_chinese(bodies[2]) else "en"]
    day = short_day(as_of.astimezone(ZoneInfo(zone)).date(), bodies[2])
    subject = words[period].format(day=day, overdue=len(overdue), due=len(due_soon))
    msg = assemble(ctx, recipients, subject=subject, bodies=bodies, threading=threading)
    # A digest is bulk mail: one-click-able unsubscribe (RFC 2369) by the STOP command.
    unsubscribe_header(msg, ctx.config.mail.bot_address)
    return msg


def digest_details_payload(
    department: str,
    items: Sequence[ItemRow],
    *,
    as_of: datetime,
    departments: Sequence[str] = (),
    locale: str | None,
    timezone: str | None,
    in_reply_to: str | None = None,
    subject: str | None = None,
    reply_to: str | None = None,
) -> dict[str, Any]:
    """Every item of ``department`` as of ``as_of``, in answer to ``DETAILS <department>``.

    ``departments``: the ones the executive may ask about, named at the end; ``in_reply_to`` and
    ``subject``: the executive's mail this answers.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    return {
        "department": department,
        "items": [item_json(item) for item in items],
        "as_of": as_of.isoformat(),
        "departments": [str(name) for name in departments],
        "locale": locale,
        "timezone": timezone,
        "in_reply_to": in_reply_to,
        "subject": subject,
        "reply_to": reply_to,
    }


def render_digest_details_row(
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    with reading("digest_details"):
        wanted = text_of(payload, "locale")
        department = str(payload["department"])
        items = items_of(payload, "items")
        as_of = aware(str(payload["as_of"]))
        departments = strings(payload, "departments")
        zone = valid_zone(text_of(payload, "timezone"), ctx.config.schedule.timezone)
        original = text_of(payload, "subject")
        threading = Threading(
            in_reply_to=text_of(payload, "in_reply_to"), reply_to=text_of(payload, "reply_to")
        )
    name = namer(ctx, *((item.owner, item.owner_name) for item in items))
    today = as_of.astimezone(ZoneInfo(zone)).date()

    def values(locale: str) -> dict[str, Any]:
        rows = detail_rows(items, today, locale, name, zone)
        return {
            "locale": locale,
            "recipient_name": recipient_name(recipients, name),
            "department": department_label(department, locale),
            "as_of": format_when(as_of, zone, locale),
            "items": rows,
            "late_count": sum(1 for row in rows if row["days"]),
            "statuses": status_rows({department: _tally(items)}, None, locale),
            "departments": [department_label(d, locale) for d in departments],
        }

    bodies = render_bodies(ctx, "digest_details", wanted, values)
    words = _SUBJECTS["zh" if is_chinese(bodies[2]) else "en"]
    label = department_label(department, bodies[2])
    fallback = words["details"].format(department=label, count=len(items))
    answer = threading.in_reply_to is not None
    subject = re_subject(original, fallback) if answer else fallback
    return assemble(
        ctx, recipients, subject=subject, bodies=bodies, threading=threading, answer=answer
    )


def _tally(items: Sequence[ItemRow]) -> dict[str, int]:
    tally: dict[str, int] = {}
    for item in items:
        tally[item.status] = tally.get(item.status, 0) + 1
    return tally
