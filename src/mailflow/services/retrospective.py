"""The retrospective (复盘) of a project: its pack of figures, who reads it, and the two mails.

:func:`retro_pack` reads a project's items and the history rows the pack counts in two queries
(history streamed in item order, folded one item at a time), so the cost grows with the rows and
not with round trips. :func:`plan_retrospective` queues the request to the coordinator to hold
the 复盘会 within five business days (with a MEETING: draft naming the project, so the retro
meeting and the items from its minutes land in it) and the 复盘报告 to the project's people and
their executives, once per project by key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from itertools import groupby
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory, is_head
from mailflow.domain.readers import directory_of, reader
from mailflow.domain.retro_counts import Event, ItemFacts, Pack, item_facts
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.projects import retro_texts as texts
from mailflow.outbound.kinds.projects.retro_report import RetroReport, RetroRequest
from mailflow.tracker.models import Project
from mailflow.tracker.report_repo import RetroItem, people_of_project, retro_events, retro_items


def retro_pack(session: Session, config: Config, project: Project, today: date) -> Pack:
    """The project's figures per department and overall (see :mod:`domain.retro_counts`)."""
    directory = directory_of(config)
    zone = config.schedule.timezone
    # Both streams are in item order, so they are merged like two sorted files: one item and
    # its history rows in memory at a time, however large the project.
    rows = retro_items(session, project.id)
    events = retro_events(session, project.id)
    groups = groupby(events, key=lambda r: r.item_id)
    pending = next(groups, None)
    pack = Pack()
    for row in rows:
        while pending is not None and pending[0] < row.id:
            pending = next(groups, None)  # history of an item outside the project: none
        found: Iterable[Event] = ()
        if pending is not None and pending[0] == row.id:
            found = [
                Event(e.kind, e.field, e.old_value, e.new_value, _aware(e.at)) for e in pending[1]
            ]
            pending = next(groups, None)
        pack.add(_facts(row, found, directory, zone), today)
    return pack


def _facts(row: RetroItem, events: Iterable[Event], directory: Directory, zone: str) -> ItemFacts:
    department = row.department
    if not department:
        person = directory.by_email(row.owner_email)
        department = person.department if person is not None else None
    return item_facts(
        department=department,
        kind=row.kind,
        status=str(getattr(row.status, "value", row.status)),
        due=row.due_date,
        rework=row.rework_count or 0,
        events=events,
        zone=zone,
    )


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def participants(session: Session, project: Project) -> list[str]:
    """The coordinator, every organiser and attendee of its meetings, every item's owner and
    requester: sorted, lower-case, once each."""
    found = {project.coordinator_email.lower()}
    found.update(e.lower() for e in people_of_project(session, project.id))
    return sorted(e for e in found if e and "@" in e)


def executives(config: Config, people: list[str]) -> list[str]:
    """The heads of the participants' departments and the participants' managers, from the
    directory, who are not participants themselves."""
    directory = directory_of(config)
    departments: set[str] = set()
    found: set[str] = set()
    for email in people:
        person = directory.by_email(email)
        if person is None:
            continue
        if person.department:
            departments.add(person.department.casefold())
        if person.manager:
            found.add(person.manager.lower())
    for person in directory:
        if person.department and person.department.casefold() in departments and is_head(person):
            found.add(person.email.lower())
    return sorted(found - set(people))


def plan_retrospective(
    session: Session, config: Config, project: Project, now: datetime, *, closed_by: str | None
) -> int:
    """Queue the 复盘会 request and the 复盘报告 for a project that has just ended. Once each."""
    zone = ZoneInfo(config.schedule.timezone)
    today = now.astimezone(zone).date()
    pack = retro_pack(session, config, project, today)
    people = participants(session, project)
    by = BusinessCalendar(config.schedule.calendar).add_business_days(
        today, texts.RETRO_BUSINESS_DAYS
    )
    coordinator = project.coordinator_email
    locale = reader(config, coordinator).locale
    end = project.end_date.isoformat() if project.end_date else None
    created = 0
    created += outbox.enqueue(
        session,
        key=f"retro-request:{project.id}",
        recipients=[coordinator],
        payload=RetroRequest(
            locale=locale,
            subject=texts.request_subject(locale, project.name),
            paragraphs=tuple(
                texts.request_paragraphs(
                    locale,
                    project.name,
                    by.isoformat(),
                    config.mail.bot_address,
                    texts.why_closed(locale, closed_by, end),
                )
            ),
            draft=texts.draft(locale, project.name, by.isoformat(), coordinator, people),
            **_report_fields(project, pack, today),
        ),
        now=now,
    )
    for email in sorted(set(people) | set(executives(config, people))):
        locale = reader(config, email).locale
        created += outbox.enqueue(
            session,
            key=f"retro-report:{project.id}:{email}",
            recipients=[email],
            payload=RetroReport(
                locale=locale,
                subject=texts.report_subject(locale, project.name),
                paragraphs=tuple(
                    texts.report_paragraphs(
                        locale,
                        project.name,
                        pack.overall.items,
                        pack.overall.on_time,
                        pack.overall.late,
                        pack.overall.overdue,
                    )
                ),
                **_report_fields(project, pack, today),
            ),
            now=now,
        )
    return created


class _ReportFields(TypedDict):
    project: str
    coordinator: str
    pack: Pack
    prepared_on: str


def _report_fields(project: Project, pack: Pack, today: date) -> _ReportFields:
    return {
        "project": project.name,
        "coordinator": project.coordinator_email,
        "pack": pack,
        "prepared_on": today.isoformat(),
    }
