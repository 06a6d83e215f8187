"""The calendar feed (parsed by icalendar and vobject) and the JSON API with its OpenAPI."""

from __future__ import annotations

from datetime import date

import icalendar
import pytest
import vobject

from tests.web.conftest import ALICE, BOB, CAROL, DAVE, ERIN, ZOE, Board, days


def feed(board: Board, email: str) -> bytes:
    response = board.client.get(f"/feed/{board.token(email, 'feed')}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.headers["Cache-Control"].startswith("private, no-store")
    return response.content


def test_the_feed_parses_with_icalendar_and_vobject(board: Board) -> None:
    body = feed(board, BOB)
    calendar = icalendar.Calendar.from_ical(body)
    todos = [c for c in calendar.walk("VTODO")]
    events = [c for c in calendar.walk("VEVENT")]
    assert todos and all(str(t["SUMMARY"]).startswith("[MF-") for t in todos)
    due_events = [e for e in events if str(e["UID"]).startswith("due-")]
    meetings = [e for e in events if not str(e["UID"]).startswith("due-")]
    # One all-day event per deadline, for calendars that ignore VTODO, and bob's 5 meetings.
    assert len(due_events) == len(todos)
    assert all(isinstance(e.decoded("DTSTART"), date) for e in due_events)
    assert len(meetings) == 5
    assert all(str(t["URL"]).startswith("https://board.example.test/b/") for t in todos)
    parsed = vobject.readOne(body.decode("utf-8"))
    assert len(parsed.contents["vtodo"]) == len(todos)
    assert len(parsed.contents["vevent"]) == len(events)


def test_the_feed_is_the_owners_only(board: Board) -> None:
    bob = icalendar.Calendar.from_ical(feed(board, BOB))
    refs = {str(t["SUMMARY"]).split("]")[0][1:] for t in bob.walk("VTODO")}
    carol = icalendar.Calendar.from_ical(feed(board, CAROL))
    assert refs.isdisjoint({str(t["SUMMARY"]).split("]")[0][1:] for t in carol.walk("VTODO")})
    assert not icalendar.Calendar.from_ical(feed(board, ZOE)).walk("VTODO")


def test_a_board_token_does_not_open_the_feed_and_old_feeds_expire(board: Board) -> None:
    assert board.client.get(f"/feed/{board.token(ALICE)}.ics").status_code == 403
    old = board.token(ALICE, "feed", at=board.clock.now() - days(31))
    response = board.client.get(f"/feed/{old}.ics")
    assert response.status_code == 410 and "fresh link" in response.json()["detail"]


def test_the_api_mirrors_the_pages_with_the_same_scope(board: Board) -> None:
    s = board.seeded
    alice = board.token(ALICE)
    me = board.client.get(f"/api/v1/{alice}/me").json()
    assert me["email"] == ALICE and me["name"] == "王丽" and not me["executive"]
    assert [p["name"] for p in me["projects"]] == ["新产品发布"]
    project = board.client.get(f"/api/v1/{alice}/projects/{s.main}").json()
    assert [c["status"] for c in project["columns"]] == [
        "not_started",
        "in_progress",
        "awaiting_acceptance",
        "done",
        "delayed",
    ]
    assert sum(c["count"] for c in project["columns"]) == 20
    assert any(i["overdue"] for c in project["columns"] for i in c["items"])
    rates = [d["on_time_rate"] for d in project["departments"]]
    assert all(r is None or 0.0 <= r <= 1.0 for r in rates)
    meeting = board.client.get(f"/api/v1/{alice}/meetings/{s.main_meeting}").json()
    assert meeting["agenda"] and meeting["attendees"] and meeting["minutes"]
    item = board.client.get(f"/api/v1/{alice}/items/{s.main_item}").json()
    assert item["history"][0]["kind"] == "created"
    for path in (f"/projects/{s.other}", f"/meetings/{s.other_meeting}", f"/items/{s.other_item}"):
        refused = board.client.get(f"/api/v1/{alice}{path}")
        assert refused.status_code == 403 and "detail" in refused.json()
    assert board.client.get(f"/api/v1/{alice}/people/{DAVE}").status_code == 403
    erin = board.token(ERIN)
    assert len(board.client.get(f"/api/v1/{erin}/projects").json()) == 2
    assert board.client.get(f"/api/v1/{erin}/people/{DAVE}").json()["email"] == DAVE


def test_openapi_documents_typed_responses(board: Board) -> None:
    spec = board.client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/v1/{token}/me",
        "/api/v1/{token}/projects",
        "/api/v1/{token}/projects/{project_id}",
        "/api/v1/{token}/meetings/{meeting_id}",
        "/api/v1/{token}/items/{ref}",
        "/api/v1/{token}/people/{email}",
    ):
        assert "get" in paths[path], path
    schemas = spec["components"]["schemas"]
    assert {"BoardOut", "ItemOut", "MeetingDetailOut", "ItemDetailOut", "PersonOut"} <= set(schemas)
    assert not any(p.startswith("/b/") for p in paths)  # the HTML pages are not API


@pytest.mark.parametrize("path", ["/api/docs", "/docs", "/redoc"])
def test_no_script_carrying_docs_pages(board: Board, path: str) -> None:
    assert board.client.get(path).status_code == 404
