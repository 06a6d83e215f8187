"""Inbound throughput: a 10,000-message backlog through the whole pipeline, against raw IMAP+parse.

Run from the repository root::

    .venv/bin/python benchmarks/inbound_throughput.py [--messages N] [--backends sqlite,postgresql]
                                                      [--profile]

For each database: a fresh loopback mail stack and database, 40 meetings with their notices
already sent, and a backlog of replies, iTIP RSVPs, minutes, auto-replies and bounces appended to
the bot's INBOX. The **baseline** fetches the same mailbox with imapclient (``BODY.PEEK[]`` in
batches of ``imap.batch_size``) and parses every message with ``email`` (``policy=default``); it
runs on the INBOX before the pipeline and on the processed folder after it, and the mean of the
two is the figure (a third pass that also reads every header, the text body and the calendar
parts, like mailstack/README.md's ≈ 690 msg/s figure, is saved for reference). The **pipeline**
is ``InboundPipeline.poll`` on a real ``ImapMailbox``: fetch, classify, parse, apply, commit,
move, with its default parse worker (``imap.parse_workers = 1``: the daemon applies one batch
while the worker parses the next, so two processes work, as in production; ``--parse-workers 0``
measures the daemon alone). Target: pipeline ≥ 50 % of the baseline on every backend.
``--profile`` writes a cProfile dump of each pipeline run to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import email
import email.policy
import pstats
import sys
import time
from typing import Any

import benchlib
from benchlib import log
from sqlalchemy import func, select

from mailflow.adapters.imap import ImapMailbox
from mailflow.config.schema import Config
from mailflow.dev.devstack import MailStack
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.tracker.models import InboundMessage

TARGET = 0.5


def raw_baseline(
    stack: MailStack, folder: str, batch_size: int, *, read: bool = False
) -> dict[str, Any]:
    """Fetch every message of ``folder`` (BODY.PEEK[] in batches) and parse it, policy=default.

    With ``read``, also read what a mail program reads: every header, the text body and any
    calendar part (the "parse + headers + plain body + .ics parts" of mailstack/README.md).
    """
    start = time.perf_counter()
    parsed = 0
    with benchlib.imap(stack) as client:
        client.select_folder(folder, readonly=True)
        uids = sorted(client.search("ALL"))
        for i in range(0, len(uids), batch_size):
            data = client.fetch(uids[i : i + batch_size], [b"BODY.PEEK[]"])
            for uid in uids[i : i + batch_size]:
                msg = email.message_from_bytes(data[uid][b"BODY[]"], policy=email.policy.default)
                if read:
                    _read(msg)
                parsed += 1
    seconds = time.perf_counter() - start
    rate = parsed / seconds
    return {"folder": folder, "messages": parsed, "seconds": seconds, "per_second": rate}


def _read(msg: Any) -> None:
    for _name, value in msg.items():
        str(value)
    body = msg.get_body(("plain", "html"))
    if body is not None:
        body.get_content()
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            part.get_content()


def run_pipeline(
    stack: MailStack, config: Config, profile_to: str | None, workers: int | None
) -> dict[str, Any]:
    sessions = benchlib.sessions_for(config.database.url)
    pipeline = InboundPipeline(config, sessions, benchlib.FixedClock(), parse_workers=workers)
    profiler = cProfile.Profile() if profile_to else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    with ImapMailbox(config.imap, stack.password) as mailbox:
        mailbox.ensure_folders()
        result = pipeline.poll(mailbox)
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - start
    pipeline.close()
    if profiler is not None and profile_to:
        profiler.dump_stats(profile_to)
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(40)
    engine = sessions.kw["bind"]
    engine.dispose()
    return {
        "messages": result.fetched,
        "seconds": seconds,
        "per_second": result.fetched / seconds,
        "outcomes": dict(sorted(result.by_outcome.items())),
    }


def classified_kinds(url: str) -> dict[str, int]:
    """How the pipeline classified the backlog, from its inbound records."""
    sessions = benchlib.sessions_for(url)
    with sessions() as session:
        rows = session.execute(
            select(InboundMessage.kind, func.count()).group_by(InboundMessage.kind)
        ).all()
    sessions.kw["bind"].dispose()
    return {kind: count for kind, count in sorted(rows, key=lambda row: -row[1])}


def one_backend(backend: str, count: int, profile: bool, workers: int | None) -> dict[str, Any]:
    people = benchlib.make_people(300)
    with MailStack(benchlib.stack_users(people)) as stack, benchlib.database(backend) as url:
        config = benchlib.bench_config(stack, url, people)
        sessions = benchlib.sessions_for(url)
        meetings = benchlib.seed_meetings(
            sessions, config, people, meetings=40, attendees=30, sent=True
        )
        sessions.kw["bind"].dispose()
        maker = benchlib.MailMaker(meetings)
        raws = maker.backlog(count)
        size = sum(map(len, raws)) / len(raws)
        log(f"{backend}: appending {count} messages (mean {size:.0f} bytes)")
        rate = benchlib.bulk_append(stack, raws)
        log(f"{backend}: appended at {rate:.0f} msg/s; raw baseline on INBOX")
        before = raw_baseline(stack, "INBOX", config.imap.batch_size)
        log(f"{backend}: baseline {before['per_second']:.0f} msg/s; pipeline")
        profile_to = str(benchlib.RESULTS / f"inbound_{backend}.prof") if profile else None
        if profile:
            benchlib.RESULTS.mkdir(parents=True, exist_ok=True)
        run = run_pipeline(stack, config, profile_to, workers)
        classified = classified_kinds(url)
        log(f"{backend}: pipeline {run['per_second']:.0f} msg/s {run['outcomes']}")
        after = raw_baseline(stack, config.imap.folders.processed, config.imap.batch_size)
        reading = raw_baseline(
            stack, config.imap.folders.processed, config.imap.batch_size, read=True
        )
        quarantined = raw_baseline(stack, config.imap.folders.quarantine, config.imap.batch_size)
        moved = after["messages"] + quarantined["messages"]
        log(f"{backend}: baseline again {after['per_second']:.0f} msg/s on the processed folder")
    baseline = (before["per_second"] + after["per_second"]) / 2
    return {
        "backend": backend,
        "parse_workers": config.imap.parse_workers if workers is None else workers,
        "messages": count,
        "mean_bytes": round(size),
        "made": dict(collections.Counter(maker.last_kinds)),
        "classified": classified,
        "baseline_inbox": before,
        "baseline_processed": after,
        "baseline_per_second": baseline,
        # For reference, not the figure: the parse plus reading headers, body and calendar parts.
        "reading_baseline": reading,
        "pipeline": run,
        "moved_out_of_inbox": moved,
        "ratio": run["per_second"] / baseline,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--parse-workers",
        type=int,
        default=None,
        help="imap.parse_workers for the pipeline (default: the config default, 1)",
    )
    parser.add_argument("--save-as", default="inbound_throughput", help="results file name")
    args = parser.parse_args(argv)
    runs = []
    figures = []
    for backend in args.backends.split(","):
        if backend == "postgresql" and (problem := benchlib.pg_problem()):
            log(f"skipping PostgreSQL: {problem}")
            continue
        run = one_backend(backend, args.messages, args.profile, args.parse_workers)
        runs.append(run)
        figures.append(
            benchlib.figure(
                f"inbound throughput ({backend}, {args.messages} msgs)",
                run["pipeline"]["per_second"],
                "msg/s",
                baseline=run["baseline_per_second"],
                ratio=run["ratio"],
                target=f">= {TARGET:.0%} of raw IMAP fetch + email parse",
                passed=run["ratio"] >= TARGET,
            )
        )
    print()
    benchlib.print_figures(figures)
    path = benchlib.save(args.save_as, {"figures": figures, "runs": runs})
    print(f"\nsaved {path.relative_to(benchlib.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
