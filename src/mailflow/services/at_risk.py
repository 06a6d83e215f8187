"""Plan at-risk work (进度滞后 → 约谈): flag items whose progress lags their time, ask the
coordinator to talk to the owner, and tell the owner's executive when no talk is recorded in time.

Each pass reads only open items with a due date still ahead (and the few still flagged), never
history, so its cost grows with the work in flight. A newly lagging item gets ``at_risk_since``
and an ``at_risk`` history row (an episode, which the retrospective counts); an item that catches
up is cleared (another row). The coordinator — the project's, else the meeting's organiser, else
the requester — is asked once per episode; ``talked_at`` (set by ``TALKED`` / ``已约谈``) after
the episode began ends it; ``schedule.talk_within_hours`` later without one, the owner's
executive (else the coordinator's) is told, once per episode.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.at_risk import BusinessDays, Risk, assess
from mailflow.domain.business_calendar import calendar_for
from mailflow.domain.item_status import OPEN_STATUSES
from mailflow.domain.quiet_hours import next_send_time
from mailflow.domain.readers import directory_of, reader
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.answers import risk_texts as texts
from mailflow.outbound.kinds.answers.answer import answer_payload
from mailflow.services.item_history import history
from mailflow.tracker.due_work_repo import RiskFacts, at_risk_candidates
from mailflow.tracker.item_repo import items_by_id
from mailflow.tracker.models import ActionItem, Meeting, Project

OPEN = OPEN_STATUSES


def coordinator_of(session: Session, item: ActionItem) -> str | None:
    """Who talks to a lagging item's owner: the project's coordinator, else the meeting's
    organiser, else whoever asked for the work."""
    if item.project_id is not None:
        project = session.get(Project, item.project_id)
        if project is not None:
            return project.coordinator_email
    if item.meeting_id is not None:
        meeting = session.get(Meeting, item.meeting_id)
        if meeting is not None:
            return meeting.organiser_email
    return item.requester_email


def _named(config: Config, email: str) -> str:
    person = directory_of(config).by_email(email)
    return person.name if person is not None else email


def plan_at_risk(session: Session, now: datetime, config: Config) -> int:
    zone = ZoneInfo(config.schedule.timezone)
    today = now.astimezone(zone).date()
    calendar = BusinessDays(calendar_for(config.schedule.calendar))
    lag_points = config.schedule.at_risk_lag_points
    # Judged on plain columns; an item is loaded only when its flag changes or its talk is late.
    changes: dict[int, Risk | None] = {}
    for facts in at_risk_candidates(session, today):
        risk = None
        if facts.status in OPEN and facts.due_date is not None:
            start = facts.created_at.astimezone(zone).date()
            risk = assess(
                facts.progress, start, facts.due_date, today, calendar, lag_points=lag_points
            )
        flagged = facts.at_risk_since is not None
        if (risk is None) == flagged or (
            risk is not None and _talk_overdue(facts, now, config.schedule.talk_within_hours)
        ):
            changes[facts.id] = risk
    items = items_by_id(session, changes)
    created = 0
    for item_id, risk in changes.items():
        item = items[item_id]
        if risk is None:
            item.at_risk_since = None
            history(item, at=now, actor="mailflow", kind="at_risk", new="cleared")
        elif item.at_risk_since is None:
            item.at_risk_since = now
            history(
                item,
                at=now,
                actor="mailflow",
                kind="at_risk",
                new=f"time {risk.elapsed}%, progress {risk.progress}%",
            )
            created += _ask_for_talk(session, config, item, risk, now)
        else:
            created += _tell_executive(session, config, item, risk, now)
    return created


def _working_hours(config: Config, now: datetime, zone: str) -> datetime:
    """When a mail found due at ``now`` may go to someone in ``zone``: not in their quiet hours,
    not on a day off (the planner runs around the clock; people do not)."""
    calendar = calendar_for(config.schedule.calendar)
    return next_send_time(now, settings=config.schedule, calendar=calendar, tz=zone)


def _talk_overdue(item: RiskFacts, now: datetime, hours: int) -> bool:
    since = item.at_risk_since
    if since is None:
        return False
    talked = item.talked_at is not None and item.talked_at >= since
    return not talked and now >= since + timedelta(hours=hours)


def _ask_for_talk(
    session: Session, config: Config, item: ActionItem, risk: Risk, now: datetime
) -> int:
    coordinator = coordinator_of(session, item)
    if not coordinator or item.at_risk_since is None:
        return 0
    who = reader(config, coordinator)
    locale = who.locale
    return outbox.enqueue(
        session,
        key=f"at-risk:{item.ref}:{item.at_risk_since.isoformat()}",
        recipients=[coordinator],
        payload=answer_payload(
            kind="at_risk_prompt",
            locale=locale,
            subject=texts.prompt_subject(locale, item.ref, item.description),
            paragraphs=texts.prompt(
                locale,
                item.ref,
                item.description,
                _named(config, item.owner_email),
                risk,
                item.due_date.isoformat() if item.due_date else "",
                config.schedule.talk_within_hours,
            ),
        ),
        now=now,
        not_before=_working_hours(config, now, who.timezone),
        meeting_id=item.meeting_id,
        item_id=item.id,
    )


def _tell_executive(
    session: Session, config: Config, item: ActionItem, risk: Risk, now: datetime
) -> int:
    if item.at_risk_since is None:
        return 0
    directory = directory_of(config)
    coordinator = coordinator_of(session, item) or ""
    owner = directory.by_email(item.owner_email)
    lead = directory.by_email(coordinator) if coordinator else None
    executive = (directory.executive_of(owner) if owner else None) or (
        directory.executive_of(lead) if lead else None
    )
    key = f"at-risk-unheard:{item.ref}:{item.at_risk_since.isoformat()}"
    if executive is None:
        if not any(h.kind == "talk_missing" and h.new_value == key for h in item.history):
            history(item, at=now, actor="mailflow", kind="talk_missing", new=key)
        return 0
    who = reader(config, executive.email)
    locale = who.locale
    created = outbox.enqueue(
        session,
        key=key,
        recipients=[executive.email],
        payload=answer_payload(
            locale=locale,
            subject=texts.unheard_subject(locale, item.ref),
            paragraphs=texts.unheard(
                locale,
                item.ref,
                item.description,
                _named(config, item.owner_email),
                _named(config, coordinator) if coordinator else "—",
                risk,
                config.schedule.talk_within_hours,
            ),
        ),
        now=now,
        not_before=_working_hours(config, now, who.timezone),
        meeting_id=item.meeting_id,
        item_id=item.id,
    )
    if created:
        history(item, at=now, actor="mailflow", kind="talk_missing", new=key, field_name="to")
    return created
