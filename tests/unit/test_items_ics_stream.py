"""The archive's line-by-line VTODO writer says what the item export says: both parsed with
icalendar, every property of every VTODO is equal; long CJK lines fold within 75 octets."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Calendar

from mailflow.outbound.rendering.items_export import ItemRow, items_ics
from mailflow.outbound.rendering.items_ics_stream import items_ics_fast

NOW = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)
ROWS = [
    ItemRow(
        ref="MF-0001",
        task="任务, a;b\\c\nline2 " * 6,
        owner="a@example.test",
        owner_name="张伟",
        department="研发部",
        meeting="Launch, v2; <b>",
        deliverable="https://docs.example.test/x?a=1,2",
        due=date(2025, 3, 14),
        status="done",
        progress=40,
        delay_reason="供应商延迟交货",
        last_update=datetime(2025, 3, 12, 9, 30, tzinfo=UTC),
    ),
    ItemRow(ref="MF-0002", task="Send the figures", status="delayed", progress=60),
    ItemRow(ref="MF-0003", task="x" * 200, status="cancelled", department="Ops, EU"),
    ItemRow(ref="MF-0004", task="验收" * 80, status="awaiting_acceptance", due=date(2025, 4, 1)),
]


def todos(data: bytes) -> list[dict[str, object]]:
    calendar = Calendar.from_ical(data)
    return [
        {name: component.decoded(name) for name in component}
        for component in calendar.walk("VTODO")
    ]


def test_the_same_properties_as_the_item_export() -> None:
    ours = items_ics_fast(ROWS, prodid="-//mailflow//x//EN", domain="Example.test", now=NOW)
    theirs = items_ics(ROWS, prodid="-//mailflow//x//EN", domain="Example.test", now=NOW)
    assert todos(ours) == todos(theirs)
    header = Calendar.from_ical(ours)
    assert str(header["PRODID"]) == "-//mailflow//x//EN" and str(header["VERSION"]) == "2.0"


def test_lines_are_crlf_and_at_most_75_octets() -> None:
    data = items_ics_fast(ROWS, prodid="-//mailflow//x//EN", domain="example.test", now=NOW)
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # no character split across a fold
