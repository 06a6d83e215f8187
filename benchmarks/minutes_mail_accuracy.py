"""Precision, recall and F1 of the action items mailflow reads from real minutes mails.

Reads the labelled set ``tests/data/minutes_mail`` (or the folder given): every ``ID.eml`` with
its ``ID.json`` (format in that folder's README). Each raw message goes through what the inbound
path runs — :func:`mailflow.inbound.understanding.minutes_source.read_source` (new text, HTML tables
as rows, attachments) and :func:`mailflow.domain.minutes_parser.parse_minutes` with the folder's
``people.json`` and China's business calendar, the meeting starting at the label's
``meeting_start``.

An item counts as found when one read item has the expected owner and due date and a task that
says the same (after folding case, width, script and punctuation, one contains the other or
they are 60 % alike); each read item matches at most one expected item. Printed: precision,
recall and F1 per style, per language and overall; how many labelled unresolved lines the
scribe's receipt lists; items read from the negatives; with ``--misses`` every miss.

Run ``.venv/bin/python benchmarks/minutes_mail_accuracy.py [FOLDER] [--misses]``; the last line is
``minutes F1: overall X (min style Y)``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mailflow.config.schema import CalendarSettings, Person
from mailflow.domain.business_calendar import BusinessCalendar
from mailflow.domain.directory import Directory
from mailflow.domain.minutes import ActionSpec, MinutesDoc
from mailflow.domain.minutes_parser import parse_minutes
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.minutes_source import read_source
from mailflow.text_forms import simplified

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "minutes_mail"
CALENDAR = BusinessCalendar(CalendarSettings(country="CN"))
_NOISE = re.compile(r"[\s\W_]+")


@dataclass
class Counts:
    """True positives, false positives and false negatives of one group of mails."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    by_style: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_language: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    overall: Counts = field(default_factory=Counts)
    unresolved_listed: int = 0
    unresolved_total: int = 0
    negative_items: int = 0
    mails: int = 0
    misses: list[str] = field(default_factory=list)


def load_directory(path: Path) -> Directory:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return Directory(
        Person(
            email=row["email"],
            name=row["name"],
            aliases=tuple(row.get("aliases", ())),
            department=row.get("department"),
            role=row.get("role"),
            manager=row.get("manager"),
        )
        for row in rows
    )


