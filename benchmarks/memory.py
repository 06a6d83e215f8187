"""Memory: peak RSS of the inbound pipeline and of the outbox flusher at two workload sizes.

Run from the repository root::

    .venv/bin/python benchmarks/memory.py [--backlogs 2000,10000] [--sends 1000,5000]

Each measurement runs in a fresh child process (``multiprocessing`` spawn) that does only the
work measured, as ``mailflow serve`` would, and reports its peak resident set size (``VmHWM``
from ``/proc/self/status``, else ``ru_maxrss``) plus that of its parse or render worker
processes; the parent sets up a loopback mail stack (in a process of its own) and a SQLite
database per run beforehand. A child that imports the same modules and does nothing gives the
floor. Target: flat, the larger workload within 1.2x the peak of the smaller one (messages are
streamed in batches of ``imap.batch_size`` / ``smtp.batch_size``, never all in memory).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import resource
import sys
from pathlib import Path
from typing import Any

import benchlib
from benchlib import log

from mailflow.config.schema import Config

TARGET = 1.2


def _peak_kib() -> int:
    """This process's peak RSS in KiB: VmHWM, else ru_maxrss.

    On Linux ru_maxrss survives exec: a spawned child reports at least the RSS its parent had when
    it forked. VmHWM belongs to the address space the child built after exec, so it is the child's.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def child_idle(config: Config, password: str) -> tuple[int, int]:
    """The floor: the same imports, no work."""
    import mailflow.adapters.imap
    import mailflow.adapters.smtp
    import mailflow.inbound.pipeline
    import mailflow.outbound.delivery.flush  # noqa: F401

    return _peak_kib(), 0


def child_inbound(config: Config, password: str) -> tuple[int, int]:
    """One poll of the whole backlog, as the watcher does after a long outage."""
    from mailflow.adapters.imap import ImapMailbox
    from mailflow.inbound.pipeline import InboundPipeline

    pipeline = InboundPipeline(
        config, benchlib.sessions_for(config.database.url), benchlib.FixedClock()
    )
    with ImapMailbox(config.imap, password) as mailbox:
        mailbox.ensure_folders()
        result = pipeline.poll(mailbox)
    # The parse workers' memory counts too (imap.parse_workers, one by default).
    workers = pipeline.worker_peak_kib()
    pipeline.close()
    return _peak_kib() + workers, result.fetched


def child_outbound(config: Config, password: str) -> tuple[int, int]:
    """One flush of every pending notice, as the send job does after a long outage."""
    from mailflow.adapters.smtp import SmtpSender
    from mailflow.outbound.delivery.flush import OutboxFlusher

    flusher = OutboxFlusher(
        config,
        benchlib.sessions_for(config.database.url),
        benchlib.FixedClock(),
        lambda: SmtpSender(config.smtp, None),
        worker="bench:1",
    )
    result = flusher.flush(max_batches=1_000_000)
    # The render workers' memory counts too (smtp.render_workers, one by default).
    workers = flusher.worker_peak_kib()
    flusher.close()
    return _peak_kib() + workers, result.sent


def _run_and_report(target: Any, config: Config, password: str, conn: Any) -> None:
    conn.send(target(config, password))


def in_child(target: Any, config: Config, password: str) -> tuple[int, int]:
    # A plain (non-daemonic) process: a Pool's workers may not start the parse or render
    # workers whose memory is measured with them.
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_run_and_report, args=(target, config, password, child))
    process.start()
    try:
        if not parent.poll(1800):
            raise RuntimeError(f"{target.__name__} did not finish within 30 min")
        peak, done = parent.recv()
    finally:
        process.join(60)
    return int(peak), int(done)


def inbound_peak(backlog: int) -> dict[str, Any]:
    people = benchlib.make_people(300)
    with (
        benchlib.StackProcess(benchlib.stack_users(people)) as stack,
        benchlib.database("sqlite") as url,
    ):
        config = benchlib.bench_config(stack, url, people)
        sessions = benchlib.sessions_for(url)
        meetings = benchlib.seed_meetings(
            sessions, config, people, meetings=40, attendees=30, sent=True
        )
        sessions.kw["bind"].dispose()
        benchlib.bulk_append(stack, benchlib.MailMaker(meetings).backlog(backlog))
        floor, _ = in_child(child_idle, config, stack.password)
        peak, done = in_child(child_inbound, config, stack.password)
    return {
        "workload": "inbound",
        "size": backlog,
        "done": done,
        "peak_kib": peak,
        "floor_kib": floor,
    }


def outbound_peak(sends: int) -> dict[str, Any]:
    attendees = 50
    people = benchlib.make_people(max(attendees + 1, sends // 10))
    with (
        benchlib.StackProcess(benchlib.stack_users(people)) as stack,
        benchlib.database("sqlite") as url,
    ):
        config = benchlib.bench_config(stack, url, people)
        sessions = benchlib.sessions_for(url)
        benchlib.seed_meetings(
            sessions,
            config,
            people,
            meetings=sends // attendees,
            attendees=attendees + 1,
            sent=False,
        )
        sessions.kw["bind"].dispose()
        floor, _ = in_child(child_idle, config, stack.password)
        peak, done = in_child(child_outbound, config, stack.password)
    return {
        "workload": "outbound",
        "size": sends,
        "done": done,
        "peak_kib": peak,
        "floor_kib": floor,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlogs", default="2000,10000")
    parser.add_argument("--sends", default="1000,5000")
    args = parser.parse_args(argv)
    runs = []
    for size in sorted(int(s) for s in args.backlogs.split(",")):
        log(f"inbound backlog of {size}")
        runs.append(inbound_peak(size))
        log(f"peak RSS {runs[-1]['peak_kib'] / 1024:.1f} MiB")
    for size in sorted(int(s) for s in args.sends.split(",")):
        log(f"outbound, {size} sends")
        runs.append(outbound_peak(size))
        log(f"peak RSS {runs[-1]['peak_kib'] / 1024:.1f} MiB")
    figures = []
    for workload, unit in (("inbound", "backlog"), ("outbound", "sends")):
        mine = [r for r in runs if r["workload"] == workload]
        small, large = mine[0], mine[-1]
        for run in mine:
            ratio = run["peak_kib"] / small["peak_kib"]
            figures.append(
                benchlib.figure(
                    f"peak RSS, {workload} ({run['size']:,} {unit})",
                    run["peak_kib"] / 1024,
                    "MiB",
                    baseline=small["peak_kib"] / 1024,
                    ratio=ratio,
                    target=f"<= {TARGET}x the {small['size']:,} case",
                    passed=ratio <= TARGET and run["done"] == run["size"],
                    note=f"import floor {run['floor_kib'] / 1024:.1f} MiB",
                )
            )
        growth = large["peak_kib"] / small["peak_kib"]
        log(f"{workload}: {growth:.2f}x from {small['size']} to {large['size']}")
    print()
    benchlib.print_figures(figures)
    path = benchlib.save("memory", {"figures": figures, "runs": runs})
    print(f"\nsaved {path.relative_to(benchlib.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
