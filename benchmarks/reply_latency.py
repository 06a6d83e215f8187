"""Reply latency: APPEND into the bot's INBOX → the DB change committed, with IDLE.

Run from the repository root::

    .venv/bin/python benchmarks/reply_latency.py [--messages 200]

The real ``InboxWatcher`` runs in its thread (IDLE on, one persistent ``ImapMailbox``) against a
loopback mail stack and a SQLite database with seeded meetings. A plain client appends replies
and RSVPs one at a time, at a random moment while the watcher idles; the latency of each is from
just before the APPEND to the commit of the transaction that recorded it (an engine ``commit``
event on the connection that inserted its ``inbound_messages`` row). Before each, a bare
imapclient connection starts a fresh IDLE on a mailbox of its own and times the same APPEND until
the server reports it (``EXISTS``): that is the server's floor, about 0.5 s on Dovecot.
Target: p50 within 100 ms of the floor's p50, p99 under 1.5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import threading
import time
from typing import Any

import benchlib
from benchlib import log
from imapclient import IMAPClient
from sqlalchemy import event

from mailflow.adapters.imap import ImapMailbox
from mailflow.dev.devstack import MailStack
from mailflow.inbound.pipeline import InboundPipeline
from mailflow.inbound.watcher import InboxWatcher

P50_MARGIN_MS = 100.0
P99_LIMIT_MS = 1500.0
WAIT_SECONDS = 10.0
FLOOR = "floor@example.test"


class CommitClock:
    """Times of the commits that recorded inbound messages, from engine events."""

    def __init__(self, engine: Any) -> None:
        self.times: list[float] = []
        self.changed = threading.Condition()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def _statement(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INBOUND_MESSAGES"):
            conn.info["mf_bench_inbound"] = True

    def _commit(self, conn: Any) -> None:
        if conn.info.pop("mf_bench_inbound", False):
            with self.changed:
                self.times.append(time.perf_counter())
                self.changed.notify_all()

    def _rollback(self, conn: Any) -> None:
        conn.info.pop("mf_bench_inbound", None)

    def wait_for(self, count: int, timeout: float) -> float:
        """The time of the ``count``-th recording commit; raises TimeoutError if none came."""
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.times) >= count, timeout):
                raise TimeoutError(f"no commit of message {count} within {timeout} s")
            return self.times[count - 1]


class FloorProbe:
    """A bare imapclient IDLE: how long the server takes to report an APPEND, nothing else.

    It watches a mailbox of its own, so no change of the bot's INBOX (the watcher's moves) is
    pending when it starts idling, and it starts a fresh IDLE before each APPEND, as the watcher
    does after each poll: Dovecot reports a change about 500 ms after the first one it has not
    reported yet, so a long-running IDLE that has just seen another change looks faster.
    """

    def __init__(self, stack: MailStack) -> None:
        self.client = IMAPClient(stack.host, stack.imap_port, ssl=False, timeout=30)
        self.client.login(FLOOR, stack.password)
        self.client.select_folder("INBOX")
        self.appender = IMAPClient(stack.host, stack.imap_port, ssl=False, timeout=30)
        self.appender.login(FLOOR, stack.password)

    def sample(self, raw: bytes, gap: float) -> float:
        """Seconds from just before an APPEND until the idling client hears of it."""
        self.client.idle()
        try:
            time.sleep(gap)
            start = time.perf_counter()
            self.appender.append("INBOX", raw)
            deadline = start + WAIT_SECONDS
            while time.perf_counter() < deadline:
                responses = self.client.idle_check(timeout=deadline - time.perf_counter())
                if any(len(r) > 1 and r[1] == b"EXISTS" for r in responses):
                    return time.perf_counter() - start
            raise TimeoutError(f"the server reported no new mail within {WAIT_SECONDS} s")
        finally:
            self.client.idle_done()

    def close(self) -> None:
        for client in (self.client, self.appender):
            with contextlib.suppress(Exception):
                client.logout()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args(argv)
    rng = random.Random(11)
    people = benchlib.make_people(120)
    latencies: list[float] = []
    floors: list[float] = []
    users = (*benchlib.stack_users(people), FLOOR)
    with MailStack(users) as stack, benchlib.database("sqlite") as url:
        config = benchlib.bench_config(stack, url, people)
        sessions = benchlib.sessions_for(url)
        meetings = benchlib.seed_meetings(
            sessions, config, people, meetings=10, attendees=30, sent=True
        )
        maker = benchlib.MailMaker(meetings)
        mix = {"reply": 0.5, "rsvp": 0.5}
        raws = maker.backlog(args.messages, mix)
        commits = CommitClock(sessions.kw["bind"])
        polled = threading.Event()
        watcher = InboxWatcher(
            InboundPipeline(config, sessions, benchlib.FixedClock()),
            lambda: ImapMailbox(config.imap, stack.password),
            idle=True,
            idle_timeout_seconds=300,
            poll_interval_seconds=30,
            on_poll=polled.set,
        )
        floor = FloorProbe(stack)
        watcher.start()
        try:
            if not polled.wait(WAIT_SECONDS):
                raise TimeoutError("the watcher did not finish its first poll")
            with benchlib.imap(stack) as appender:
                for n, raw in enumerate(raws, start=1):
                    # The floor first, on the probe's own mailbox, with the same kind of gap.
                    floors.append(floor.sample(raw, rng.uniform(0.05, 0.25)))
                    polled.clear()
                    # A random arrival while the watcher idles, as mail comes in.
                    time.sleep(rng.uniform(0.05, 0.25))
                    start = time.perf_counter()
                    appender.append("INBOX", raw)
                    committed = commits.wait_for(n, WAIT_SECONDS)
                    latencies.append(committed - start)
                    # The watcher is back in IDLE once its poll has returned.
                    if not polled.wait(WAIT_SECONDS):
                        raise TimeoutError("the watcher did not finish its poll")
                    if n % 50 == 0:
                        log(f"{n} messages: p50 {benchlib.percentile(latencies, 50) * 1000:.0f} ms")
        finally:
            watcher.stop()
            floor.close()
            sessions.kw["bind"].dispose()
    ms = [x * 1000 for x in latencies]
    floor_ms = [x * 1000 for x in floors]
    p50, p99 = benchlib.percentile(ms, 50), benchlib.percentile(ms, 99)
    f50, f99 = benchlib.percentile(floor_ms, 50), benchlib.percentile(floor_ms, 99)
    figures = [
        benchlib.figure(
            "reply latency p50 (IDLE)",
            p50,
            "ms",
            baseline=f50,
            ratio=p50 / f50,
            target=f"<= floor p50 + {P50_MARGIN_MS:.0f} ms",
            passed=p50 <= f50 + P50_MARGIN_MS,
            note=f"{p50 - f50:+.0f} ms over the bare IDLE floor",
        ),
        benchlib.figure(
            "reply latency p99 (IDLE)",
            p99,
            "ms",
            baseline=f99,
            ratio=p99 / f99,
            target=f"< {P99_LIMIT_MS:.0f} ms",
            passed=p99 < P99_LIMIT_MS,
        ),
    ]
    print()
    benchlib.print_figures(figures)
    payload = {
        "figures": figures,
        "messages": len(ms),
        "latency_ms": {"p50": p50, "p90": benchlib.percentile(ms, 90), "p99": p99, "max": max(ms)},
        "floor_ms": {"p50": f50, "p90": benchlib.percentile(floor_ms, 90), "p99": f99},
        "over_floor_ms": [round(a - b, 1) for a, b in zip(ms, floor_ms, strict=True)],
    }
    path = benchlib.save("reply_latency", payload)
    print(f"\nsaved {path.relative_to(benchlib.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