def labelled(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every mail of the set with its labels, in name order."""
    pairs = []
    for source in sorted(folder.glob("*.eml")):
        label = source.with_suffix(".json")
        if label.exists():
            pairs.append((source, json.loads(label.read_text(encoding="utf-8"))))
    return pairs


def read(source: Path, label: dict[str, Any], directory: Directory) -> MinutesDoc:
    """What mailflow reads from one labelled mail."""
    zone = ZoneInfo(label.get("zone", "Asia/Shanghai"))
    start = datetime.fromisoformat(label["meeting_start"]).replace(tzinfo=zone)
    mail = InboundMail(source.read_bytes())
    found = read_source(mail.message)
    doc = parse_minutes(
        found.text,
        meeting_start=start,
        directory=directory,
        calendar=CALENDAR,
        tables=found.tables,
        sender=mail.sender,
    )
    return MinutesDoc(**{**doc.__dict__, "problems": (*doc.problems, *found.problems)})


def folded(text: str) -> str:
    return _NOISE.sub("", simplified(unicodedata.normalize("NFKC", text)).casefold())


def same_task(expected: str, got: str) -> bool:
    a, b = folded(expected), folded(got)
    if not a or not b:
        return a == b
    return a in b or b in a or SequenceMatcher(None, a, b).ratio() >= 0.6


_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def listed_in(fragment: str, line: str) -> bool:
    """Whether a receipt line (folded) quotes the labelled fragment: most of its text, in
    order or not (a table row is quoted with its cells in the table's order, the label's
    fragment may put the owner first)."""
    want = folded(_NOTE.sub("", fragment))
    if not want:
        return False
    if want in line:
        return True
    have = Counter(line)
    shared = sum(min(count, have[char]) for char, count in Counter(want).items())
    return shared >= 0.8 * len(want)


def _matches(want: dict[str, Any], spec: ActionSpec) -> bool:
    due = spec.due.isoformat() if spec.due else None
    return (
        want["owner"] == spec.owner
        and want.get("due") == due
        and same_task(want["task"], spec.task)
    )


def compare(
    name: str, expected: list[dict[str, Any]], got: tuple[ActionSpec, ...], misses: list[str]
) -> Counts:
    """Match expected items to read ones, one to one (see the module docstring)."""
    left = list(got)
    counts = Counts()
    for want in expected:
        hit = next((spec for spec in left if _matches(want, spec)), None)
        if hit is None:
            near = next((s for s in left if s.owner == want["owner"]), None)
            have = f" — read: {_show(near)}" if near else ""
            misses.append(
                f"{name} MISSED {want['owner']} | {want['task']} | {want.get('due')}{have}"
            )
            counts.fn += 1
        else:
            left.remove(hit)
            counts.tp += 1
    for spec in left:
        misses.append(f"{name} EXTRA {_show(spec)}")
        counts.fp += 1
    return counts


def _show(spec: ActionSpec) -> str:
    return f"{spec.owner} | {spec.task} | {spec.due}"


def score(folder: Path = DATA) -> Report:
    directory = load_directory(folder / "people.json")
    report = Report()
    for source, label in labelled(folder):
        doc = read(source, label, directory)
        counts = compare(source.stem, label["items"], doc.actions, report.misses)
        report.by_style[label["style"]].add(counts)
        report.by_language[label["language"]].add(counts)
        report.overall.add(counts)
        report.mails += 1
        if label["style"] == "negative":
            report.negative_items += len(doc.actions)
        lines = [folded(p.line) for p in doc.unused]
        for fragment in label.get("unresolved", []):
            report.unresolved_total += 1
            if any(listed_in(fragment, line) for line in lines):
                report.unresolved_listed += 1
            else:
                report.misses.append(f"{source.stem} NOT LISTED {fragment}")
    return report


def _row(name: str, counts: Counts) -> str:
    return (
        f"{name:<12} {counts.tp:>4} {counts.fp:>4} {counts.fn:>4}  "
        f"{counts.precision:>6.1%} {counts.recall:>6.1%} {counts.f1:>6.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DATA)
    parser.add_argument("--misses", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    report = score(args.folder)
    header = f"{'':<12} {'tp':>4} {'fp':>4} {'fn':>4}  {'prec':>6} {'recall':>6} {'F1':>6}"
    print(f"{report.mails} mails in {args.folder}")
    print(header)
    for name, counts in sorted(report.by_style.items()):
        print(_row(name, counts))
    print()
    for name, counts in sorted(report.by_language.items()):
        print(_row(name, counts))
    print()
    print(_row("overall", report.overall))
    print(
        f"unresolved lines listed in the receipt: "
        f"{report.unresolved_listed}/{report.unresolved_total}"
    )
    print(f"items read from negatives: {report.negative_items}")
    if args.misses:
        for miss in report.misses:
            print(miss)
    scored = [c.f1 for s, c in report.by_style.items() if s != "negative"]
    if args.folder == DATA:
        _save(report)
    print(f"minutes F1: overall {report.overall.f1:.3f} (min style {min(scored, default=0):.3f})")
    return 0


def _save(report: Report) -> None:
    """The figures for ``run_all.py``: F1 overall and per style, receipts, negatives."""
    import benchlib  # beside this script; the tests import this module without it

    figures = [
        benchlib.figure(
            "minutes mail: items F1, all styles",
            report.overall.f1,
            "F1",
            target=">= 0.95",
            passed=report.overall.f1 >= 0.95,
            note=f"{report.mails} mails, P {report.overall.precision:.1%} R {report.overall.recall:.1%}",
        )
    ]
    for style, counts in sorted(report.by_style.items()):
        if style != "negative":
            figures.append(
                benchlib.figure(
                    f"minutes mail: items F1, {style}",
                    counts.f1,
                    "F1",
                    target=">= 0.90",
                    passed=counts.f1 >= 0.90,
                )
            )
    figures.append(
        benchlib.figure(
            "minutes mail: unresolved lines in the receipt",
            report.unresolved_listed / max(report.unresolved_total, 1),
            "share",
            target="100%",
            passed=report.unresolved_listed == report.unresolved_total,
            note=f"{report.unresolved_listed}/{report.unresolved_total}",
        )
    )
    figures.append(
        benchlib.figure(
            "minutes mail: items from negatives",
            report.negative_items,
            "items",
            target="0",
            passed=report.negative_items == 0,
        )
    )
    benchlib.save("minutes_mail_accuracy", {"figures": figures})


if __name__ == "__main__":
    sys.exit(main())
