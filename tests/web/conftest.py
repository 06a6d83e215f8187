"""The web board's fixtures: a seeded tracker (SQLite and PostgreSQL), its config, an app.

Two projects are seeded with ``tests.project_seed``: 新产品发布, coordinated by alice with bob and
carol attending its meetings and owning its items, and Other, coordinated by dave with frank.
erin is an executive (role ``executive``); zoe is nobody in particular. The clock stands at
:data:`NOW`, after most items were due, so the board shows overdue items.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mailflow.clock import SteppingClock
from mailflow.config.schema import (
    Config,
    ImapSettings,
    MailSettings,
    PeopleSettings,
    Person,
    ScheduleSettings,
    Secret,
    SmtpSettings,
    WebSettings,
)
from mailflow.domain.board_links import Purpose, sign_link
from mailflow.tracker.board_repo import read_only_sessions
from mailflow.web.app import create_app
from tests.project_seed import seed_project

SECRET = "test-web-secret-0123456789"
NOW = datetime(2025, 4, 5, 2, 0, tzinfo=UTC)
ALICE, BOB, CAROL = "alice@example.test", "bob@example.test", "carol@example.test"
DAVE, FRANK, ERIN, ZOE = (
    "dave@example.test",
    "frank@example.test",
    "erin@example.test",
    "zoe@x.test",
)
PEOPLE = (
    Person(ALICE, "王丽", department="研发部"),
    Person(BOB, "Bob Li", department="市场部"),
    Person(CAROL, "陈晨", department="Finance"),
    Person(DAVE, "Dave", department="销售部"),
    Person(FRANK, "Frank", department="销售部"),
    Person(ERIN, "Erin Zhao", role="executive"),
)


def web_config(rate: int = 120, header: str = "") -> Config:
    return Config(
        mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
        imap=ImapSettings(host="127.0.0.1", port=1143, security="plain", user="bot"),
        smtp=SmtpSettings(host="127.0.0.1", port=1025, security="plain"),
        schedule=ScheduleSettings(timezone="Asia/Shanghai"),
        people=PeopleSettings(people=PEOPLE),
        web=WebSettings(
            base_url="https://board.example.test",
            secret_key=Secret("web.secret_key", env="MAILFLOW_TEST_WEB_SECRET"),
            link_days=30,
            trusted_user_header=header,
            rate_limit_per_minute=rate,
        ),
    )


@dataclass
class Seeded:
    main: int
    other: int
    main_meeting: int
    other_meeting: int
    main_item: str
    other_item: str
    refs: list[str] = field(default_factory=list)


def seed(session_factory: sessionmaker[Session], items: int = 20) -> Seeded:
    from sqlalchemy import select

    from mailflow.tracker.models import ActionItem, Meeting

    with session_factory() as session, session.begin():
        main = seed_project(session, items=items, meetings=5)
        other = seed_project(
            session, name="Other", items=4, meetings=1, people=(DAVE, FRANK), now=NOW
        )
        main_id, other_id = main.id, other.id

    def meeting(session: Session, project: int) -> int:
        query = select(Meeting.id).where(Meeting.project_id == project).order_by(Meeting.id)
        return session.scalars(query).first() or 0

    def item(session: Session, project: int) -> str:
        query = select(ActionItem.ref).where(ActionItem.project_id == project)
        return session.scalars(query.order_by(ActionItem.id)).first() or ""

    with session_factory() as session:
        refs = list(session.scalars(select(ActionItem.ref).where(ActionItem.project_id == main_id)))
        return Seeded(
            main_id,
            other_id,
            meeting(session, main_id),
            meeting(session, other_id),
            item(session, main_id),
            item(session, other_id),
            refs,
        )


class Ticks:
    """The rate limiter's seconds, stepped by hand."""

    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self) -> float:
        return self.value


@dataclass
class Board:
    client: TestClient
    clock: SteppingClock
    ticks: Ticks
    seeded: Seeded
    config: Config
    sessions: sessionmaker[Session]

    def token(self, email: str, purpose: Purpose = "board", at: datetime | None = None) -> str:
        return sign_link(SECRET, email, purpose, at or self.clock.now())

    def get(self, email: str, path: str = "/", headers: dict[str, str] | None = None) -> Response:
        return self.client.get(f"/b/{self.token(email)}{path}", headers=headers)


@pytest.fixture
def board(
    engine: Engine, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Board]:
    monkeypatch.setenv("MAILFLOW_TEST_WEB_SECRET", SECRET)
    seeded = seed(session_factory)
    config = web_config()
    clock = SteppingClock(NOW)
    ticks = Ticks()
    # The board reads as `mailflow web` does: through sessions that cannot write.
    readers = read_only_sessions(engine)
    app = create_app(config, readers, secret=SECRET, clock=clock, ticks=ticks)
    with TestClient(app) as client:
        yield Board(client, clock, ticks, seeded, config, readers)


def days(n: int) -> timedelta:
    return timedelta(days=n)
