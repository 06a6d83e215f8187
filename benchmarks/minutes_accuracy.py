"""Measure the minutes parser on the labelled set in ``tests/data/minutes``: accuracy per field.

Each ``NAME.txt`` or ``NAME.html`` (converted with ``html_to_text`` first, as the inbound path
does) has a sibling ``NAME.expected.json`` with the meeting's start (local time), optionally its
``zone`` (default Asia/Shanghai), ``country`` and ``subdivision`` (default CN), and the expected
decisions, actions and disputes (owner, task, deliverable, due), attendees, next meeting and the
number of problems. Items are compared in order; a missing or extra item counts as wrong in every
field. ``people.json`` is the directory.

Run ``.venv/bin/python benchmarks/minutes_accuracy.py``: it prints the table and writes
``benchmarks/results/minutes_accuracy.json``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.config.schema import CalendarSettings, Person
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.minutes import ActionSpec, MinutesDoc
from mailflow.domain.minutes_parser import parse_minutes
from mailflow.inbound.reading.mailtext import html_to_text

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "minutes"
RESULTS = ROOT / "benchmarks" / "results" / "minutes_accuracy.json"
ITEM_FIELDS = ("owner", "task", "deliverable", "due")
NEXT_FIELDS = ("start", "location", "topic")


@dataclass
class Tally:
    """Correct and total comparisons per field, and what differed."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def check(self, name: str, document: str, expected: Any, got: Any) -> bool:
        right = bool(expected == got)
        count = self.counts.setdefault(name, [0, 0])
        count[0] += right
        count[1] += 1
        if not right:
            self.misses.append(
                {"document": document, "field": name, "expected": expected, "got": got}
            )
        return right


def load_directory(path: Path = DATA / "people.json") -> Directory:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return Directory(
        Person(
            email=row["email"],
            name=row["name"],
            aliases=tuple(row.get("aliases", ())),
            department=row.get("department"),
            role=row.get("role"),
        )
        for row in rows
    )


def documents(data: Path = DATA) -> list[tuple[Path, Path]]:
    """Every minutes document of the set with its expectations, in name order."""
    found = []
    for source in sorted([*data.glob("*.txt"), *data.glob("*.html")]):
        expected = source.with_name(source.stem + ".expected.json")
        if expected.exists():
            found.append((source, expected))
    return found


def parse_document(source: Path, expected: dict[str, Any], directory: Directory) -> MinutesDoc:
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".html":
        text = html_to_text(text)
    zone = ZoneInfo(expected.get("zone", "Asia/Shanghai"))
    start = datetime.fromisoformat(expected["meeting_start"]).replace(tzinfo=zone)
    settings = CalendarSettings(
        country=expected.get("country", "CN"), subdivision=expected.get("subdivision")
    )
    return parse_minutes(
        text, meeting_start=start, directory=directory, calendar=BusinessCalendar(settings)
    )


def _item(spec: ActionSpec | None) -> dict[str, Any]:
    if spec is None:
        return dict.fromkeys(ITEM_FIELDS)
    due = spec.due.isoformat() if spec.due else None
    return {"owner": spec.owner, "task": spec.task, "deliverable": spec.deliverable, "due": due}


def _compare_items(
    tally: Tally, name: str, kind: str, expected: list[dict[str, Any]], got: tuple[ActionSpec, ...]
) -> bool:
    right = True
    for index in range(max(len(expected), len(got))):
        want = expected[index] if index < len(expected) else dict.fromkeys(ITEM_FIELDS)
        have = _item(got[index] if index < len(got) else None)
        for key in ITEM_FIELDS:
            right &= tally.check(f"{kind}.{key}", name, want.get(key), have[key])
    return right


def score(data: Path = DATA) -> dict[str, Any]:
    """Parse every document of the set and compare; the report that ``main`` prints and saves."""
    directory = load_directory(data / "people.json")
    tally = Tally()
    exact = 0
    pairs = documents(data)
    for source, expected_path in pairs:
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        doc = parse_document(source, expected, directory)
        name = source.name
        right = True
        for index in range(max(len(expected["decisions"]), len(doc.decisions))):
            want = expected["decisions"][index] if index < len(expected["decisions"]) else None
            have = doc.decisions[index] if index < len(doc.decisions) else None
            right &= tally.check("decisions", name, want, have)
        right &= _compare_items(tally, name, "actions", expected["actions"], doc.actions)
        right &= _compare_items(tally, name, "disputes", expected["disputes"], doc.disputes)
        if "attendees" in expected:
            right &= tally.check("attendees", name, expected["attendees"], list(doc.attendees))
        if "next_meeting" in expected:
            spec = doc.next_meeting
            start = spec.start.isoformat() if spec and spec.start else None
            have_next = {"start": start, "location": spec and spec.location}
            have_next["topic"] = spec and spec.topic
            for key in NEXT_FIELDS:
                want = expected["next_meeting"][key]
                right &= tally.check(f"next_meeting.{key}", name, want, have_next[key])
        right &= tally.check("problems", name, expected["problems"], len(doc.problems))
        exact += right
    fields = {
        name: {"correct": c, "total": t, "accuracy": round(c / t, 4) if t else 1.0}
        for name, (c, t) in sorted(tally.counts.items())
    }
    return {
        "documents": len(pairs),
        "documents_exact": exact,
        "fields": fields,
        "misses": tally.misses,
    }


def main() -> int:
    report = score()
    width = max(len(name) for name in report["fields"])
    print(f"{'field':<{width}}  correct  total  accuracy")
    for name, row in report["fields"].items():
        print(f"{name:<{width}}  {row['correct']:>7}  {row['total']:>5}  {row['accuracy']:>8.1%}")
    print(f"documents fully right: {report['documents_exact']}/{report['documents']}")
    for miss in report["misses"]:
        print(f"MISS {miss['document']} {miss['field']}: {miss['expected']!r} != {miss['got']!r}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"saved {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
