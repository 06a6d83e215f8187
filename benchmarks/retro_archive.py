"""Retrospective pack and project archive: time for 500 meetings and 5,000 items, memory flat.

Run from the repository root::

    .venv/bin/python benchmarks/retro_archive.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Seeds a project (``tests/project_seed.py``: meetings with agenda, attendees and minutes versions;
items with history — status changes, delays, acceptance verdicts, escalations, at-risk episodes)
in a database made for the run (a SQLite file; with ``--pg`` also a PostgreSQL database
``mf_bench_<random>`` created on that server and dropped afterwards). Then it times
:func:`retro_pack` and :func:`write_archive` (the zip), each on a fresh session, and measures the
Python heap's peak with ``tracemalloc`` for a project of 100 meetings / 1,000 items and one of
500 meetings / 5,000 items. Targets: pack + archive under 5 s for the large project; the peak
grows far less than the item count (the pages are written as they are rendered, in chunks).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchlib
from benchlib import log
from tests.project_seed import seed_project

from mailflow.config.schema import (
    ArchiveSettings,
    CalendarSettings,
    Config,
    DatabaseSettings,
    ImapSettings,
    MailSettings,
    ScheduleSettings,
    SmtpSettings,
)
from mailflow.services.archive import write_archive
from mailflow.services.retrospective import retro_pack
from mailflow.tracker.models import Project

TARGET_SECONDS = 5.0
SIZES = ((100, 1000), (500, 5000))
TODAY = datetime(2025, 7, 1, tzinfo=UTC).date()


def _config(url: str, out: Path) -> Config:
    return Config(
        mail=MailSettings(domain="example.test", bot_address="bot@example.test"),
        imap=ImapSettings(host="127.0.0.1", port=1143, security="plain", user="bot"),
        smtp=SmtpSettings(host="127.0.0.1", port=1025, security="plain"),
        database=DatabaseSettings(url=url),
        schedule=ScheduleSettings(timezone="Asia/Shanghai", calendar=CalendarSettings("CN")),
        archive=ArchiveSettings(dir=out),
    )


def _measure(backend: str, meetings: int, items: int, out: Path) -> dict[str, Any]:
    with benchlib.database(backend) as url:
        sessions = benchlib.sessions_for(url)
        config = _config(url, out)
        started = time.perf_counter()
        with sessions() as session, session.begin():
            project_id = seed_project(session, meetings=meetings, items=items).id
        seeded = time.perf_counter() - started
        log(f"{backend}: seeded {meetings} meetings, {items} items in {seeded:.1f} s")
        figures: dict[str, Any] = {"backend": backend, "meetings": meetings, "items": items}
        # Timed without tracemalloc (it slows Python several times), then measured with it.
        for traced in (False, True):
            if traced:
                tracemalloc.start()
            with sessions() as session:
                project = session.get(Project, project_id)
                assert project is not None
                tracemalloc.reset_peak() if traced else None
                started = time.perf_counter()
                pack = retro_pack(session, config, project, TODAY)
                elapsed = time.perf_counter() - started
                assert pack.overall.items == items
                if traced:
                    figures["pack_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
                else:
                    figures["pack_s"] = elapsed
            with sessions() as session:
                project = session.get(Project, project_id)
                assert project is not None
                tracemalloc.reset_peak() if traced else None
                started = time.perf_counter()
                path = write_archive(session, config, project, out / f"{backend}-{items}.zip")
                elapsed = time.perf_counter() - started
                if traced:
                    figures["archive_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
                    tracemalloc.stop()
                else:
                    figures["archive_s"] = elapsed
                    figures["archive_mib"] = path.stat().st_size / 2**20
        return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", metavar="URL", help="also run on PostgreSQL (admin URL)")
    args = parser.parse_args()
    backends = ["sqlite"]
    if args.pg:
        os.environ[benchlib.PG_URL_ENV] = args.pg
        problem = benchlib.pg_problem()
        if problem:
            log(problem)
            return 2
        backends.append("postgresql")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="mf-retro-") as tmp:
        for backend in backends:
            for meetings, items in SIZES:
                rows.append(_measure(backend, meetings, items, Path(tmp)))
                log(f"{backend} {items}: {rows[-1]}")
    figures = []
    ok = True
    for backend in backends:
        small, large = [r for r in rows if r["backend"] == backend]
        total = large["pack_s"] + large["archive_s"]
        growth = large["archive_peak_mib"] / max(small["archive_peak_mib"], 0.001)
        ok = ok and total < TARGET_SECONDS
        figures.append(
            benchlib.figure(
                f"retro pack + archive, 500 meetings / 5,000 items ({backend})",
                total,
                "s",
                target=f"< {TARGET_SECONDS:.0f} s",
                passed=total < TARGET_SECONDS,
            )
        )
        figures.append(
            benchlib.figure(
                f"archive heap peak 5,000 vs 1,000 items ({backend})",
                growth,
                "x",
                baseline=small["archive_peak_mib"],
                target="far below the 5x item growth",
                passed=growth < 2.5,
                note=f"{small['archive_peak_mib']:.1f} → {large['archive_peak_mib']:.1f} MiB",
            )
        )
    benchlib.print_table(
        rows,
        [
            "backend",
            "meetings",
            "items",
            "pack_s",
            "pack_peak_mib",
            "archive_s",
            "archive_peak_mib",
            "archive_mib",
        ],
    )
    benchlib.print_figures(figures)
    benchlib.save("retro_archive", {"rows": rows, "figures": figures})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
