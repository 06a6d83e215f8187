"""Item exports: a CSV Excel opens with its Chinese intact, and VTODOs a task app can load."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mailflow.outbound.rendering.items_export import (
    CSV_COLUMNS,
    ItemRow,
    item_uid,
    items_csv,
    items_ics,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
PRODID = "-//mailflow//items//EN"

ITEMS = (
    ItemRow(
        "MF-0042",
        "完成招聘计划",
        owner="li.si@example.com",
        owner_name="李四",
        department="人力资源部",
        meeting="第二季度经营分析会",
        deliverable="招聘计划初稿",
        due=date(2025, 3, 14),
        status="in_progress",
        progress=60,
        last_update=datetime(2025, 3, 11, 17, 5, tzinfo=SHANGHAI),
    ),
    ItemRow(
        "MF-0043",
        "Book the room, then; confirm",
        owner="bob@example.com",
        meeting="Q2 review",
        due=date(2025, 3, 17),
        due_time=time(17, 0),
        status="delayed",
        progress=10,
        delay_reason="vendor late",
    ),
    ItemRow("MF-0044", "Send the deck", owner="bob@example.com", status="not_started"),
    ItemRow(
        "MF-0045",
        "Sign the contract",
        owner="bob@example.com",
        status="done",
        progress=80,
        last_update=datetime(2025, 3, 12, 8, 0, tzinfo=UTC),
    ),
    ItemRow("MF-0046", "Old idea", owner="bob@example.com", status="cancelled"),
)


def test_csv_starts_with_a_bom_and_keeps_chinese(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(items_csv(ITEMS), encoding="utf-8", newline="")

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0] == {
        "ref": "MF-0042",
        "meeting": "第二季度经营分析会",
        "owner": "李四",
        "department": "人力资源部",
        "task": "完成招聘计划",
        "deliverable": "招聘计划初稿",
        "due": "2025-03-14",
        "status": "in_progress",
        "progress": "60",
        "delay_reason": "",
        "last_update": "2025-03-11T17:05+08:00",
    }
    # Without a name the owner is shown by address; commas and semicolons stay in their cell.
    assert rows[1]["owner"] == "bob@example.com"
    assert rows[1]["task"] == "Book the room, then; confirm"
    assert rows[1]["delay_reason"] == "vendor late"
    assert rows[2]["due"] == ""


def test_csv_cells_never_become_formulas() -> None:
    hostile = ItemRow("MF-0050", '=HYPERLINK("http://evil.example","click")', owner="@bob")
    rows = list(csv.reader(io.StringIO(items_csv([hostile]).lstrip("\ufeff"))))

    assert rows[1][4] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[1][2] == "'@bob"


def test_an_empty_export_has_the_header_only() -> None:
    assert items_csv([]) == "\ufeff" + ",".join(CSV_COLUMNS) + "\r\n"


def todos(data: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(data)
    return {str(todo["SUMMARY"]).split("]")[0][1:]: todo for todo in calendar.walk("VTODO")}


def test_vtodos_parse_back_with_due_status_and_progress() -> None:
    data = items_ics(ITEMS, prodid=PRODID, domain="example.com", now=NOW)
    calendar = Calendar.from_ical(data)
    found = todos(data)

    assert str(calendar["PRODID"]) == PRODID and str(calendar["VERSION"]) == "2.0"
    assert "METHOD" not in calendar
    assert set(found) == {item.ref for item in ITEMS}
    expected = {
        "MF-0042": ("IN-PROCESS", 60),
        "MF-0043": ("IN-PROCESS", 10),
        "MF-0044": ("NEEDS-ACTION", 0),
        "MF-0045": ("COMPLETED", 100),
        "MF-0046": ("CANCELLED", 0),
    }
    for ref, (status, percent) in expected.items():
        todo = found[ref]
        assert str(todo["STATUS"]) == status
        assert int(todo["PERCENT-COMPLETE"]) == percent
        assert todo["DTSTAMP"].dt == NOW
    # The due date is a date, not a time: an all-day deadline in every task app.
    assert found["MF-0042"]["DUE"].dt == date(2025, 3, 14)
    assert found["MF-0043"]["DUE"].dt == date(2025, 3, 17)
    assert "DUE" not in found["MF-0044"]
    assert found["MF-0045"]["COMPLETED"].dt == datetime(2025, 3, 12, 8, 0, tzinfo=UTC)


def test_vtodo_text_keeps_chinese_and_punctuation() -> None:
    found = todos(items_ics(ITEMS, prodid=PRODID, domain="example.com", now=NOW))

    first = found["MF-0042"]
    assert str(first["SUMMARY"]) == "[MF-0042] 完成招聘计划"
    description = str(first["DESCRIPTION"])
    assert "第二季度经营分析会" in description and "招聘计划初稿" in description
    assert str(found["MF-0043"]["SUMMARY"]) == "[MF-0043] Book the room, then; confirm"
    assert "vendor late" in str(found["MF-0043"]["DESCRIPTION"])


def test_uids_are_stable_across_exports() -> None:
    first = items_ics(ITEMS, prodid=PRODID, domain="example.com", now=NOW)
    later = items_ics(ITEMS[:1], prodid=PRODID, domain="Example.COM", now=datetime.now(UTC))

    uid = str(todos(first)["MF-0042"]["UID"])
    assert uid == str(todos(later)["MF-0042"]["UID"])
    assert uid == item_uid("MF-0042", "example.com") == "item-mf-0042@example.com"
    assert len({str(todo["UID"]) for todo in todos(first).values()}) == len(ITEMS)


def test_the_ics_has_crlf_line_ends() -> None:
    data = items_ics(ITEMS, prodid=PRODID, domain="example.com", now=NOW)

    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "lost"},
        {"progress": 101},
        {"progress": -1},
        {"last_update": datetime(2025, 3, 11, 8, 0)},
    ],
)
def test_an_impossible_item_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ItemRow("MF-1", "t", **changes)  # type: ignore[arg-type]  # wrong values, on purpose
