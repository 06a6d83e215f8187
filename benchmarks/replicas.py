"""Several ``mailflow serve`` replicas on one PostgreSQL and one bot mailbox, one killed halfway.

Run from the repository root (needs Dovecot and a PostgreSQL server)::

    .venv/bin/python benchmarks/replicas.py [--replicas 3] [--messages 2000] [--pg-url URL]

Puts ``--messages`` "STOP REMINDERS" mails into the bot's INBOX (each is applied and answered
once) and as many outbox rows into a fresh database, starts the replicas, SIGKILLs the one polling
the mailbox when half the inbound mail is recorded, and waits until everything is done. Prints a
table (throughput, lease takeover, time to finish, duplicates) and saves it to
``benchmarks/results/replicas.json``. ``tests/integration/test_replicas.py`` asserts the same
properties with 300 messages; this script only reports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import URL, create_engine, func, make_url, select
from sqlalchemy.orm import Session

from mailflow.dev.devstack import MailStack
from mailflow.dev.devstack.audit import append_all, audit, enqueue_messages, progress, stop_request
from mailflow.dev.devstack.fleet import Fleet, Pace, wait_until
from mailflow.tracker.db import upgrade
from mailflow.tracker.models import InboundMessage, OutboxRow

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "replicas.json"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PACE = Pace(lease_seconds=10, claim_seconds=10, imap_batch=100, smtp_batch=50)


def _span(engine: Any, column: Any) -> float:
    with Session(engine) as session:
        first, last = session.execute(select(func.min(column), func.max(column))).one()
    return (last - first).total_seconds() if first and last else 0.0


def run(stack: MailStack, url: URL, replicas: int, messages: int, workdir: Path) -> dict[str, Any]:
    engine = create_engine(url)
    inbound = [stop_request("bench", n) for n in range(messages)]
    outbound = enqueue_messages(engine, "bench", range(messages))
    append_all(stack, (raw for _id, raw in inbound))
    try:
        with Fleet(stack, url.render_as_string(hide_password=False), workdir, PACE) as fleet:
            started = time.monotonic()
            fleet.start(replicas)
            if not wait_until(lambda: progress(engine).inbound >= messages // 2, 600, 0.02):
                raise SystemExit(f"no progress:\n{fleet.logs()[-5000:]}")
            at_kill = progress(engine)
            holder = at_kill.lease_holder or ""
            victim = fleet.by_pid(int(holder.rsplit(":", 1)[1]))
            if victim is None:
                raise SystemExit(f"the lease holder {holder} is not one of the replicas")
            victim.kill()
            killed = time.monotonic()
            wait_until(lambda: progress(engine).lease_holder not in (None, holder), 120)
            takeover = time.monotonic() - killed

            def finished() -> bool:
                now = progress(engine)
                return now.inbound >= messages and now.outbox.get("sent", 0) >= 2 * messages

            if not wait_until(finished, 1800, 0.2):
                raise SystemExit(f"not finished: {progress(engine)}")
            done = time.monotonic()
            codes = [p.stop() for p in fleet.processes if p is not victim]
        result = audit(stack, engine, [mid for mid, _raw in inbound], outbound)
        inbound_span = _span(engine, InboundMessage.processed_at)
        outbound_span = _span(engine, OutboxRow.sent_at)
    finally:
        engine.dispose()
    return {
        "replicas": replicas,
        "inbound_messages": messages,
        "outbox_rows": messages,
        "outbox_deliveries": len(outbound),
        "answers": messages,
        "killed_at": {"inbound": at_kill.inbound, "outbox": at_kill.outbox},
        "lease_seconds": PACE.lease_seconds,
        "claim_seconds": PACE.claim_seconds,
        "takeover_seconds": round(takeover, 2),
        "finish_after_kill_seconds": round(done - killed, 2),
        "total_seconds": round(done - started, 2),
        "inbound_per_second": round(messages / inbound_span, 1) if inbound_span else None,
        # Rows of both kinds (the workload's and the answers) between the first and last send.
        "sent_rows_per_second": round(2 * messages / outbound_span, 1) if outbound_span else None,
        "inbound_recorded": result.inbound_recorded,
        "inbound_lost": len(result.inbound_lost),
        "applied_twice": len(result.answers.different_ids),
        "sent_twice_with_new_message_id": len(result.outbound.different_ids),
        "duplicate_copies_same_message_id": result.answers.duplicate_copies
        + result.outbound.duplicate_copies,
        "duplicates": {**result.answers.duplicates, **result.outbound.duplicates},
        "unsent": result.outbox_unsent,
        "survivor_exit_codes": codes,
        "ok": result.ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument(
        "--pg-url", default=os.environ.get("MAILFLOW_TEST_PG_URL") or DEFAULT_PG_URL
    )
    args = parser.parse_args()
    admin = create_engine(make_url(args.pg_url), isolation_level="AUTOCOMMIT")
    name = f"mf_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(args.pg_url).set(database=name)
    try:
        upgrade(url)
        with (
            MailStack() as stack,
            tempfile.TemporaryDirectory(prefix="mf-replicas-") as workdir,
        ):
            figures = run(stack, url, args.replicas, args.messages, Path(workdir))
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    figures["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    figures["machine"] = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    figures["python"] = sys.version.split()[0]
    print(f"{'measure':<36} value")
    for key, value in figures.items():
        if key != "duplicates":
            print(f"{key:<36} {value}")
    for what, extra in figures["duplicates"].items():
        print(f"  duplicate x{extra + 1}: {what}")
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"saved {RESULTS.relative_to(ROOT)}")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
