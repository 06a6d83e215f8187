"""Who may close a project, and the close and archive planners' state transitions, on SQLite and
PostgreSQL: the coordinator or an organiser of one of its meetings may, nobody else; closing
twice changes nothing; an archive that cannot be written is tried again at the next tick."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailflow.config.schema import ArchiveSettings, Config, MailSettings
from mailflow.services.project_close import (
    close_project,
    may_close,
    plan_project_archives,
    plan_project_close,
)
from mailflow.tracker.models import Meeting, OutboxRow, Project
from tests.project_seed import seed_project

NOW = datetime(2025, 7, 2, 2, 0, tzinfo=UTC)


def config_with(app_config: Config, archive: Path) -> Config:
    return dataclasses.replace(
        app_config,
        mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
        archive=ArchiveSettings(dir=archive, mail_max_bytes=0),
    )


def rows(session: Session, kind: str) -> int:
    return session.scalar(select(func.count()).where(OutboxRow.kind == kind)) or 0


def test_the_coordinator_and_organisers_may_close_nobody_else(session: Session) -> None:
    project = seed_project(session, meetings=2, items=4)
    meeting = session.scalars(select(Meeting).where(Meeting.project_id == project.id)).first()
    assert meeting is not None
    meeting.organiser_email = "Dave@Example.test"
    session.flush()
    assert may_close(session, project, "ALICE@example.test")  # the coordinator
    assert may_close(session, project, "dave@example.test")  # organised one of its meetings
    assert not may_close(session, project, "carol@example.test")  # an attendee, the acceptor


def test_close_by_end_date_once_then_archive_with_the_path_when_too_large(
    session: Session, app_config: Config, tmp_path: Path
) -> None:
    config = config_with(app_config, tmp_path / "archives")
    project = seed_project(session, meetings=2, items=6)
    project.end_date = date(2025, 7, 1)
    session.flush()
    assert plan_project_close(session, NOW - timedelta(days=1), config) == 0  # not yet ended
    assert project.closed_at is None
    created = plan_project_close(session, NOW, config)
    assert created >= 2 and project.closed_at == NOW and project.retro_requested_at == NOW
    assert rows(session, "retro_request") == 1 and rows(session, "retro_report") >= 3
    assert plan_project_close(session, NOW + timedelta(days=1), config) == 0
    assert close_project(session, config, project, NOW, by="alice@example.test") == 0

    assert plan_project_archives(session, NOW, config) == 1
    assert project.archived_at == NOW
    zipped = tmp_path / "archives" / "跨部门协作-新产品发布.zip"
    assert zipped.is_file()
    told = session.scalars(select(OutboxRow).where(OutboxRow.kind == "archive_ready")).one()
    assert told.payload["attach"] is False and str(zipped.resolve()) in told.payload["path"]
    assert plan_project_archives(session, NOW + timedelta(hours=1), config) == 0


def test_an_archive_that_cannot_be_written_is_tried_again(
    session: Session, app_config: Config, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the archive folder should be")
    config = config_with(app_config, blocked)
    project = seed_project(session, meetings=1, items=2)
    close_project(session, config, project, NOW, by=None)
    assert plan_project_archives(session, NOW, config) == 0
    assert project.archived_at is None and rows(session, "archive_ready") == 0
    fixed = config_with(app_config, tmp_path / "archives")
    assert plan_project_archives(session, NOW, fixed) == 1
    assert project.archived_at == NOW
    assert session.get(Project, project.id) is project
