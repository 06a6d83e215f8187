"""Outbox kinds ``digest`` and ``digest_details``: where things stand, for an executive.

The digest (daily or weekly, scoped to the executive's departments) gives the decisions since the
last digest, items by status with the change since then, overdue items by department with days
late and escalation level, items due in the next 7 days, meetings in the next 7 days with RSVP
counts, minutes late or missing, and a bar chart of items by status per department: nested tables
of coloured cells in the HTML (no images, scripts or style sheets, so Outlook, Gmail and Apple Mail
all draw it) and ASCII bars in the text. The executive may reply ``DETAILS <department>``; the
answer, ``digest_details``, lists every item of that department. Pure: payloads carry the figures
(:mod:`mailflow.outbound.kinds.digest.digest_data`) as planned from the DB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.domain.delay_categories import delay_label
from mailflow.outbound.kinds.digest.digest_chart import (
    OPEN_STATUSES,
    by_department,
    chart_rows,
    department_label,
    legend,
    status_rows,
)
from mailflow.outbound.kinds.digest.digest_data import (
    PERIODS,
    Decision,
    DigestPeriod,
    MeetingAhead,
    MinutesGap,
    OverdueItem,
    ProjectLine,
    StatusCounts,
    counts_json,
    project_view,
)
from mailflow.outbound.kinds.digest.digest_payloads import DigestDetails, DigestPayload
from mailflow.outbound.kinds.digest.digest_views import (
    decision_view,
    detail_rows,
    gap_view,
    level_label,
    meeting_view,
)
from mailflow.outbound.kinds.items.followup_parts import unsubscribe_header
from mailflow.outbound.kinds.minutes.minutes_parts import (
    Threading,
    assemble,
    item_view,
    namer,
    re_subject,
    recipient_name,
    render_bodies,
    short_day,
    valid_zone,
)
from mailflow.outbound.rendering.board_link import board_values, links_for
from mailflow.outbound.rendering.compose import RenderContext
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.templating import format_when, is_chinese, wording

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
) -> DigestPayload:
    """One executive's digest as of ``as_of``; ``since`` is the last digest (None: the first).

    ``counts`` are items by department and status now, ``previous_counts`` as the last digest
    reported them (None: no change is shown).
    """
    if period not in PERIODS:
        raise ValueError(f"unknown digest period {period!r}")
    if as_of.tzinfo is None or (since is not None and since.tzinfo is None):
        raise ValueError("as_of and since must be timezone-aware")
    return DigestPayload(
        period=period,
        as_of=as_of,
        since=since,
        departments=tuple(str(name) for name in departments),
        counts=counts_json(counts),
        previous_counts=None if previous_counts is None else counts_json(previous_counts),
        decisions=tuple(decisions),
        overdue=tuple(overdue),
        due_soon=tuple(due_soon),
        meetings=tuple(meetings),
        minutes=tuple(minutes),
        at_risk=tuple(at_risk),
        awaiting=tuple(awaiting),
        delays={str(k): int(v) for k, v in (delays or {}).items() if v},
        projects=tuple(projects),
        locale=locale,
        timezone=timezone,
        reply_to=reply_to,
    )


def render_digest_row(
    ctx: RenderContext, recipients: Sequence[str], payload: DigestPayload
) -> EmailMessage:
    wanted, period, as_of, since = payload.locale, payload.period, payload.as_of, payload.since
    departments, counts, previous = payload.departments, payload.counts, payload.previous_counts
    decisions, gaps, delays = payload.decisions, payload.minutes, payload.delays
    overdue, due_soon = list(payload.overdue), list(payload.due_soon)
    at_risk, awaiting = list(payload.at_risk), list(payload.awaiting)
    meetings, projects = payload.meetings, payload.projects
    zone = valid_zone(payload.timezone, ctx.config.schedule.timezone)
    threading = Threading(reply_to=payload.reply_to)
    owners = [e.item for e in overdue] + due_soon + at_risk + awaiting
    name = namer(ctx, *((item.owner, item.owner_name) for item in owners))
    overdue.sort(key=lambda e: (-e.days_late, e.item.ref))
    due_soon.sort(key=lambda item: (item.due is None, item.due, item.ref))
    board = board_values(links_for(ctx, recipients), feed=True)

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
            "board": board,
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
) -> DigestDetails:
    """Every item of ``department`` as of ``as_of``, in answer to ``DETAILS <department>``.

    ``departments``: the ones the executive may ask about, named at the end; ``in_reply_to`` and
    ``subject``: the executive's mail this answers.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    return DigestDetails(
        department=department,
        items=tuple(items),
        as_of=as_of,
        departments=tuple(str(name) for name in departments),
        locale=locale,
        timezone=timezone,
        in_reply_to=in_reply_to,
        subject=subject,
        reply_to=reply_to,
    )


def render_digest_details_row(
    ctx: RenderContext, recipients: Sequence[str], payload: DigestDetails
) -> EmailMessage:
    wanted, department, items = payload.locale, payload.department, list(payload.items)
    as_of, departments, original = payload.as_of, payload.departments, payload.subject
    zone = valid_zone(payload.timezone, ctx.config.schedule.timezone)
    threading = Threading(in_reply_to=payload.in_reply_to, reply_to=payload.reply_to)
    name = namer(ctx, *((item.owner, item.owner_name) for item in items))
    today = as_of.astimezone(ZoneInfo(zone)).date()
    board = board_values(links_for(ctx, recipients))

    def values(locale: str) -> dict[str, Any]:
        rows = detail_rows(items, today, locale, name, zone)
        return {
            "locale": locale,
            "board": board,
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
