"""The web board's project page for a 5,000-item project: p50/p95 latency and peak memory.

Run from the repository root::

    .venv/bin/python benchmarks/web_board.py [-n 50] \\
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Seeds one project of 500 meetings and 5,000 items (``tests/project_seed.py``) in a database made
for the run (a SQLite file; with ``--pg`` also a PostgreSQL database), then requests the project
board ``N`` times through the whole ASGI app (middleware, link check, scoped queries, template),
as the project's coordinator, as an attendee of its meetings (per-item scope) and as an
executive (everything). Prints p50/p95
and the Python heap's peak (``tracemalloc``) over a second, traced pass. Target: p95 < 150 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchlib
from benchlib import log
from fastapi.testclient import TestClient
from tests.project_seed import seed_project
from tests.web.conftest import ERIN, NOW, SECRET, web_config

from mailflow.clock import SteppingClock
from mailflow.domain.board_links import sign_link
from mailflow.tracker.board_repo import read_only_sessions
from mailflow.web.app import create_app

TARGET_MS = 150.0
MEETINGS, ITEMS = 500, 5000
COORDINATOR = "alice@example.test"
ATTENDEE = "bob@example.test"  # sees the project through the meetings he attends
ROLES = {COORDINATOR: "coordinator", ATTENDEE: "attendee", ERIN: "executive"}


def _measure(backend: str, runs: int) -> list[dict[str, Any]]:
    rows = []
    with benchlib.database(backend) as url:
        sessions = benchlib.sessions_for(url)
        started = time.perf_counter()
        with sessions() as session, session.begin():
            project_id = seed_project(session, meetings=MEETINGS, items=ITEMS).id
        log(
            f"{backend}: seeded {MEETINGS} meetings, {ITEMS} items in "
            f"{time.perf_counter() - started:.1f} s"
        )
        readers = read_only_sessions(sessions.kw["bind"])
        app = create_app(
            web_config(rate=1_000_000), readers, secret=SECRET, clock=SteppingClock(NOW)
        )
        with TestClient(app) as client:
            for viewer in ROLES:
                path = f"/b/{sign_link(SECRET, viewer, 'board', NOW)}/project/{project_id}"
                assert client.get(path).status_code == 200  # warm: templates compiled
                times = []
                for _ in range(runs):
                    begun = time.perf_counter()
                    response = client.get(path)
                    times.append((time.perf_counter() - begun) * 1000)
                    assert response.status_code == 200
                tracemalloc.start()
                for _ in range(max(3, runs // 10)):
                    client.get(path)
                peak = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
                rows.append(
                    {
                        "backend": backend,
                        "viewer": ROLES[viewer],
                        "items": ITEMS,
                        "runs": runs,
                        "p50_ms": benchlib.percentile(times, 50),
                        "p95_ms": benchlib.percentile(times, 95),
                        "max_ms": max(times),
                        "page_kib": len(response.content) / 1024,
                        "peak_mib": peak,
                    }
                )
                log(f"{backend} {rows[-1]['viewer']}: p95 {rows[-1]['p95_ms']:.1f} ms")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", metavar="URL", help="also run on PostgreSQL (admin URL)")
    parser.add_argument("-n", type=int, default=50, help="requests per viewer (default 50)")
    args = parser.parse_args()
    backends = ["sqlite"]
    if args.pg:
        os.environ[benchlib.PG_URL_ENV] = args.pg
        problem = benchlib.pg_problem()
        if problem:
            log(problem)
            return 2
        backends.append("postgresql")
    rows = [row for backend in backends for row in _measure(backend, args.n)]
    figures = [
        benchlib.figure(
            f"project board p95, {ITEMS:,} items, {row['viewer']} ({row['backend']})",
            row["p95_ms"],
            "ms",
            target=f"< {TARGET_MS:.0f} ms",
            passed=row["p95_ms"] < TARGET_MS,
        )
        for row in rows
    ]
    benchlib.print_table(
        rows,
        [
            "backend",
            "viewer",
            "items",
            "runs",
            "p50_ms",
            "p95_ms",
            "max_ms",
            "page_kib",
            "peak_mib",
        ],
    )
    benchlib.print_figures(figures)
    benchlib.save("web_board", {"rows": rows, "figures": figures})
    return 0 if all(f["pass"] for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
