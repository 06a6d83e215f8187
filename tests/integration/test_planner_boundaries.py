"""One planner that raises never stops the others (issue 17, part 1): logged once until it
works again, its writes rolled back, counted; a database that cannot be reached fails the pass."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config
from mailflow.errors import TransientStorageError
from mailflow.planning import PLANNERS, Planner
from mailflow.services import followups
from mailflow.services.projects import project_named
from mailflow.tracker import item_repo
from mailflow.tracker.models import Project
from mailflow.tracker.transactions import Retry
from tests.conftest import SteppingClock


def test_a_failing_planner_is_isolated(
    app_config: Config,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    def broken(session: Session, now: datetime, config: Config) -> int:
        # Writes something, then fails: the write must not survive.
        project_named(session, "half-done", coordinator="x@example.test", now=now)
        raise ValueError("a bug in one planner")

    def after(session: Session, now: datetime, config: Config) -> int:
        ran.append("after")
        return 0

    monkeypatch.setattr(
        "mailflow.planning.PLANNERS", [PLANNERS[0], ("broken", broken), ("after", after)]
    )
    planner = Planner(app_config, session_factory, clock)
    with caplog.at_level(logging.INFO, logger="mailflow.plan"):
        planner.plan()
        planner.plan()
    assert ran == ["after", "after"] and planner.failed == {"broken": 2}
    failures = [r for r in caplog.records if "planner broken failed" in r.getMessage()]
    assert len(failures) == 1  # logged once, not every pass
    with session_factory() as session:
        assert session.scalars(select(Project)).all() == []

    monkeypatch.setattr(
        "mailflow.planning.PLANNERS", [("broken", lambda s, n, c: 0), ("after", after)]
    )
    with caplog.at_level(logging.INFO, logger="mailflow.plan"):
        planner.plan()
    assert "planner broken works again" in caplog.text


def test_planners_sharing_a_transaction_keep_their_own_boundaries(
    app_config: Config,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The follow-up planners run in one transaction, each in a savepoint: a planner that fails
    # there loses its own writes only; the one before it and the one after it still commit.
    def before(session: Session, now: datetime, config: Config) -> int:
        project_named(session, "kept-before", coordinator="x@example.test", now=now)
        return 1

    def broken(session: Session, now: datetime, config: Config) -> int:
        project_named(session, "rolled-back", coordinator="x@example.test", now=now)
        raise ValueError("a bug in one planner")

    def after(session: Session, now: datetime, config: Config) -> int:
        project_named(session, "kept-after", coordinator="x@example.test", now=now)
        return 2

    together = (("before", before), ("broken", broken), ("after", after))
    monkeypatch.setattr("mailflow.planning.PLANNERS", [together])
    planner = Planner(app_config, session_factory, clock)
    assert planner.plan() == {"before": 1, "after": 2}
    assert planner.failed == {"broken": 1}
    with session_factory() as session:
        names = sorted(p.name for p in session.scalars(select(Project)))
    assert names == ["kept-after", "kept-before"]


def test_the_follow_up_planners_share_one_read_of_the_open_items(
    app_config: Config,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[int] = []
    real = item_repo.item_facts

    def counted(session: Session, statuses: object) -> list[item_repo.ItemFacts]:
        reads.append(1)
        return real(session, followups.OPEN)

    monkeypatch.setattr(item_repo, "item_facts", counted)
    Planner(app_config, session_factory, clock).plan()
    assert len(reads) == 1  # reminders, weekly and escalations: one read in their transaction
    with session_factory() as session, session.begin():
        followups.open_items(session)
    with session_factory() as session, session.begin():
        followups.open_items(session)
    assert len(reads) == 3  # a new transaction reads afresh


def test_an_unreachable_database_fails_the_pass(
    app_config: Config,
    session_factory: sessionmaker[Session],
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tried: list[str] = []
    waited: list[float] = []

    def gone(session: Session, now: datetime, config: Config) -> int:
        tried.append("gone")
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    def after(session: Session, now: datetime, config: Config) -> int:
        tried.append("after")
        return 0

    monkeypatch.setattr("mailflow.planning.PLANNERS", [("gone", gone), ("after", after)])
    planner = Planner(
        app_config, session_factory, clock, retry=Retry(attempts=3, sleep=waited.append)
    )
    # Retried with backoff, then the whole pass fails (the planners after it do not run), with
    # the database's error underneath, and the planner is not counted as failing.
    with pytest.raises(TransientStorageError) as raised:
        planner.plan()
    assert isinstance(raised.value.__cause__, OperationalError)
    assert tried == ["gone"] * 3 and len(waited) == 2 and waited[0] <= waited[1]
    assert planner.failed == {}
