"""The board's pages on a real tracker (SQLite and PostgreSQL): scope, languages, filters,
headers, refusals and the rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from httpx2 import Response

from mailflow.web.app import create_app
from mailflow.web.guard import CSP
from tests.web.conftest import ALICE, BOB, DAVE, ERIN, SECRET, ZOE, Board, days

pytestmark = pytest.mark.filterwarnings("error")


def get(
    board: Board, email: str, path: str = "/", headers: dict[str, str] | None = None
) -> Response:
    return board.get(email, path, headers=headers)


def pages(board: Board) -> list[str]:
    s = board.seeded
    return ["/", f"/project/{s.main}", f"/meeting/{s.main_meeting}", f"/item/{s.main_item}"]


@pytest.mark.parametrize(("lang", "words"), [("zh_CN", "看板"), ("zh_TW", "看板"), ("en", "board")])
def test_every_page_renders_in_each_language(board: Board, lang: str, words: str) -> None:
    headers = {"Accept-Language": {"zh_CN": "zh-CN", "zh_TW": "zh-TW", "en": "en-US"}[lang]}
    for path in pages(board):
        response = get(board, ALICE, path, headers=headers)
        assert response.status_code == 200, (path, response.text[:500])
        assert words in response.text
        assert "<script" not in response.text and "style=" not in response.text
        assert "built-in method" not in response.text and "bound method" not in response.text
    project = get(board, ALICE, f"/project/{board.seeded.main}", headers=headers).text
    expected = {
        "zh_CN": ("未开始", "进行中", "待验收", "已完成", "延期"),
        "zh_TW": ("未開始", "進行中", "待驗收", "已完成", "延期"),
        "en": ("Not started", "In progress", "Awaiting acceptance", "Done", "Delayed"),
    }[lang]
    for column in expected:
        assert column in project


def test_the_switch_sets_a_cookie_that_later_pages_follow(board: Board) -> None:
    first = get(board, ALICE, "/?lang=zh_TW", headers={"Accept-Language": "en"})
    assert 'lang="zh-Hant"' in first.text and first.cookies.get("mf_lang") == "zh_TW"
    later = get(board, ALICE, f"/item/{board.seeded.main_item}", headers={"Accept-Language": "en"})
    assert 'lang="zh-Hant"' in later.text


def test_the_project_board_marks_overdue_and_at_risk_and_counts_by_department(
    board: Board,
) -> None:
    text = get(board, ALICE, f"/project/{board.seeded.main}?lang=en").text
    assert "tag-overdue" in text and "Overdue" in text
    assert '<svg class="timeline"' in text and "On time" in text
    for department in ("研发部", "市场部", "Finance", "(no department)"):
        assert department in text


def test_filters_by_department_and_owner(board: Board) -> None:
    main = board.seeded.main
    everything = get(board, ALICE, f"/project/{main}").text
    finance = get(board, ALICE, f"/project/{main}?department=Finance").text
    bob = get(board, ALICE, f"/project/{main}?owner={BOB}").text
    assert everything.count('class="card') > finance.count('class="card') > 0
    assert 0 < bob.count('class="card') < everything.count('class="card')
    api = board.client.get(f"/api/v1/{board.token(ALICE)}/projects/{main}?owner={BOB}").json()
    owners = {i["owner"] for c in api["columns"] for i in c["items"]}
    assert owners == {BOB}


def test_the_item_page_shows_the_whole_history(board: Board) -> None:
    text = get(board, ALICE, f"/item/{board.seeded.main_item}?lang=en").text
    for kind in ("created", "acceptance", "escalated", "at risk"):
        assert kind in text
    # HTML in people's text is shown, never run.
    assert "&lt;missing&gt;" in text or "&lt;part&gt;" in text


def test_the_meeting_page_has_agenda_attendees_minutes_and_items(board: Board) -> None:
    text = get(board, ALICE, f"/meeting/{board.seeded.main_meeting}?lang=en").text
    for part in ("Agenda", "进度回顾", "Attendees", "no answer yet", "Version 2", "Items created"):
        assert part in text
    assert "Risks &lt;script&gt;" in text


def test_scope_own_other_executive(board: Board) -> None:
    s = board.seeded
    # alice coordinates 新产品发布: not Other; dave the other way round.
    assert get(board, ALICE, f"/project/{s.other}").status_code == 403
    assert get(board, ALICE, f"/meeting/{s.other_meeting}").status_code == 403
    assert get(board, ALICE, f"/item/{s.other_item}").status_code == 403
    assert get(board, DAVE, f"/project/{s.main}").status_code == 403
    assert get(board, DAVE, f"/item/{s.other_item}").status_code == 200
    # zoe is nobody: her own page, empty; nothing else.
    assert get(board, ZOE).status_code == 200
    for path in pages(board)[1:]:
        assert get(board, ZOE, path).status_code == 403
    assert get(board, ZOE, f"/person/{ALICE}").status_code == 403
    # erin is an executive: everything, and anyone's page.
    for path in [*pages(board), f"/project/{s.other}", f"/item/{s.other_item}", f"/person/{BOB}"]:
        assert get(board, ERIN, path).status_code == 200, path
    home = get(board, ERIN, "/").text
    assert "新产品发布" in home and "Other" in home


def test_a_link_made_for_one_person_shows_only_theirs(board: Board) -> None:
    # Bob's link on the home page is Bob's board, whatever page it is pasted into.
    text = get(board, BOB, "/?lang=en").text
    assert "Bob Li" in text and "王丽</h1>" not in text


def test_expired_tampered_and_rotated_links(board: Board) -> None:
    old = board.token(ALICE, at=board.clock.now() - days(31))
    expired = board.client.get(f"/b/{old}/", headers={"Accept-Language": "zh-CN"})
    assert expired.status_code == 410 and "此链接已过期" in expired.text
    assert "回复" in expired.text
    token = board.token(ALICE)
    tampered = board.client.get(f"/b/{token[:-3]}xyz/?lang=en")
    assert tampered.status_code == 403 and "Ask mailflow for a fresh link" in tampered.text
    feed = board.client.get(f"/b/{board.token(ALICE, 'feed')}/")
    assert feed.status_code == 403
    rotated = create_app(board.config, board.sessions, secret=SECRET + "-new", clock=board.clock)
    from fastapi.testclient import TestClient

    with TestClient(rotated) as other:
        assert other.get(f"/b/{token}/").status_code == 403
        assert other.get(f"/api/v1/{token}/me").status_code == 403


def test_no_ids_without_a_token(board: Board) -> None:
    s = board.seeded
    for path in (f"/project/{s.main}", f"/meeting/{s.main_meeting}", f"/item/{s.main_item}"):
        assert board.client.get(path).status_code == 404
    assert board.client.get("/").status_code == 403


def test_security_headers_on_every_response(board: Board) -> None:
    responses = [
        get(board, ALICE),
        board.client.get("/static/board.css"),
        board.client.get("/api/openapi.json"),
        board.client.get("/b/bad/"),
    ]
    for response in responses:
        assert response.headers["Content-Security-Policy"] == CSP
        assert "script-src 'none'" in CSP and "frame-ancestors 'none'" in CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert get(board, ALICE).headers["Cache-Control"] == "private, no-store, max-age=0"
    assert board.client.get("/b/bad/").headers["Cache-Control"].startswith("private, no-store")


def test_rate_limit_per_client_and_token_with_a_stepped_clock(
    session_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from mailflow.clock import SteppingClock
    from tests.web.conftest import NOW, Ticks, seed, web_config

    seed(session_factory, items=4)
    ticks = Ticks()
    app = create_app(
        web_config(rate=5), session_factory, secret=SECRET, clock=SteppingClock(NOW), ticks=ticks
    )
    from mailflow.domain.board_links import sign_link

    token = sign_link(SECRET, ALICE, "board", NOW)
    with TestClient(app) as client:
        codes = [client.get(f"/b/{token}/").status_code for _ in range(6)]
        assert codes == [200] * 5 + [429]
        limited = client.get(f"/b/{token}/", headers={"Accept-Language": "zh-CN"})
        assert limited.status_code == 429 and "请求过于频繁" in limited.text
        assert limited.headers["Retry-After"] == "12"
        assert limited.headers["Content-Security-Policy"] == CSP
        # The stylesheet is never limited.
        assert client.get("/static/board.css").status_code == 200
        ticks.value += 12.0
        assert client.get(f"/b/{token}/").status_code == 200
        assert client.get(f"/b/{token}/").status_code == 429


def test_sso_header_only_when_configured(
    session_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from mailflow.clock import SteppingClock
    from tests.web.conftest import NOW, seed, web_config

    seed(session_factory, items=4)
    off = create_app(web_config(), session_factory, secret=SECRET, clock=SteppingClock(NOW))
    on = create_app(
        web_config(header="X-Forwarded-Email"),
        session_factory,
        secret=SECRET,
        clock=SteppingClock(NOW),
    )
    with TestClient(off) as client:
        assert client.get("/b/sso/", headers={"X-Forwarded-Email": ALICE}).status_code == 403
    with TestClient(on) as client:
        assert client.get("/b/sso/", headers={"X-Forwarded-Email": ALICE}).status_code == 200
        assert client.get("/b/sso/").status_code == 403


def test_the_board_cannot_write(board: Board) -> None:
    # SQLite: its own engine with PRAGMA query_only and a deferred BEGIN (never the daemon's
    # write lock); PostgreSQL: READ ONLY transactions.
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with board.sessions() as session, pytest.raises(DBAPIError):
        session.execute(text("UPDATE projects SET name = 'x'"))
        session.flush()


def test_an_organiser_sees_their_meeting_and_its_items(board: Board, session_factory: Any) -> None:
    from sqlalchemy import update

    from mailflow.tracker.models import Meeting

    s = board.seeded
    assert get(board, ZOE, f"/meeting/{s.other_meeting}").status_code == 403
    with session_factory() as session, session.begin():
        session.execute(
            update(Meeting).where(Meeting.id == s.other_meeting).values(organiser_email=ZOE)
        )
    assert get(board, ZOE, f"/meeting/{s.other_meeting}").status_code == 200
    assert get(board, ZOE, f"/item/{s.other_item}").status_code == 200
    assert get(board, ZOE, f"/project/{s.other}").status_code == 200  # the part she sees
    assert get(board, ZOE, f"/meeting/{s.main_meeting}").status_code == 403


def test_each_change_names_the_mail_that_caused_it(board: Board, session_factory: Any) -> None:
    from sqlalchemy import select

    from mailflow.tracker.models import ActionItem, InboundMessage, InboundOutcome, ItemHistory

    at = board.clock.now()
    with session_factory() as session, session.begin():
        item = session.scalars(select(ActionItem).where(ActionItem.ref == board.seeded.main_item))
        item_id = item.one().id
        session.add(
            InboundMessage(
                message_key="<done-1@example.test>",
                kind="reply",
                outcome=InboundOutcome.APPLIED,
                sender=BOB,
                subject="Re: [MF] 任务 0 DONE",
                received_at=at,
                processed_at=at,
            )
        )
        session.add(
            ItemHistory(
                item_id=item_id,
                at=at,
                actor=BOB,
                kind="reassigned",
                field="owner_email",
                old_value=ALICE,
                new_value=BOB,
                source_message_id="<done-1@example.test>",
            )
        )
    text = get(board, ALICE, f"/item/{board.seeded.main_item}?lang=zh_CN").text
    assert "Re: [MF] 任务 0 DONE" in text and "转派" in text
    api = board.client.get(f"/api/v1/{board.token(ALICE)}/items/{board.seeded.main_item}").json()
    assert api["history"][-1]["mail_subject"] == "Re: [MF] 任务 0 DONE"
