"""The executive digest's project lines, at-risk list, awaiting acceptance and delay categories,
as planned from the tracker (SQLite and PostgreSQL): what the demo found broken once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config, DigestSettings, Person
from mailflow.services.digests import plan_digests
from mailflow.services.item_history import history
from mailflow.services.projects import project_named
from mailflow.tracker.models import ActionItem, ItemStatus, OutboxRow

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)  # Friday 17:30 in Shanghai
BOSS, BOB = "boss@example.test", "bob@example.test"


def item(ref: str, status: ItemStatus, **fields: object) -> ActionItem:
    values: dict[str, object] = {
        "ref": ref,
        "owner_email": BOB,
        "department": "研发部",
        "description": f"task {ref}",
        "due_date": date(2025, 3, 20),
        "status": status,
        "created_at": NOW - timedelta(days=5),
        "updated_at": NOW - timedelta(days=1),
    }
    values.update(fields)
    return ActionItem(**values)


def test_the_digest_counts_projects_risks_acceptance_and_delays(
    app_config: Config, session_factory: sessionmaker[Session]
) -> None:
    config = dataclasses.replace(
        app_config,
        schedule=dataclasses.replace(
            app_config.schedule,
            timezone="Asia/Shanghai",
            digest=DigestSettings(weekly_day="fri", weekly_time=time(17, 0)),
        ),
        people=dataclasses.replace(
            app_config.people,
            people=(
                Person(BOSS, "Boss", department="Management", locale="en"),
                Person(BOB, "张伟", department="研发部", manager=BOSS, locale="zh_CN"),
            ),
        ),
    )
    with session_factory() as session, session.begin():
        launch = project_named(session, "新产品发布", coordinator=BOSS, now=NOW)
        lagging = item("MF-0001", ItemStatus.IN_PROGRESS, project_id=launch.id, at_risk_since=NOW)
        session.add_all(
            [
                lagging,
                item("MF-0002", ItemStatus.AWAITING_ACCEPTANCE, project_id=launch.id),
                item("MF-0003", ItemStatus.DELAYED, delay_category="external"),
                item("MF-0004", ItemStatus.DELAYED, delay_category="external"),
                item("MF-0005", ItemStatus.NOT_STARTED, project_id=launch.id),
            ]
        )
        session.flush()
        history(lagging, at=NOW - timedelta(hours=3), actor=BOB, kind="daily", new="today: x")
    with session_factory() as session, session.begin():
        assert plan_digests(session, NOW, config) == 1
    with session_factory() as session:
        payload = session.scalars(select(OutboxRow.payload).where(OutboxRow.kind == "digest")).one()
    assert [i["ref"] for i in payload["at_risk"]] == ["MF-0001"]
    assert [i["ref"] for i in payload["awaiting"]] == ["MF-0002"]
    assert payload["delays"] == {"external": 2}
    assert payload["projects"] == [
        {"name": "新产品发布", "open": 2, "overdue": 0, "at_risk": 1, "awaiting": 1, "daily": 1}
    ]
