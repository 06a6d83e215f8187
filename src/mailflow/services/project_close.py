"""Closing a project (项目结束): by its coordinator's command, or when its end date has passed.

Closing sets ``closed_at`` and at once queues the retrospective (the 复盘会 request to the
coordinator and the 复盘报告 to everyone, :mod:`.retrospective`), recorded in
``retro_requested_at`` so it happens once. The archive is written by its own planner
(:func:`plan_project_archives`), outside the inbound path, into ``archive.dir``; the coordinator
gets it attached when it is small, else its path. Both planners are idempotent: by the project's
columns and by outbox key.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.readers import reader
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.projects import retro_texts as texts
from mailflow.outbound.kinds.projects.retro_report import ArchiveReady
from mailflow.outbound.rendering.archive_writer import archive_root
from mailflow.services.archive import write_archive
from mailflow.services.retrospective import plan_retrospective
from mailflow.tracker.models import Project
from mailflow.tracker.project_repo import (
    closed_projects_not_archived,
    closed_projects_without_retro,
    first_meeting_since,
    organises_a_meeting_of,
    projects_awaiting_retro_meeting,
    projects_past_end,
)

log = logging.getLogger("mailflow.projects")


def may_close(session: Session, project: Project, sender: str) -> bool:
    """The coordinator, or the organiser of one of the project's meetings."""
    who = sender.strip().lower()
    if who == project.coordinator_email.lower():
        return True
    return organises_a_meeting_of(session, project.id, who)


def close_project(
    session: Session, config: Config, project: Project, now: datetime, *, by: str | None
) -> int:
    """Close ``project`` (once) and queue its retrospective; returns the mails queued."""
    if project.closed_at is not None:
        return 0
    project.closed_at = now
    project.updated_at = now
    session.flush()
    log.info("project %s closed (%s)", project.name, by or "end date passed")
    return _retrospective(session, config, project, now, by=by)


def _retrospective(
    session: Session, config: Config, project: Project, now: datetime, *, by: str | None
) -> int:
    if project.retro_requested_at is not None:
        return 0
    created = plan_retrospective(session, config, project, now, closed_by=by)
    project.retro_requested_at = now
    return created


def plan_project_close(session: Session, now: datetime, config: Config) -> int:
    """Projects whose end date has passed are closed; a closed project whose retrospective was
    not queued (a crash between) gets it; the first meeting of a closed project made after the
    request is its retro meeting (复盘会)."""
    today = now.astimezone(ZoneInfo(config.schedule.timezone)).date()
    created = 0
    for project in projects_past_end(session, today):
        created += close_project(session, config, project, now, by=None)
    for project in closed_projects_without_retro(session):
        created += _retrospective(session, config, project, now, by=None)
    for project in projects_awaiting_retro_meeting(session):
        requested = project.retro_requested_at
        assert requested is not None
        project.retro_meeting_id = first_meeting_since(session, project.id, requested)
    return created


def plan_project_archives(session: Session, now: datetime, config: Config) -> int:
    """Each closed project not yet archived: its zip written to ``archive.dir`` and the
    coordinator told (the zip attached when at most ``archive.mail_max_bytes``)."""
    created = 0
    for project in closed_projects_not_archived(session):
        target = config.archive.dir / f"{archive_root(project.name)}.zip"
        try:
            path = write_archive(session, config, project, target)
        except OSError as exc:
            # A full disk or a missing permission must not stop the other planners: the archive
            # is tried again at the next tick, and the log says why it was not written.
            log.error("cannot write the archive of project %s to %s: %s", project.name, target, exc)
            continue
        project.archived_at = now
        size = path.stat().st_size
        attach = 0 < size <= config.archive.mail_max_bytes
        locale = reader(config, project.coordinator_email).locale
        created += outbox.enqueue(
            session,
            key=f"archive:{project.id}",
            recipients=[project.coordinator_email],
            payload=ArchiveReady(
                locale=locale,
                subject=texts.archive_subject(locale, project.name),
                paragraphs=tuple(
                    texts.archive_paragraphs(locale, project.name, str(path.resolve()), attach)
                ),
                path=str(path.resolve()),
                attach=attach,
            ),
            now=now,
        )
        log.info("project %s archived to %s (%d bytes)", project.name, path, size)
    return created
