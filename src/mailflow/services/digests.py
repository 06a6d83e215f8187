"""Plan executive digests (daily and/or weekly) and answer ``DETAILS <department>``.

Executives are the people others report to (``manager`` in the people directory). Each sees the
departments of the people reporting to them and their own. A digest is planned once per period
(the day, or the ISO week) at the configured time in ``schedule.timezone``; the change since last
time is computed against the counts the previous digest to the same executive reported.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mailflow.config.schema import WEEKDAYS, Config, Person
from mailflow.domain.directory import Directory
from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.domain.readers import directory_of, reader
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.digest.digest_data import (
    Decision,
    MeetingAhead,
    MinutesGap,
    OverdueItem,
    ProjectLine,
    counts_from_json,
)
from mailflow.outbound.kinds.digest.digest_mail import digest_details_payload, digest_payload
from mailflow.outbound.kinds.digest.digest_payloads import DigestDetails, DigestPayload
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.services.minutes import latest_minutes
from mailflow.services.minutes_mails import item_row
from mailflow.services.preferences import opted_out
from mailflow.tracker.digest_repo import (
    daily_reports_since,
    every_decision,
    every_item,
    every_meeting,
    previous_digest,
)
from mailflow.tracker.mail_log_repo import queued_keys
from mailflow.tracker.models import ActionItem, ItemStatus, Meeting, MeetingStatus
from mailflow.tracker.project_repo import project_names

Period = Literal["daily", "weekly"]
OPEN = frozenset(OPEN_STATUSES)


def executives(directory: Directory, people: Sequence[Person]) -> dict[str, list[str]]:
    """Executive email → the departments they see (their reports' and their own)."""
    scope: dict[str, set[str]] = defaultdict(set)
    for person in people:
        if person.manager and person.department:
            scope[person.manager.lower()].add(person.department)
    for email in list(scope):
        own = directory.by_email(email)
        if own is not None and own.department:
            scope[email].add(own.department)
    return {email: sorted(departments) for email, departments in scope.items()}


def _due_periods(now: datetime, config: Config) -> list[tuple[Period, str]]:
    digest = config.schedule.digest
    local = now.astimezone(ZoneInfo(config.schedule.timezone))
    due: list[tuple[Period, str]] = []
    if digest.daily_time is not None and local.time() >= digest.daily_time:
        due.append(("daily", local.date().isoformat()))
    if digest.weekly_day is not None and digest.weekly_time is not None:
        start = local.date() - timedelta(days=local.weekday())
        moment = datetime.combine(
            start + timedelta(days=WEEKDAYS.index(digest.weekly_day)),
            digest.weekly_time,
            tzinfo=local.tzinfo,
        )
        if local >= moment:
            year, week, _ = local.date().isocalendar()
            due.append(("weekly", f"{year}-W{week:02d}"))
    return due


def plan_digests(session: Session, now: datetime, config: Config) -> int:
    directory = directory_of(config)
    scopes = executives(directory, config.people.people)
    created = 0
    # STOP (the List-Unsubscribe of every digest) and a hard-bouncing address end digests too.
    quiet = opted_out(session)
    for period, period_key in _due_periods(now, config):
        for email, departments in scopes.items():
            if email.lower() in quiet:
                continue
            key = f"digest:{period}:{period_key}:{email}"
            if queued_keys(session, [key]):
                continue
            payload = _digest(session, config, directory, email, departments, period, now)
            created += outbox.enqueue(
                session, key=key, recipients=[email], payload=payload, now=now
            )
    return created


def _in_scope(item: ActionItem, departments: Sequence[str]) -> bool:
    return (item.department or "") in departments


def _digest(
    session: Session,
    config: Config,
    directory: Directory,
    email: str,
    departments: Sequence[str],
    period: Period,
    now: datetime,
) -> DigestPayload:
    who = reader(config, email)
    zone = who.timezone
    today = now.astimezone(ZoneInfo(zone)).date()
    items = [i for i in every_item(session) if _in_scope(i, departments)]
    meetings = every_meeting(session)
    counts: dict[str, Counter[str]] = {d: Counter() for d in departments}
    for item in items:
        counts[item.department or ""][item.status.value] += 1
    previous = previous_digest(session, email, period)
    since = previous.created_at if previous is not None else None
    previous_counts = counts_from_json(previous.payload["counts"]) if previous else None
    scoped_meetings = {i.meeting_id for i in items if i.meeting_id is not None} | {
        m.id
        for m in meetings.values()
        if (p := directory.by_email(m.organiser_email)) is not None and p.department in departments
    }
    decisions = [
        Decision(meetings[d.meeting_id].title, meetings[d.meeting_id].starts_at.date(), d.text)
        for d in every_decision(session)
        if d.meeting_id in scoped_meetings and (since is None or d.created_at > since)
    ]
    overdue = [
        OverdueItem(_row(i, meetings, directory), (today - i.due_date).days, i.escalation_level)
        for i in items
        if i.status in OPEN and i.due_date is not None and i.due_date < today
    ]
    due_soon = [
        _row(i, meetings, directory)
        for i in items
        if i.status in OPEN
        and i.due_date is not None
        and today <= i.due_date <= today + timedelta(7)
    ]
    ahead, gaps = _meetings(session, config, meetings, scoped_meetings, now)
    at_risk = [_row(i, meetings, directory) for i in items if i.status in OPEN and i.at_risk_since]
    awaiting = [
        _row(i, meetings, directory) for i in items if i.status is ItemStatus.AWAITING_ACCEPTANCE
    ]
    delays = Counter(i.delay_category or "other" for i in items if i.status is ItemStatus.DELAYED)
    return digest_payload(
        period=period,
        as_of=now,
        since=since,
        departments=departments,
        counts={d: dict(c) for d, c in counts.items()},
        previous_counts=previous_counts,
        decisions=decisions,
        overdue=overdue,
        due_soon=due_soon,
        meetings=ahead,
        minutes=gaps,
        at_risk=at_risk,
        awaiting=awaiting,
        delays=dict(delays),
        projects=_projects(session, items, today, since or now - timedelta(days=1)),
        locale=who.locale,
        timezone=zone,
    )


def _projects(
    session: Session, items: Sequence[ActionItem], today: date, since: datetime
) -> list[ProjectLine]:
    """Per project, the items in scope still open, overdue, at risk or awaiting acceptance, and
    the daily reports received since ``since``."""
    tally: dict[int, Counter[str]] = {}
    project_of = {i.id: i.project_id for i in items if i.project_id is not None}
    if project_of:
        for item_id, count in daily_reports_since(session, project_of, since).items():
            tally.setdefault(project_of[item_id], Counter())["daily"] += count
    for item in items:
        if item.project_id is None:
            continue
        counts = tally.setdefault(item.project_id, Counter())
        if item.status in OPEN:
            counts["open"] += 1
            counts["overdue"] += bool(item.due_date is not None and item.due_date < today)
            counts["at_risk"] += item.at_risk_since is not None
        elif item.status is ItemStatus.AWAITING_ACCEPTANCE:
            counts["awaiting"] += 1
    if not tally:
        return []
    names = project_names(session, tally)
    return sorted(
        (
            ProjectLine(
                names.get(pid, str(pid)),
                c["open"],
                c["overdue"],
                c["at_risk"],
                c["awaiting"],
                c["daily"],
            )
            for pid, c in tally.items()
        ),
        key=lambda line: (-line.at_risk, -line.overdue, line.name),
    )


def _row(item: ActionItem, meetings: dict[int, Meeting], directory: Directory) -> ItemRow:
    meeting = meetings.get(item.meeting_id or -1)
    return item_row(item, directory, meeting.title if meeting else "")


def _meetings(
    session: Session,
    config: Config,
    meetings: dict[int, Meeting],
    scoped: set[int],
    now: datetime,
) -> tuple[list[MeetingAhead], list[MinutesGap]]:
    ahead: list[MeetingAhead] = []
    gaps: list[MinutesGap] = []
    deadline_after = timedelta(hours=config.schedule.minutes_deadline_hours)
    for meeting in meetings.values():
        if meeting.id not in scoped or meeting.status is not MeetingStatus.SCHEDULED:
            continue
        if now <= meeting.starts_at <= now + timedelta(days=7):
            answers = Counter(
                a.partstat.value
                for a in meeting.attendees
                if a.recurrence_id == "" and a.removed_at is None
            )
            ahead.append(
                MeetingAhead(
                    title=meeting.title,
                    start=meeting.starts_at,
                    organiser=meeting.organiser_email,
                    accepted=answers["ACCEPTED"],
                    declined=answers["DECLINED"],
                    tentative=answers["TENTATIVE"],
                    no_answer=answers["NEEDS-ACTION"],
                )
            )
        deadline = meeting.ends_at + deadline_after
        if deadline < now and meeting.rrule is None and now - deadline < timedelta(days=14):
            minutes = latest_minutes(session, meeting)
            first = minutes.received_at if minutes is not None and minutes.version == 1 else None
            if minutes is None or (first is not None and first > deadline):
                gaps.append(
                    MinutesGap(
                        title=meeting.title,
                        start=meeting.starts_at,
                        deadline=deadline,
                        received=first,
                        scribe=meeting.scribe_email or meeting.organiser_email,
                    )
                )
    return ahead, gaps


def details_payload(
    session: Session,
    config: Config,
    *,
    email: str,
    department: str,
    now: datetime,
    in_reply_to: str | None,
    subject: str | None,
) -> DigestDetails | None:
    """The full list for ``DETAILS <department>``, when it is one of the executive's."""
    directory = directory_of(config)
    scope = executives(directory, config.people.people).get(email.lower(), [])
    wanted = next((d for d in scope if d.casefold() == department.strip().casefold()), None)
    if wanted is None:
        return None
    meetings = every_meeting(session)
    items = [
        _row(i, meetings, directory)
        for i in every_item(session, by_id=True)
        if (i.department or "") == wanted
    ]
    who = reader(config, email)
    return digest_details_payload(
        wanted,
        items,
        as_of=now,
        departments=scope,
        locale=who.locale,
        timezone=who.timezone,
        in_reply_to=in_reply_to,
        subject=subject,
    )
