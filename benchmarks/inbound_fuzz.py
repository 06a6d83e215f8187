"""Feed 10,000 mutated real mails through the inbound pipeline on SQLite and PostgreSQL.

The mails are the shared corpus mutated as broken and hostile senders do (``tests/fuzz_mail.py``:
NUL bytes, lone surrogates from UTF-7 encoded words, 5,000-character From addresses, empty From,
200 KB headers, control characters in Message-IDs, truncation, byte flips, broken boundaries).
Printed per database: messages fed, polls that raised (aborted), messages recorded, by outcome,
quarantined, and the rate. Target: 0 aborted, every message recorded once.

Run ``.venv/bin/python benchmarks/inbound_fuzz.py [--count 10000] [--backends sqlite,postgresql]``.
"""

from __future__ import annotations

import argparse
import mailbox
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import benchlib
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz_mail import corpus_mails, mutated
from tests.integration.test_inbound_fuzz import OUTCOMES, fuzz_config

from mailflow.clock import SteppingClock
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.inbound.reading.archive import ArchiveMailbox
from mailflow.tracker.models import InboundMessage


def run(backend: str, archive_path: Path, count: int) -> dict[str, object]:
    with benchlib.database(backend) as url:
        sessions = benchlib.sessions_for(url)
        source = ArchiveMailbox(archive_path)
        aborted = 0
        started = time.perf_counter()
        result = None
        try:
            pipeline = InboundPipeline(
                fuzz_config(), sessions, SteppingClock(datetime(2025, 3, 10, tzinfo=UTC))
            )
            try:
                result = pipeline.poll(source)
            except Exception as exc:  # an aborted poll is exactly what this measures
                aborted += 1
                benchlib.log(f"{backend}: the poll aborted: {exc!r}")
            finally:
                pipeline.close()
        finally:
            source.close()
        seconds = time.perf_counter() - started
        with sessions() as session:
            recorded = session.scalar(select(func.count()).select_from(InboundMessage)) or 0
        outcomes = dict(result.by_outcome) if result else {}
        duplicates = outcomes.pop("duplicate", 0)
        return {
            "backend": backend,
            "fed": count,
            "aborted": aborted,
            "recorded": recorded,
            "duplicates": duplicates,
            "quarantined": outcomes.get("quarantined", 0),
            "unexpected_outcomes": sorted(set(outcomes) - OUTCOMES),
            "every_message_recorded": recorded + duplicates == count,
            "msgs_per_s": round(count / seconds, 1),
            "by_outcome": outcomes,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    mails = corpus_mails()
    if not mails:
        print("the shared corpus is not beside the repository", file=sys.stderr)
        return 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="mf-fuzz-") as tmp:
        path = Path(tmp) / "fuzz.mbox"
        archive = mailbox.mbox(path)
        for raw in mutated(mails, args.count):
            archive.add(raw)
        archive.close()
        for backend in args.backends.split(","):
            if backend == "postgresql" and (problem := benchlib.pg_problem()):
                benchlib.log(f"postgresql skipped: {problem}")
                continue
            rows.append(run(backend, path, args.count))
    benchlib.print_table(
        rows,
        (
            "backend",
            "fed",
            "aborted",
            "recorded",
            "duplicates",
            "quarantined",
            "every_message_recorded",
            "msgs_per_s",
        ),
    )
    benchlib.save("inbound_fuzz", {"count": args.count, "runs": rows})
    ok = all(
        r["aborted"] == 0 and r["every_message_recorded"] and not r["unexpected_outcomes"]
        for r in rows
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
