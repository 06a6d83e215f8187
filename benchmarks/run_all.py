"""Run every benchmark, speed and accuracy, and print one summary table.

Run from the repository root::

    .venv/bin/python benchmarks/run_all.py [--quick] [--only NAME,NAME] [--skip NAME,NAME]

Each script runs in its own process, one after the other (they would disturb each other's
timings), and writes ``benchmarks/results/<name>.json``; this script then reads those files and
prints one table (figure, value, baseline, ratio, target, pass/fail), saved as
``benchmarks/results/summary.json``. ``--quick`` runs the speed scripts on small workloads, to
check that they work; its numbers are not the figures. A script that fails is listed as failed
and the others still run. The exit status is 1 when a script failed or a figure missed its target.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import benchlib
from benchlib import log

HERE = Path(__file__).resolve().parent
# name, arguments for a full run, arguments for --quick
SCRIPTS: list[tuple[str, list[str], list[str]]] = [
    ("inbound_throughput", [], ["--messages", "600"]),
    ("poll_cost", [], ["--sizes", "200,2000", "--rounds", "3"]),
    ("reply_latency", [], ["--messages", "20"]),
    ("outbound_throughput", [], ["--notices", "300"]),
    ("memory", [], ["--backlogs", "300,900", "--sends", "100,300"]),
    ("corpus_accuracy", [], ["--rounds", "1"]),
    ("reply_accuracy", [], []),
    ("minutes_accuracy", [], []),
    ("minutes_mail_accuracy", [], []),
    ("minutes_table_speed", [], ["--rounds", "3"]),
    ("calendar_intake", [], ["--rounds", "5"]),
    ("plan_cost", [], ["--quick"]),
    ("web_board", [], ["-n", "10"]),
]
TIMEOUT_SECONDS = 1200


def _corpus_figures(data: dict[str, Any]) -> list[dict[str, Any]]:
    targets = {"bounces-sisimai": 0.98, "bounces-flufl": 0.97}
    return [
        benchlib.figure(
            f"corpus: {row['folder']} ({row['measure']})",
            row["accuracy"],
            "share",
            target=f">= {targets.get(row['folder'], 1.0):.0%}",
            passed=row["accuracy"] >= targets.get(row["folder"], 1.0),
            note=f"{row['good']}/{row['total']}",
        )
        for row in data["folders"]
    ]


def _reply_figures(data: dict[str, Any]) -> list[dict[str, Any]]:
    figures = []
    for folder, row in data["folders"].items():
        target = 0.9 if folder in ("replies-trimmer", "replies-talon html") else 1.0
        figures.append(
            benchlib.figure(
                f"reply text: {folder}",
                row["accuracy"],
                "share",
                target=f">= {target:.0%}",
                passed=row["accuracy"] >= target,
                note=f"{row['hits']}/{row['total']}",
            )
        )
    return figures


def _minutes_figures(data: dict[str, Any]) -> list[dict[str, Any]]:
    fields = data["fields"].values()
    correct = sum(f["correct"] for f in fields)
    total = sum(f["total"] for f in fields)
    return [
        benchlib.figure(
            f"minutes parser: fields of {data['documents']} documents",
            correct / total,
            "share",
            target="100% of every field",
            passed=all(f["accuracy"] == 1.0 for f in fields),
            note=f"{correct}/{total}; {data['documents_exact']} documents exact",
        )
    ]


READERS = {
    "corpus_accuracy": _corpus_figures,
    "reply_accuracy": _reply_figures,
    "minutes_accuracy": _minutes_figures,
}


def figures_of(name: str) -> list[dict[str, Any]]:
    data = json.loads((benchlib.RESULTS / f"{name}.json").read_text(encoding="utf-8"))
    reader = READERS.get(name)
    figures: list[dict[str, Any]] = reader(data) if reader else data["figures"]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workloads: a smoke run")
    parser.add_argument("--only", default="", help="comma-separated script names")
    parser.add_argument("--skip", default="", help="comma-separated script names")
    args = parser.parse_args(argv)
    only = {n for n in args.only.split(",") if n}
    skip = {n for n in args.skip.split(",") if n}
    rows: list[dict[str, Any]] = []
    failed: list[str] = []
    timings: dict[str, float] = {}
    for name, full, quick in SCRIPTS:
        if (only and name not in only) or name in skip:
            continue
        command = [sys.executable, str(HERE / f"{name}.py"), *(quick if args.quick else full)]
        log(f"running {name}")
        start = time.perf_counter()
        try:
            done = subprocess.run(command, timeout=TIMEOUT_SECONDS, check=False)
            ok = done.returncode == 0
        except subprocess.TimeoutExpired:
            ok = False
        timings[name] = round(time.perf_counter() - start, 1)
        if not ok:
            failed.append(name)
            rows.append(
                benchlib.figure(f"{name}: script failed", 0, "", target="runs", passed=False)
            )
            continue
        rows.extend(figures_of(name))
    print("\n== summary ==")
    benchlib.print_table(rows, ("figure", "value", "unit", "baseline", "ratio", "target", "pass"))
    path = benchlib.save(
        "summary",
        {"quick": args.quick, "figures": rows, "failed_scripts": failed, "seconds": timings},
    )
    print(f"\nsaved {path.relative_to(benchlib.ROOT)}")
    return 1 if failed or any(r["pass"] is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
