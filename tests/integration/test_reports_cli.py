"""``mailflow minutes show``, ``mailflow items`` and ``mailflow items export`` on a SQLite tracker.

The meetings, minutes and items are made by the real services (meeting intake, the minutes parser,
minutes application, item commands), so the reports read what the daemon would have written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from icalendar import Calendar
from sqlalchemy import select

from mailflow.cli import main
from mailflow.config.load import load_config
from mailflow.config.schema import Config
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.item_commands import parse_item_commands
from mailflow.domain.meeting import AttendeeSpec, MeetingSpec
from mailflow.domain.minutes_parser import parse_minutes
from mailflow.services.items import apply_item_commands
from mailflow.services.meetings import apply_spec
from mailflow.services.minutes import apply_minutes
from mailflow.services.projects import project_named
from mailflow.services.reports import find_meeting, list_items
from mailflow.tracker import db as tracker_db
from mailflow.tracker.models import ActionItem, Meeting, MeetingSource
from tests.conftest import offline_config_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLANNING_START = datetime(2025, 3, 10, 10, 0, tzinfo=SHANGHAI)
REVIEW_START = datetime(2025, 3, 11, 15, 0, tzinfo=SHANGHAI)

PLANNING_MINUTES = """\
出席：alice, bob, carol
DECISION: Budget approved
决议：采用新供应商
ACTION: @bob 准备预算 交付物：预算表 截止：3月14日
ACTION: @carol Send the final deck; due: 2099-01-15
ACTION: @alice Book the room; due: 2025-03-12
ACTION: @nobody Fix the printer
DISPUTE: @alice Who owns the vendor contract? by Friday
NEXT: 2025-03-17 10:00; Room 301; budget review
INFO: The auditors visit in April.
"""
REVIEW_MINUTES = """\
DECISION: Ship in May
ACTION: @carol Draft the release notes; due: 2099-02-01
ACTION: @bob Count the stock; due: 2099-02-02
"""
# The scribe's correction drops the stock count: it must vanish from the minutes shown.
REVIEW_CORRECTION = """\
DECISION: Ship in June
ACTION: @carol Draft the release notes; due: 2099-02-01
"""


@dataclass(frozen=True)
class Tracker:
    config_path: Path
    config: Config


def _config_text(tmp_path: Path) -> str:
    return offline_config_text(
        tmp_path / "mf.db",
        """[schedule]
