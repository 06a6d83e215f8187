"""Issue 18's Done-when, on the real loopback stack: the board link in a delivered mail opens
the right page of the board, for its reader only.

A digest is planned from the tracker, sent through the outbox over SMTP to Dovecot and fetched
over IMAP; the link is taken from its HTML and text parts and opened in the web app (the app
factory over the same database, read-only, as ``mailflow web`` runs it). An item reminder's item
link opens the item for its owner; the same page with someone else's token is refused.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config, DigestSettings, Person, Secret, WebSettings
from mailflow.dev.devstack import MailStack
from mailflow.domain.board_links import sign_link
from mailflow.domain.readers import directory_of
from mailflow.outbound.delivery import outbox
from mailflow.outbound.kinds.items.followup_mail import item_reminder_payload
from mailflow.outbound.kinds.items.followup_parts import DueItem
from mailflow.services.digests import plan_digests
from mailflow.services.minutes_mails import item_row
from mailflow.services.projects import project_named
from mailflow.tracker.board_repo import read_only_sessions
from mailflow.tracker.models import ActionItem, ItemStatus
from mailflow.web.app import create_app
from tests.conftest import SteppingClock
from tests.integration.cycle import Cycle, text

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)  # Friday 17:30 in Shanghai: the weekly digest
BOSS, BOB, CAROL = "exec@example.test", "bob@example.test", "carol@example.test"
SECRET = "board-links-e2e-secret-0123456789"
BASE = "https://board.example.test"
PAGE = re.compile(r"https://board\.example\.test(/b/[\w-]+\.[\w-]+\.[\w-]+/[^\s\"<>]*)")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


def board_paths(msg: EmailMessage) -> tuple[list[str], list[str]]:
    """The board pages a delivered mail links to: from its HTML hrefs, and from its text."""
    html_part = msg.get_body(("html",))
    assert html_part is not None
    parser = _Links()
    parser.feed(html_part.get_content())
    from_html = [m.group(1) for href in parser.hrefs if (m := PAGE.fullmatch(href))]
    return from_html, [m.group(1) for m in PAGE.finditer(text(msg))]


def item(ref: str, status: ItemStatus, **fields: object) -> ActionItem:
    values: dict[str, object] = {
        "ref": ref,
        "owner_email": BOB,
        "department": "研发部",
        "description": f"task {ref}",
        "due_date": date(2025, 3, 12),
        "status": status,
        "created_at": NOW - timedelta(days=5),
        "updated_at": NOW - timedelta(days=1),
    }
    values.update(fields)
    return ActionItem(**values)


@pytest.fixture
def config(app_config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.setenv("MF_TEST_BOARD_SECRET", SECRET)
    return dataclasses.replace(
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
                Person(CAROL, "Carol", department="Finance", locale="en"),
            ),
        ),
        web=WebSettings(
            base_url=BASE, secret_key=Secret("web.secret_key", env="MF_TEST_BOARD_SECRET")
        ),
    )


@pytest.fixture
def board(config: Config, engine: Engine) -> TestClient:
    # The board as `mailflow web` runs it: read-only sessions on the daemon's database.
    app = create_app(config, read_only_sessions(engine), secret=SECRET, clock=SteppingClock(NOW))
    return TestClient(app)


def test_the_board_link_in_a_delivered_digest_opens_the_executives_board(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    board: TestClient,
) -> None:
    with session_factory() as session, session.begin():
        launch = project_named(session, "新产品发布", coordinator=BOSS, now=NOW)
        session.add_all(
            [
                item("MF-0001", ItemStatus.IN_PROGRESS, project_id=launch.id),
                item("MF-0002", ItemStatus.NOT_STARTED, project_id=launch.id),
            ]
        )
    with session_factory() as session, session.begin():
        assert plan_digests(session, NOW, config) == 1
    cycle = Cycle(config, mailstack, session_factory, SteppingClock(NOW))
    cycle.flusher.flush()

    [digest] = [m for m in cycle.inbox(BOSS) if "digest" in str(m["Subject"]).lower()]
    from_html, from_text = board_paths(digest)
    # The text lists the board; the HTML has it too, and links the refs in its tables.
    [home] = from_text
    assert home.endswith("/") and home in from_html
    assert {p.rsplit("/", 1)[1] for p in from_html if "/item/" in p} == {"MF-0001", "MF-0002"}
    with board:
        page = board.get(home)
        assert page.status_code == 200, page.text
        assert "新产品发布" in page.text
        # The project on the page is a link to its board, which shows its items and owner.
        project = re.search(r'href="(/b/[^"]+/project/\d+)"', page.text)
        assert project is not None
        shown = board.get(project.group(1))
        assert shown.status_code == 200
        assert "MF-0001" in shown.text and "张伟" in shown.text
        item_page = board.get(next(p for p in from_html if p.endswith("/item/MF-0001")))
        assert item_page.status_code == 200 and "task MF-0001" in item_page.text


def test_a_reminders_item_link_opens_the_item_for_its_owner_only(
    config: Config,
    mailstack: MailStack,
    session_factory: sessionmaker[Session],
    board: TestClient,
) -> None:
    with session_factory() as session, session.begin():
        lagging = item("MF-0007", ItemStatus.IN_PROGRESS, description="Ship the beta")
        session.add(lagging)
        session.flush()
        row = item_row(lagging, directory_of(config))
        outbox.enqueue(
            session,
            key="reminders:bob:e2e",
            recipients=[BOB],
            payload=item_reminder_payload(
                [DueItem(row, "overdue", 2)], locale="zh_CN", timezone="Asia/Shanghai"
            ),
            now=NOW,
        )
    cycle = Cycle(config, mailstack, session_factory, SteppingClock(NOW))
    cycle.flusher.flush()

    [reminder] = cycle.inbox(BOB)
    from_html, from_text = board_paths(reminder)
    [path] = [p for p in from_html if "/item/" in p]
    assert path.endswith("/item/MF-0007") and path in from_text
    with board:
        page = board.get(path)
        assert page.status_code == 200, page.text
        assert "Ship the beta" in page.text
        # The same page through Carol's link: she has nothing to do with the item.
        other = f"/b/{sign_link(SECRET, CAROL, 'board', NOW)}/item/MF-0007"
        assert board.get(other).status_code == 403
        # A link edited to name someone else no longer verifies either.
        assert board.get(path.replace("/b/", "/b/x", 1)).status_code == 403
