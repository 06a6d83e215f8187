"""The tracker schema: migrations match the models, types round-trip, constraints hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import URL, Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from mailflow.errors import StorageError
from mailflow.tracker.db import (
    alembic_config,
    current_revision,
    head_revision,
    is_up_to_date,
    make_engine,
    session_scope,
    upgrade,
)
from mailflow.tracker.models import (
    WHOLE_SERIES,
    ActionItem,
    Attendee,
    Base,
    ItemStatus,
    Meeting,
    MeetingSource,
    PartStat,
    Person,
    recurrence_key,
)

NOW = datetime(2025, 3, 10, 1, 30, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_meeting(uid: str = "m1@example.com", **overrides: object) -> Meeting:
    fields: dict[str, object] = {
        "uid": uid,
        "invite_uid": uid,
        "thread_root": f"<thread.{uid}>",
        "title": "Weekly sync",
        "organiser_email": "org@example.com",
        "starts_at": datetime(2025, 3, 12, 10, 0, tzinfo=SHANGHAI),
        "ends_at": datetime(2025, 3, 12, 11, 0, tzinfo=SHANGHAI),
        "tzid": "Asia/Shanghai",
        "source": MeetingSource.MAIL,
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(overrides)
    return Meeting(**fields)


def test_migrations_create_exactly_the_models_schema(db_url: URL) -> None:
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        assert not is_up_to_date(engine)
        upgrade(engine)
        assert current_revision(engine) == head_revision() == "0009"
        assert is_up_to_date(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table(db_url: URL) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert is_up_to_date(engine)
    finally:
        engine.dispose()


def test_upgrade_of_an_unreachable_database_is_a_storage_error() -> None:
    with pytest.raises(StorageError):
        upgrade("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_sqlite_engine_creates_its_directory_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "tracker.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        assert path.exists()
    finally:
        engine.dispose()


def test_aware_datetimes_round_trip_as_utc(session_factory: sessionmaker[Session]) -> None:
    starts = datetime(2025, 3, 12, 10, 0, 0, 123456, tzinfo=SHANGHAI)
    with session_factory() as session:
        session.add(make_meeting(starts_at=starts, ends_at=starts + timedelta(hours=1)))
        session.commit()
    with session_factory() as session:
        meeting = session.scalars(select(Meeting)).one()
        assert meeting.starts_at == starts
        assert meeting.starts_at.tzinfo is UTC
        assert meeting.starts_at == datetime(2025, 3, 12, 2, 0, 0, 123456, tzinfo=UTC)
        # Comparison happens in SQL, so it must work on SQLite's text storage too.
        minus_five = timezone(timedelta(hours=-5))
        later = datetime(2025, 3, 11, 21, 0, 0, 123457, tzinfo=minus_five)
        assert session.scalar(select(Meeting.id).where(Meeting.starts_at < later)) == meeting.id
        assert session.scalar(select(Meeting.id).where(Meeting.starts_at > later)) is None


def test_naive_datetimes_are_refused(session: Session) -> None:
    session.add(make_meeting(created_at=datetime(2025, 3, 10, 9, 0)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()


def test_json_dates_and_times_round_trip(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        session.add(
            Person(
                email="zhang@example.com",
                name="张三",
                aliases=["san.zhang@example.cn"],
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.add(
            ActionItem(
                ref="MF-0001",
                owner_email="zhang@example.com",
                description="提交方案",
                due_date=date(2025, 3, 14),
                due_time=time(17, 0),
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.commit()
    with session_factory() as session:
        person = session.scalars(select(Person)).one()
        assert person.aliases == ["san.zhang@example.cn"]
        assert person.name == "张三"
        item = session.scalars(select(ActionItem)).one()
        assert (item.due_date, item.due_time) == (date(2025, 3, 14), time(17, 0))
        assert item.status is ItemStatus.NOT_STARTED
        assert (item.progress, item.escalation_level) == (0, 0)


def test_attendee_is_unique_per_occurrence_not_per_null(session: Session) -> None:
    meeting = make_meeting()
    session.add(meeting)
    session.flush()
    occurrence = recurrence_key(datetime(2025, 3, 19, 2, 0, tzinfo=UTC))
    session.add(Attendee(meeting_id=meeting.id, email="a@example.com"))
    session.add(
        Attendee(
            meeting_id=meeting.id,
            email="a@example.com",
            recurrence_id=occurrence,
            partstat=PartStat.DECLINED,
        )
    )
    session.flush()
    assert occurrence == "20250319T020000Z"
    session.add(Attendee(meeting_id=meeting.id, email="a@example.com", recurrence_id=WHOLE_SERIES))
    with pytest.raises(IntegrityError):
        session.flush()


def test_meeting_uid_is_unique(session: Session) -> None:
    session.add(make_meeting("same@example.com"))
    session.flush()
    session.add(make_meeting("same@example.com"))
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE meetings SET status = 'postponed'",
        "UPDATE meetings SET ends_at = starts_at - (ends_at - starts_at)",
        "INSERT INTO attendees (meeting_id, email, role, partstat, recurrence_id) "
        "VALUES (1, 'b@example.com', 'REQ-PARTICIPANT', 'MAYBE', '')",
        "INSERT INTO attendees (meeting_id, email, role, partstat, recurrence_id) "
        "VALUES (999, 'b@example.com', 'REQ-PARTICIPANT', 'ACCEPTED', '')",
    ],
    ids=["status-check", "ends-after-start", "partstat-check", "foreign-key"],
)
def test_the_database_enforces_constraints(
    session: Session, db_backend: str, statement: str
) -> None:
    if "ends_at - starts_at" in statement and db_backend == "sqlite":
        # SQLite cannot subtract its text timestamps; move the end before the start directly.
        statement = "UPDATE meetings SET ends_at = '2000-01-01 00:00:00.000000'"
    session.add(make_meeting())
    session.flush()
    with pytest.raises(IntegrityError):
        session.execute(text(statement))


def test_deleting_a_meeting_cascades_to_its_attendees(session: Session) -> None:
    meeting = make_meeting()
    session.add(meeting)
    session.flush()
    session.add(Attendee(meeting_id=meeting.id, email="a@example.com"))
    session.flush()
    session.execute(text("DELETE FROM meetings"))
    assert session.scalar(select(Attendee.id)) is None


def test_session_scope_commits_or_maps_errors_to_storage_error(
    session_factory: sessionmaker[Session], engine: Engine
) -> None:
    with session_scope(session_factory) as session:
        session.add(make_meeting())
    with pytest.raises(StorageError), session_scope(session_factory) as session:
        session.add(make_meeting())
        session.flush()
    with session_scope(session_factory) as session:
        assert len(session.scalars(select(Meeting)).all()) == 1