timezone = "Asia/Shanghai"
[[people.person]]
email = "alice@example.test"
name = "Alice"
aliases = ["alice"]
department = "Ops"
[[people.person]]
email = "bob@example.test"
name = "张伟"
aliases = ["bob"]
department = "财务部"
locale = "zh_CN"
[[people.person]]
email = "carol@example.test"
name = "Carol"
aliases = ["carol"]
department = "Sales"
""",
    )


def _spec(uid: str, title: str, start: datetime) -> MeetingSpec:
    return MeetingSpec(
        uid=uid,
        title=title,
        organiser=AttendeeSpec("alice@example.test", "Alice"),
        start=start,
        end=start + timedelta(hours=1),
        tzid="Asia/Shanghai",
        attendees=(AttendeeSpec("bob@example.test"), AttendeeSpec("carol@example.test")),
        location="Room 101",
    )


def _build(config: Config) -> None:
    directory = Directory(config.people.people)
    calendar = BusinessCalendar(config.schedule.calendar)
    engine = tracker_db.make_engine(config.database.url)
    try:
        tracker_db.upgrade(engine)
        with tracker_db.make_session_factory(engine)() as session, session.begin():
            meetings = {}
            for uid, title, start in (
                ("plan@example.test", "Quarterly planning 季度规划", PLANNING_START),
                ("review@example.test", "Quarterly review", REVIEW_START),
            ):
                created = apply_spec(
                    session,
                    _spec(uid, title, start),
                    source=MeetingSource.CLI,
                    domain="example.test",
                    now=start - timedelta(days=7),
                )
                assert created.meeting is not None
                meetings[uid] = created.meeting
            versions = (
                ("plan@example.test", PLANNING_MINUTES, PLANNING_START),
                ("review@example.test", REVIEW_MINUTES, REVIEW_START),
                ("review@example.test", REVIEW_CORRECTION, REVIEW_START + timedelta(hours=3)),
            )
            for uid, text, start in versions:
                doc = parse_minutes(
                    text, meeting_start=start, directory=directory, calendar=calendar
                )
                apply_minutes(
                    session,
                    meetings[uid],
                    doc,
                    raw_text=text,
                    submitted_by="alice@example.test",
                    source_message_id=f"<{abs(hash(text))}@example.test>",
                    directory=directory,
                    now=start + timedelta(hours=2),
                )
            # The owners answer their item mails: Alice has booked the room, Carol is at 60%.
            for sender, text in (
                ("alice@example.test", "MF-0003 DONE"),
                ("carol@example.test", "MF-0002 60%"),
            ):
                at = PLANNING_START + timedelta(days=1)
                parsed = parse_item_commands(text, now=at, directory=directory, calendar=calendar)
                applied = apply_item_commands(
                    session,
                    parsed.commands,
                    sender=sender,
                    context_meeting=meetings["plan@example.test"],
                    now=at,
                    source=None,
                )
                assert applied.applied and not applied.errors, applied.errors
    finally:
        engine.dispose()


@pytest.fixture
def tracker(tmp_path: Path) -> Tracker:
    config_path = tmp_path / "mailflow.toml"
    config_path.write_text(_config_text(tmp_path), encoding="utf-8")
    config = load_config(config_path)
    _build(config)
    return Tracker(config_path, config)


def _run(tracker: Tracker, *args: str) -> Result:
    # A wide terminal, so the items table never wraps a ref or a task across lines.
    return CliRunner(env={"COLUMNS": "220"}).invoke(
        main, [*args, "--config", str(tracker.config_path)]
    )


def _refs(output: str) -> set[str]:
    return {word for word in output.split() if word.startswith("MF-")}


def test_minutes_show_markdown(tracker: Tracker) -> None:
    result = _run(tracker, "minutes", "show", "季度规划")

    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# Minutes: Quarterly planning 季度规划\n")
    assert "Monday 10 March 2025, 10:00–11:00 (Asia/Shanghai)" in text, "the meeting's own zone"
    assert "**Present:** Alice (alice@example.test), 张伟 (bob@example.test), Carol" in text
    assert "1. Budget approved\n2. 采用新供应商\n" in text
    row = "| MF-0001 | 张伟 (bob@example.test) | 财务部 | 准备预算 | 预算表 | 2025-03-14 |"
    assert f"{row} not_started |" in text
    assert "| MF-0002 | Carol (carol@example.test) | Sales | Send the final deck | - |" in text
    assert "| 2099-01-15 | in_progress 60% |" in text
    assert (
        "| MF-0003 | Alice (alice@example.test) | Ops | Book the room | - | 2025-03-12 | done |"
        in text
    )
    assert (
        "| Who owns the vendor contract? | Alice (alice@example.test) | 2025-03-14 | open |" in text
    )
    assert "Monday 17 March 2025, 10:00 (Asia/Shanghai) · Room 301 · budget review" in text
    assert "- The auditors visit in April." in text
    assert "unknown owner @nobody" in text, "the lines not applied are shown too"
    assert "**Version:** 1 (" in text and "correction" not in text


def test_minutes_show_finds_a_meeting_by_uid_and_id(tracker: Tracker) -> None:
    by_uid = _run(tracker, "minutes", "show", "plan@example.test")
    by_id = _run(tracker, "minutes", "show", "1")
    by_title = _run(tracker, "minutes", "show", "QUARTERLY PLANNING")

    assert by_uid.exit_code == by_id.exit_code == by_title.exit_code == 0, by_uid.output
    assert by_uid.stdout == by_id.stdout == by_title.stdout


def test_a_correction_is_marked_and_dropped_items_are_gone(tracker: Tracker) -> None:
    result = _run(tracker, "minutes", "show", "quarterly review")

    assert result.exit_code == 0, result.output
    assert "**Version:** 2, a correction of version 1" in result.stdout
    assert "1. Ship in June\n" in result.stdout and "Ship in May" not in result.stdout
    assert "Draft the release notes" in result.stdout
    assert "Count the stock" not in result.stdout


def test_an_ambiguous_or_unknown_meeting_exits_1(tracker: Tracker) -> None:
    ambiguous = _run(tracker, "minutes", "show", "quarterly")
    unknown = _run(tracker, "minutes", "show", "board meeting")

    assert ambiguous.exit_code == 1
    assert "matches 2 meetings" in ambiguous.stderr
    assert "plan@example.test" in ambiguous.stderr and "review@example.test" in ambiguous.stderr
    assert ambiguous.stdout == ""
    assert unknown.exit_code == 1 and "no meeting matches" in unknown.stderr


def test_find_meeting_prefers_the_whole_title(tracker: Tracker) -> None:
    engine = tracker_db.make_engine(tracker.config.database.url)
    try:
        with tracker_db.make_session_factory(engine)() as session:
            found = find_meeting(session, "quarterly review")
            assert isinstance(found, Meeting) and found.uid == "review@example.test"
            several = find_meeting(session, "Quarterly")
            assert isinstance(several, list)
            assert [m.uid for m in several] == ["plan@example.test", "review@example.test"]
    finally:
        engine.dispose()


def test_minutes_show_html_is_the_official_minutes(tracker: Tracker) -> None:
    result = _run(tracker, "minutes", "show", "季度规划", "--format", "html")

    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.lstrip().startswith("<!DOCTYPE html>")
    for expected in (
        "Quarterly planning 季度规划",
        "MF-0001",
        "准备预算",
        "预算表",
        "采用新供应商",
    ):
        assert expected in page
    assert "Send the final deck" in page
    assert "Room 301" in page


def test_items_lists_and_filters(tracker: Tracker) -> None:
    everything = _run(tracker, "items")
    assert everything.exit_code == 0, everything.output
    # MF-0004 is the planning minutes' DISPUTE, tracked as an issue (Alice's, due 14 March).
    everything_refs = {"MF-0001", "MF-0002", "MF-0003", "MF-0004", "MF-0005", "MF-0006"}
    assert _refs(everything.stdout) == everything_refs
    assert "准备预算" in everything.stdout and "6 item(s)" in everything.stdout

    assert _refs(_run(tracker, "items", "--owner", "BOB@example.test").stdout) == {
        "MF-0001",
        "MF-0006",
    }
    assert _refs(_run(tracker, "items", "--status", "done").stdout) == {"MF-0003"}
    assert _refs(_run(tracker, "items", "--status", "cancelled").stdout) == {"MF-0006"}
    assert _refs(_run(tracker, "items", "--department", "sales").stdout) == {"MF-0002", "MF-0005"}
    assert _refs(_run(tracker, "items", "--department", "财务部").stdout) == {"MF-0001", "MF-0006"}
    # Due 14 March 2025 and still open: overdue. MF-0003 is done, MF-0002 is due in 2099.
    assert _refs(_run(tracker, "items", "--overdue").stdout) == {"MF-0001", "MF-0004"}
    both = _run(tracker, "items", "--overdue", "--owner", "carol@example.test")
    assert both.exit_code == 0 and _refs(both.stdout) == set()


def test_items_table_shows_progress_and_last_update(tracker: Tracker) -> None:
    result = _run(tracker, "items", "--owner", "carol@example.test", "--status", "in_progress")

    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "MF-0002" in line)
    assert "in_progress" in row and "60%" in row and "2099-01-15" in row
    assert "2025-03-11 10:00" in row, "the last update in schedule.timezone"


def test_overdue_is_before_the_day_given(tracker: Tracker) -> None:
    engine = tracker_db.make_engine(tracker.config.database.url)
    try:
        with tracker_db.make_session_factory(engine)() as session:

            def overdue(day: date) -> list[str]:
                return [item.ref for item in list_items(session, overdue_on=day)]

            assert overdue(date(2025, 3, 14)) == [], "due today is not late yet"
            assert overdue(date(2025, 3, 15)) == ["MF-0001", "MF-0004"]
            assert overdue(date(2099, 1, 16)) == ["MF-0001", "MF-0002", "MF-0004"]
    finally:
        engine.dispose()


def test_export_csv_keeps_the_bom_and_the_chinese(tracker: Tracker, tmp_path: Path) -> None:
    out = tmp_path / "items.csv"
    written = _run(tracker, "items", "export", "--format", "csv", "--out", str(out))
    printed = _run(tracker, "items", "export", "--format", "csv", "--owner", "bob@example.test")

    assert written.exit_code == 0, written.output
    assert "6 item(s) written" in written.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [row["ref"] for row in rows] == [f"MF-000{n}" for n in range(1, 7)]
    first = rows[0]
    assert first["owner"] == "张伟" and first["department"] == "财务部"
    assert first["task"] == "准备预算" and first["meeting"] == "Quarterly planning 季度规划"
    assert b"\r\n" in raw and b"\r\r\n" not in raw

    assert printed.exit_code == 0, printed.output
    assert printed.stdout.startswith("\ufeffref,")
    assert [r["ref"] for r in csv.DictReader(io.StringIO(printed.stdout[1:]))] == [
        "MF-0001",
        "MF-0006",
    ]


def test_export_takes_the_filters_given_before_it(tracker: Tracker) -> None:
    result = _run(tracker, "items", "--overdue", "export", "--format", "csv")

    assert result.exit_code == 0, result.output
    assert [r["ref"] for r in csv.DictReader(io.StringIO(result.stdout[1:]))] == [
        "MF-0001",
        "MF-0004",
    ]


def test_export_ics_is_one_vtodo_per_item(tracker: Tracker, tmp_path: Path) -> None:
    out = tmp_path / "items.ics"
    written = _run(tracker, "items", "export", "--format", "ics", "--out", str(out))
    printed = _run(tracker, "items", "export", "--format", "ics", "--status", "done")

    assert written.exit_code == 0, written.output
    calendar = Calendar.from_ical(out.read_bytes())
    todos = {str(todo["SUMMARY"]): todo for todo in calendar.walk("VTODO")}
    assert len(todos) == 6
    budget = todos["[MF-0001] 准备预算"]
    assert budget.decoded("DUE") == date(2025, 3, 14)
    assert str(budget["STATUS"]) == "NEEDS-ACTION"
    assert str(todos["[MF-0002] Send the final deck"]["PERCENT-COMPLETE"]) == "60"
    assert str(budget["UID"]) == "item-mf-0001@example.test"

    assert printed.exit_code == 0, printed.output
    done = Calendar.from_ical(printed.stdout_bytes).walk("VTODO")
    assert [str(todo["STATUS"]) for todo in done] == ["COMPLETED"]


def test_projects_lists_each_project_with_its_items_by_state(tracker: Tracker) -> None:
    engine = tracker_db.make_engine(tracker.config.database.url)
    try:
        with tracker_db.make_session_factory(engine)() as session, session.begin():
            now = datetime(2025, 3, 12, 9, 0, tzinfo=SHANGHAI)
            launch = project_named(session, "新产品发布", coordinator="alice@example.test", now=now)
            launch.lead_department = "研发部"
            project_named(session, "Office move", coordinator="carol@example.test", now=now)
            items = {i.ref: i for i in session.scalars(select(ActionItem))}
            for ref in ("MF-0001", "MF-0002", "MF-0003"):
                items[ref].project_id = launch.id
            items["MF-0002"].at_risk_since = now
    finally:
        engine.dispose()
    result = _run(tracker, "projects")
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    # MF-0001 is open and overdue, MF-0002 open and at risk, MF-0003 done.
    cells = [c.strip() for c in lines["新产品发布"].split("│")[1:-1]]
    assert cells == ["新产品发布", "alice@example.test", "研发部", "-", "2", "1", "1", "0", "1"]
    assert [c.strip() for c in lines["Office move"].split("│")[5:-1]] == ["0"] * 5
    assert "2 project(s)" in result.stdout


def test_items_show_prints_one_item_with_its_whole_history(tracker: Tracker) -> None:
    result = _run(tracker, "items", "show", "mf-0001")
    assert result.exit_code == 0, result.output
    assert "MF-0001" in result.stdout and "准备预算" in result.stdout
    assert "created" in result.stdout and "change(s)" in result.stdout
    missing = _run(tracker, "items", "show", "MF-9999")
    assert missing.exit_code != 0 and "there is no item MF-9999" in missing.output
