"""Measure machine-mail classification on the shared corpus: accuracy per folder and speed.

Run from the repository root::

    .venv/bin/python benchmarks/corpus_accuracy.py [--corpus PATH] [--rounds N]

Prints one row per folder (what is measured, how many messages are right) and the classify rate
in messages per second, for all corpus mail and separately for ordinary human mail (the fast path
that must stay cheap) and for bounces (which pay for a full parse). Saves the same figures to
``benchmarks/results/corpus_accuracy.json``. The unit tests in
``tests/unit/test_corpus_machine_mail.py`` assert the targets; this script only reports.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import platform
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mailflow.inbound.reading.addresses import is_address
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classifiers import auto_reply, bounce, reports
from mailflow.inbound.understanding.classify import Classification, classify

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "benchmarks" / "results" / "corpus_accuracy.json"
NOT_MAIL = {"LICENSE", "SOURCE.txt", "EXPECTED.tsv", "EXPECTED.txt", "COPYING.LESSER", "README.md"}
HUMAN_FOLDERS = ("replies-talon", "replies-trimmer", "itip-nylas")


def mail_files(corpus: Path, folder: str) -> list[Path]:
    return [
        p for p in sorted((corpus / folder).rglob("*")) if p.is_file() and p.name not in NOT_MAIL
    ]


def kinds(found: Iterable[Classification]) -> dict[str, int]:
    return dict(collections.Counter(c.kind for c in found).most_common())


def row(
    folder: str, measure: str, good: int, total: int, found: list[Classification]
) -> dict[str, Any]:
    return {
        "folder": folder,
        "measure": measure,
        "good": good,
        "total": total,
        "accuracy": round(good / total, 4) if total else None,
        "kinds": kinds(found),
    }


def sisimai_bounces(corpus: Path) -> dict[str, Any]:
    found = [classify(InboundMail(p.read_bytes())) for p in mail_files(corpus, "bounces-sisimai")]
    good = sum(
        c.kind == "bounce" and any(is_address(a) for a in c.details["recipients"]) for c in found
    )
    return row("bounces-sisimai", "bounce with a valid failed address", good, len(found), found)


def flufl_expected(corpus: Path) -> dict[str, tuple[set[str], bool]]:
    """File → (expected addresses, only a temporary warning); a file may have several rows."""
    expected: dict[str, tuple[set[str], bool]] = {}
    with (corpus / "bounces-flufl" / "EXPECTED.tsv").open(encoding="utf-8") as lines:
        for fields in csv.reader((x for x in lines if not x.startswith("#")), delimiter="\t"):
            name, addresses, warning = fields[1], fields[2], fields[3] == "True"
            known = expected.get(name, (set(), False))[0]
            expected[name] = (known | {a.lower() for a in addresses.split(",") if a}, warning)
    return expected


def flufl_bounces(corpus: Path) -> dict[str, Any]:
    data = corpus / "bounces-flufl" / "flufl" / "bounce" / "tests" / "data"
    found: list[Classification] = []
    good = 0
    expected = flufl_expected(corpus)
    for name, (addresses, warning) in sorted(expected.items()):
        c = classify(InboundMail((data / name).read_bytes()))
        found.append(c)
        good += (
            c.kind == "bounce"
            and set(c.details["recipients"]) == addresses
            and c.details["permanent"] is not warning
        )
    measure = "expected addresses, warnings not permanent"
    return row("bounces-flufl", measure, good, len(expected), found)


def one_kind(corpus: Path, folder: str, kind: str) -> dict[str, Any]:
    found = [classify(InboundMail(p.read_bytes())) for p in mail_files(corpus, folder)]
    return row(folder, f"all {kind}", sum(c.kind == kind for c in found), len(found), found)


def never_bounce(corpus: Path, folder: str) -> dict[str, Any]:
    found = [classify(InboundMail(p.read_bytes())) for p in mail_files(corpus, folder)]
    return row(folder, "never a bounce", sum(c.kind != "bounce" for c in found), len(found), found)


def not_bounces(corpus: Path) -> dict[str, Any]:
    """Every message of the folders without bounces (the bounce files of mixed folders left out)."""
    machine = ["auto-replies-sisimai", "feedback-reports-sisimai", "not-bounces-sisimai"]
    mixed = ["inbound-discourse", "replies-talon", "replies-trimmer", "itip-nylas"]
    paths = [p for folder in machine for p in mail_files(corpus, folder)]
    paths += [p for folder in mixed for p in mail_files(corpus, folder) if "bounce" not in p.name]
    paths += [p for p in mail_files(corpus, "mime-flanker") if "bounce" not in p.parts]
    found = [classify(InboundMail(p.read_bytes())) for p in paths]
    good = sum(c.kind != "bounce" for c in found)
    return row("all non-bounce folders", "never a bounce", good, len(found), found)


def machine_checks(mail: InboundMail) -> Classification | None:
    """Only the machine-mail classifiers, in registry order: what every message pays first."""
    return bounce.classify(mail) or reports.classify(mail) or auto_reply.classify(mail)


def rate(raws: list[bytes], rounds: int, run: Callable[[InboundMail], object] = classify) -> float:
    """Messages per second through ``run``, the best of ``rounds`` passes (each parse cold)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for raw in raws:
            run(InboundMail(raw))
        best = min(best, time.perf_counter() - start)
    return len(raws) / best


def speed(corpus: Path, rounds: int) -> dict[str, Any]:
    every = [
        p
        for d in sorted(x.name for x in corpus.iterdir() if x.is_dir())
        for p in mail_files(corpus, d)
    ]
    human = [p for d in HUMAN_FOLDERS for p in mail_files(corpus, d)]
    bounces = mail_files(corpus, "bounces-sisimai")
    groups = {
        "all corpus mail": every,
        "human mail (replies, calendar)": human,
        "bounces-sisimai": bounces,
    }
    result: dict[str, Any] = {}
    for label, paths in groups.items():
        raws = [p.read_bytes() for p in paths]
        result[label] = {"messages": len(raws), "per_second": round(rate(raws, rounds))}
    raws = [p.read_bytes() for p in human]
    checks = {"messages": len(raws), "per_second": round(rate(raws, rounds, machine_checks))}
    result["human mail, machine-mail checks only"] = checks
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    rows = [
        sisimai_bounces(corpus),
        flufl_bounces(corpus),
        one_kind(corpus, "auto-replies-sisimai", "auto_reply"),
        one_kind(corpus, "feedback-reports-sisimai", "feedback_report"),
        never_bounce(corpus, "not-bounces-sisimai"),
        not_bounces(corpus),
    ]
    print(f"{'folder':<26} {'measure':<44} {'right':>9} {'accuracy':>9}")
    for r in rows:
        right = f"{r['good']:>4}/{r['total']:<4}"
        print(f"{r['folder']:<26} {r['measure']:<44} {right} {r['accuracy']:>9.1%}")
    timings = speed(corpus, args.rounds)
    print()
    for label, t in timings.items():
        print(f"{label:<42} {t['messages']:>5} messages {t['per_second']:>7} msg/s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "folders": rows,
        "speed": timings,
    }
    RESULTS.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nsaved {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
