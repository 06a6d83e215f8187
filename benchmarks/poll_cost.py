"""Poll cost vs. mailbox size: an incremental poll with 10 new messages in a big INBOX.

Run from the repository root::

    .venv/bin/python benchmarks/poll_cost.py [--sizes 1000,10000,100000] [--rounds 7]

One loopback mail stack and SQLite database for the whole run. The bot's INBOX is grown to each
size in turn with MULTIAPPEND (old mail: the checkpoint is set past it, as after earlier polls),
then, ``--rounds`` times, 10 new messages (replies, RSVPs, machine mail) are appended and one
``InboundPipeline.poll`` on a persistent ``ImapMailbox`` connection (as the IDLE watcher holds
one) handles them: select, search above the checkpoint, fetch, apply, commit, move. The figure is
the median poll; beside it, the raw IMAP part alone (select, NOOP, ``UID SEARCH n:*``, fetch of the
10) on the same connection. Target: flat, the largest size within 1.5x of the smallest.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from typing import Any

import benchlib
from benchlib import log

from mailflow.adapters.imap import ImapMailbox
from mailflow.dev.devstack import DOMAIN, MailStack
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.tracker import repo

NEW = 10
TARGET = 1.5
_OLD = (
    "From: Someone <someone@{domain}>\r\nTo: bot@{domain}\r\nSubject: old mail {n}\r\n"
    "Date: Mon, 03 Mar 2025 09:00:00 +0800\r\nMessage-ID: <old.{n}.{tag}@{domain}>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
)
_BODY = "A line of an old message that a person left in the inbox.\r\n" * 50


def old_mail(start: int, count: int) -> list[bytes]:
    """``count`` distinct 3 KB messages: the mail already in the INBOX below the checkpoint."""
    tag = secrets.token_hex(3)
    return [
        _OLD.format(domain=DOMAIN, n=n, tag=tag, body=_BODY).encode()
        for n in range(start, start + count)
    ]


def raw_poll(mailbox: ImapMailbox, last_uid: int) -> tuple[float, int]:
    """The IMAP part of a poll on the pipeline's own connection: what the server costs."""
    start = time.perf_counter()
    mailbox.select("INBOX")
    uids = mailbox.uids_after(last_uid)
    fetched = sum(1 for _ in mailbox.fetch(uids))
    return time.perf_counter() - start, fetched


def one_size(
    stack: MailStack,
    pipeline: InboundPipeline,
    sessions: Any,
    mailbox: ImapMailbox,
    maker: benchlib.MailMaker,
    size: int,
    rounds: int,
) -> dict[str, Any]:
    uidvalidity = mailbox.select("INBOX")
    uids = mailbox.uids_after(0)
    with sessions() as session, session.begin():
        repo.save_checkpoint(session, "INBOX", uidvalidity, max(uids), benchlib.NOW)
    polls: list[float] = []
    raw: list[float] = []
    for _ in range(rounds):
        with sessions() as session:
            checkpoint = repo.get_checkpoint(session, "INBOX")
        assert checkpoint is not None
        benchlib.bulk_append(stack, maker.backlog(NEW))
        seconds, fetched = raw_poll(mailbox, checkpoint.last_uid)
        assert fetched == NEW, f"raw poll saw {fetched} new messages, not {NEW}"
        raw.append(seconds)
        start = time.perf_counter()
        result = pipeline.poll(mailbox)
        polls.append(time.perf_counter() - start)
        assert result.fetched == NEW, f"the poll handled {result.fetched}, not {NEW}"
    return {
        "size": size,
        "inbox_messages": len(uids),
        "poll_ms": [round(p * 1000, 2) for p in polls],
        "median_poll_ms": benchlib.median(polls) * 1000,
        "median_raw_imap_ms": benchlib.median(raw) * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    people = benchlib.make_people(60)
    runs = []
    with MailStack(benchlib.stack_users(people)) as stack, benchlib.database("sqlite") as url:
        config = benchlib.bench_config(stack, url, people)
        sessions = benchlib.sessions_for(url)
        meetings = benchlib.seed_meetings(
            sessions, config, people, meetings=10, attendees=20, sent=True
        )
        maker = benchlib.MailMaker(meetings)
        pipeline = InboundPipeline(config, sessions, benchlib.FixedClock())
        appended = 0
        with ImapMailbox(config.imap, stack.password) as mailbox:
            mailbox.ensure_folders()
            for size in sizes:
                # The new mail of earlier sizes was moved out: the INBOX holds only old mail.
                missing = size - appended
                log(f"growing the INBOX by {missing} to {size} messages")
                rate = benchlib.bulk_append(stack, old_mail(appended, missing), chunk=2000)
                appended = size
                log(f"appended at {rate:.0f} msg/s; {args.rounds} polls of {NEW} new")
                run = one_size(stack, pipeline, sessions, mailbox, maker, size, args.rounds)
                log(
                    f"{size}: median poll {run['median_poll_ms']:.1f} ms "
                    f"(raw IMAP {run['median_raw_imap_ms']:.1f} ms)"
                )
                runs.append(run)
        sessions.kw["bind"].dispose()
    smallest = runs[0]["median_poll_ms"]
    figures = [
        benchlib.figure(
            f"poll of {NEW} new in {r['size']:,} msgs",
            r["median_poll_ms"],
            "ms",
            baseline=smallest,
            ratio=r["median_poll_ms"] / smallest,
            target=f"<= {TARGET}x the {runs[0]['size']:,} case",
            passed=r["median_poll_ms"] <= TARGET * smallest,
            note=f"raw IMAP part {r['median_raw_imap_ms']:.1f} ms",
        )
        for r in runs
    ]
    print()
    benchlib.print_figures(figures)
    path = benchlib.save("poll_cost", {"figures": figures, "runs": runs})
    print(f"\nsaved {path.relative_to(benchlib.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
