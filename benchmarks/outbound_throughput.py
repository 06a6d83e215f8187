"""Outbound throughput: 5,000 notices with invites rendered and sent by the outbox flusher.

Run from the repository root::

    .venv/bin/python benchmarks/outbound_throughput.py [--notices 5000] [--backend sqlite]

A loopback mail stack (aiosmtpd relay delivering to Dovecot over LMTP) with one mailbox per
attendee, and a database with 100 meetings of 50 attendees whose ``notice`` rows (payloads from
``notice_payload``, as the planner writes them) wait in the outbox. The **baseline** renders the
same 5,000 messages beforehand and sends them in a plain ``smtplib`` loop over one connection;
it runs before and after the flusher and the mean of the two is the figure. The **pipeline** is
``OutboxFlusher.flush`` with ``SmtpSender``: claim a batch and record its Message-IDs, render
(jinja2 + icalendar; the next full batch in the default render worker, ``smtp.render_workers =
1``, while one is sent; ``--render-workers 0`` renders in the flusher alone), send, mark each row
sent. Target: the flusher at >= 50 % of the baseline.
"""

from __future__ import annotations

import argparse
import io
import smtplib
import sys
import time
from email.generator import BytesGenerator
from typing import Any

import benchlib
from benchlib import log
from sqlalchemy import func, select

from mailflow.adapters.smtp import SmtpSender
from mailflow.config.schema import Config
from mailflow.dev.devstack import BOT
from mailflow.outbound.delivery.flush import OutboxFlusher
from mailflow.outbound.delivery.registry import render
from mailflow.outbound.rendering.compose import RenderContext, new_message_id
from mailflow.tracker.models import OutboxRow, OutboxStatus

TARGET = 0.5
ATTENDEES = 50


def prebuilt(config: Config, sessions: Any) -> list[tuple[str, bytes]]:
    """Every pending row rendered as the flusher would, with a Message-ID: (recipient, bytes)."""
    ctx = RenderContext(config, benchlib.NOW)
    built = []
    with sessions() as session:
        for row in session.scalars(select(OutboxRow).order_by(OutboxRow.id)):
            msg = render(ctx, row.kind, row.recipients, row.payload)
            msg["Message-ID"] = new_message_id(config.mail.domain)
            # Serialised as smtplib's send_message() does: CRLF line ends, the message's policy.
            buffer = io.BytesIO()
            BytesGenerator(buffer).flatten(msg, linesep="\r\n")
            built.append((row.recipients[0], buffer.getvalue()))
    return built


def raw_send(stack: benchlib.StackProcess, messages: list[tuple[str, bytes]]) -> dict[str, Any]:
    """The baseline: the same messages through one smtplib connection, nothing else."""
    start = time.perf_counter()
    with smtplib.SMTP(stack.host, stack.smtp_port, timeout=30) as smtp:
        for recipient, raw in messages:
            smtp.sendmail(BOT, [recipient], raw)
    seconds = time.perf_counter() - start
    return {"messages": len(messages), "seconds": seconds, "per_second": len(messages) / seconds}


def flush(config: Config, sessions: Any, workers: int | None) -> dict[str, Any]:
    flusher = OutboxFlusher(
        config,
        sessions,
        benchlib.FixedClock(),
        lambda: SmtpSender(config.smtp, None),
        worker="bench:1",
        render_workers=workers,
    )
    start = time.perf_counter()
    result = flusher.flush(max_batches=1_000_000)
    seconds = time.perf_counter() - start
    flusher.close()
    with sessions() as session:
        sent = session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status == OutboxStatus.SENT)
        )
    return {
        "messages": result.sent,
        "seconds": seconds,
        "per_second": result.sent / seconds,
        "retried": result.retried,
        "failed": result.failed,
        "deferred": result.deferred,
        "rows_sent": sent,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--save-as", default="outbound_throughput", help="results file name")
    parser.add_argument(
        "--render-workers",
        type=int,
        default=None,
        help="smtp.render_workers for the flusher (default: the config default, 1)",
    )
    args = parser.parse_args(argv)
    meetings = max(1, args.notices // ATTENDEES)
    # Ten notices per person: under the default limit of 20 mails per recipient and hour.
    people = benchlib.make_people(max(ATTENDEES + 1, args.notices // 10))
    with (
        benchlib.StackProcess(benchlib.stack_users(people)) as stack,
        benchlib.database(args.backend) as url,
    ):
        config = benchlib.bench_config(stack, url, people)
        sessions = benchlib.sessions_for(url)
        benchlib.seed_meetings(
            sessions, config, people, meetings=meetings, attendees=ATTENDEES + 1, sent=False
        )
        log(f"rendering {meetings * ATTENDEES} notices for the baseline")
        start = time.perf_counter()
        messages = prebuilt(config, sessions)
        render_seconds = time.perf_counter() - start
        size = sum(len(raw) for _, raw in messages) / len(messages)
        log(f"rendered at {len(messages) / render_seconds:.0f} msg/s, mean {size:.0f} bytes")
        before = raw_send(stack, messages)
        log(f"baseline {before['per_second']:.0f} msg/s; flushing the outbox")
        run = flush(config, sessions, args.render_workers)
        log(f"flusher {run['per_second']:.0f} msg/s; baseline again")
        after = raw_send(stack, messages)
        sessions.kw["bind"].dispose()
    baseline = (before["per_second"] + after["per_second"]) / 2
    ratio = run["per_second"] / baseline
    figures = [
        benchlib.figure(
            f"outbound throughput ({args.backend}, {len(messages)} notices)",
            run["per_second"],
            "msg/s",
            baseline=baseline,
            ratio=ratio,
            target=f">= {TARGET:.0%} of raw smtplib loop",
            passed=ratio >= TARGET and run["messages"] == len(messages),
            note=f"render alone {len(messages) / render_seconds:.0f} msg/s",
        )
    ]
    print()
    benchlib.print_figures(figures)
    payload = {
        "figures": figures,
        "backend": args.backend,
        "notices": len(messages),
        "mean_bytes": round(size),
        "render_only_per_second": len(messages) / render_seconds,
        "baseline_before": before,
        "baseline_after": after,
        "flusher": run,
        "render_workers": args.render_workers if args.render_workers is not None else 1,
    }
    path = benchlib.save(args.save_as, payload)
    print(f"\nsaved {path.relative_to(benchlib.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
